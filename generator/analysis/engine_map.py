"""The segment map when the table stays in an engine: the local map's numbers over every row.

The axes (the best separating features, unless ``map`` names them), each axis's range (exact
quartiles, minimum and maximum; Tukey's far fence; widened to the centres; round numbers when
customers are not shown one by one), the customers outside it and the grid's counts are what
``report/charts/segmap.py`` computes from the rows of a table in memory (``mapgrid``). The
report applies the same suppression to the counts. Only the grid comes back to the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from generator.analysis.mapgrid import (
    GRID,
    best_pair,
    fenced,
    grid_bounds,
    grid_edges,
    round_range,
    slack,
)
from generator.config.settings import Config
from generator.engine import sql
from generator.engine.quantiles import Part, quantiles
from generator.engine.session import CUSTOMERS, Engine
from generator.model import MapGrid, Population, SegmentProfile


@dataclass(frozen=True)
class Spread:
    """How the features spread over every customer, measured by earlier passes.

    Attributes:
        variance: Each feature's population variance.
        extremes: Each feature's smallest and largest value (the checks' pass).
        varied: The features with a value strictly between those two (the profile's pass).
    """

    variance: np.ndarray
    extremes: dict[str, tuple[float, float]]
    varied: tuple[str, ...]


def map_whole(
    engine: Engine,
    features: tuple[str, ...],
    profiles: Sequence[SegmentProfile],
    population: Population,
    spread: Spread,
    config: Config,
    classes: Sequence[str] = (),
) -> tuple[MapGrid | None, list[np.ndarray]]:
    """The map's axes, ranges, customers outside and grid, over every customer.

    ``classes``: whole-number expressions (such as ``sql.rank_class``) whose customers per
    value are counted in the scan that counts the grid's cells, and returned with the map.
    """
    if len(features) < 2:
        return None, _classes(engine, classes)
    d = engine.dialect
    quoted = {f: d.quote(f) for f in features}
    extremes = spread.extremes
    columns = config.map_axes or _best(features, profiles, population, spread)
    private, log = not config.privacy.individual_points, config.scaling == "log"
    shown = [p for p in profiles if p.size >= (config.privacy.min_group_size if private else 0)]
    forward: Callable[[np.ndarray], np.ndarray] = np.log1p if log else np.asarray
    ranges = []
    for column, (q1, q3) in zip(columns, _quartiles(engine, columns, population, log), strict=True):
        low, high = (float(forward(np.array(v))) for v in extremes[column])
        centres = forward(np.array([p.mean[column] for p in shown], dtype=np.float64))
        bounds = fenced(q1, q3, low, high, centres, log)
        ranges.append(round_range(bounds) if private else bounds)
    x_range, y_range = ranges
    outside, counts, found = _cells(engine, [quoted[c] for c in columns], ranges, log, classes)
    return MapGrid(columns, (x_range, y_range), outside, counts if private else None), found


def _quartiles(
    engine: Engine, columns: Sequence[str], population: Population, log: bool
) -> list[tuple[float, float]]:
    """Each axis's quartiles over every customer (of ``log1p`` of its values on log axes).

    On linear axes they are the population's quartiles, which the profiles measured already
    (numpy's method, from the same ranks). On log axes numpy interpolates between ``log1p``
    of the neighbouring values, other numbers, so they are counted here.
    """
    if not log:
        return [(population.numeric[c].q1, population.numeric[c].q3) for c in columns]
    d = engine.dialect
    parts = [Part("0", d.quote(c), {0: population.n_customers}) for c in columns]
    found = quantiles(engine, CUSTOMERS, parts, (0.25, 0.75), np.log1p)
    return [(float(part[0][0]), float(part[0][1])) for part in found]


def _best(
    features: tuple[str, ...],
    profiles: Sequence[SegmentProfile],
    population: Population,
    spread: Spread,
) -> tuple[str, str]:
    """The two best separating features, as ``segmap.map_columns`` chooses them locally.

    The share of each feature's variance between the segments, from the segments' sizes and
    means and the variance over every customer; a feature with only two values (nothing
    strictly between its minimum and maximum) only when nothing else is left.
    """
    sizes = np.array([p.size for p in profiles], dtype=np.float64)
    pop = population.mean
    score = {}
    for j, f in enumerate(features):
        means = np.array([p.mean[f] for p in profiles])
        total = spread.variance[j] * population.n_customers
        score[f] = float((sizes * (means - pop[f]) ** 2).sum() / total) if total else 0.0
    return best_pair(features, score, spread.varied)


def _cells(
    engine: Engine,
    values: list[str],
    ranges: list[tuple[float, float]],
    log: bool,
    classes: Sequence[str],
) -> tuple[int, np.ndarray, list[np.ndarray]]:
    """Customers outside the axes, per cell of the grid inside them, and per value of ``classes``.

    The local map bins ``log1p`` of each value on log axes; the engine compares the values
    themselves with the smallest numbers whose numpy ``log1p`` reaches each edge, so each
    customer lands in the cell numpy puts it in.
    """
    bounds = grid_bounds(ranges, log)
    edges = grid_edges(bounds)
    if log:
        cuts = [np.array([reaching(e) for e in axis]) for axis in edges]
        grid = [(float(c[0]), passing(float(e[-1]))) for c, e in zip(cuts, edges, strict=True)]
    else:
        cuts = list(edges)
        grid = [(float(e[0]), float(e[-1])) for e in edges]
    query = sql.map_cells(
        CUSTOMERS, values, [slack(r) for r in ranges], grid, cuts, not log, classes
    )
    outside = 0
    counts = np.zeros((GRID, GRID), dtype=np.int64)
    rows = engine.fetch(query).to_pylist()
    for row in rows:
        if row["s"] >= 0:
            continue
        if not row["inside"]:
            outside += int(row["c"])
        elif row["cx"] >= 0 and row["cy"] >= 0:
            counts[row["cx"], row["cy"]] = int(row["c"])
    found: list[dict[int, int]] = [{} for _ in classes]
    for row in rows:
        if row["s"] >= 0:
            found[row["s"]][int(row["r"])] = int(row["c"])
    return outside, counts, [_dense(f) for f in found]


def _classes(engine: Engine, classes: Sequence[str]) -> list[np.ndarray]:
    """The customers per value of each of ``classes``, in a scan of their own."""
    if not classes:
        return []
    found: list[dict[int, int]] = [{} for _ in classes]
    for row in engine.fetch(sql.grouped_counts(CUSTOMERS, classes, engine.dialect)).to_pylist():
        found[int(row["s"])][int(row["k0"])] = int(row["c"])
    return [_dense(f) for f in found]


def _dense(counts: dict[int, int]) -> np.ndarray:
    """Counts per value 0, 1, 2... (0 for a value no customer has)."""
    out = np.zeros(max(counts, default=-1) + 1, dtype=np.int64)
    for value, count in counts.items():
        out[value] = count
    return out


def reaching(edge: float) -> float:
    """The smallest number whose ``numpy.log1p`` is at least ``edge``."""
    x = float(np.expm1(edge))
    while np.log1p(x) < edge:
        x = float(np.nextafter(x, np.inf))
    while np.log1p(np.nextafter(x, -np.inf)) >= edge:
        x = float(np.nextafter(x, -np.inf))
    return x


def passing(edge: float) -> float:
    """The smallest number whose ``numpy.log1p`` is above ``edge``."""
    x = float(np.expm1(edge))
    while np.log1p(x) <= edge:
        x = float(np.nextafter(x, np.inf))
    while np.log1p(np.nextafter(x, -np.inf)) > edge:
        x = float(np.nextafter(x, -np.inf))
    return x
