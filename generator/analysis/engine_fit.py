"""K-Means when the table stays in an engine: k is searched on the sample, fitted on every row.

The k search, the choice of k and the silhouette run on the driver's sample exactly as for a
table in memory. The engine then computes the scaler over every row and runs Lloyd's algorithm,
one ``GROUP BY`` per iteration, from the sample's centres until the centres move less than
scikit-learn's tolerance (``tol=1e-4`` of the mean variance of the scaled features). A segment
left empty keeps its centre (scikit-learn would move it to a far point; with centres from a
fitted sample this does not happen in practice). Labels never come back: only centres.

When the sample is every customer the search's fit is the final fit, as in the local engine
(``kmeans.segment``): scikit-learn stops a fit by its tolerance, often before its centres are
the means of their customers, so one more Lloyd step would move them (0.1% on a zero-heavy
table under ``scaling: robust``) and publish other centroids than the local engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from generator.analysis.engine_levels import levels_whole
from generator.analysis.kmeans import _centroids, _search, choose_k, k_range_for
from generator.config.settings import LEVELS, Config
from generator.engine import sql
from generator.engine.dialect import Dialect, lit
from generator.engine.quantiles import robust_scale
from generator.engine.session import CUSTOMERS, Engine
from generator.model import CustomerTable, KChoice, KScore, Scaler, Segmentation
from generator.runtime.timing import stage

MAX_ITER = 300
TOL = 1e-4


@dataclass(frozen=True)
class FittedScaler:
    """The scaling fitted on every row (``log1p`` first when ``scaling: log``)."""

    center: np.ndarray
    scale: np.ndarray
    log1p: bool
    variance: np.ndarray

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Original units to scaled units."""
        z: np.ndarray = ((np.log1p(x) if self.log1p else x) - self.center) / self.scale
        return z

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Scaled units back to original units."""
        x: np.ndarray = z * self.scale + self.center
        return np.asarray(np.expm1(x) if self.log1p else x, dtype=np.float64)

    def items(self, d: Dialect, columns: tuple[str, ...]) -> str:
        """The ``z0, z1...`` select items over the original columns."""
        return sql.scaled(d, columns, self.center, self.scale, self.log1p)


def segment_whole(
    table: CustomerTable, config: Config, engine: Engine, raw: Moments
) -> Segmentation:
    """Search k on ``table.frame`` (the sample), then fit and order over every row.

    ``raw``: the features' moments over every row (``moments``).
    """
    x = table.feature_matrix()
    rng = np.random.default_rng(config.random_state)
    k_range = k_range_for(_distinct(x, table, config, engine), config)
    with stage("k_search", total=len(k_range)) as advance, threadpool_limits(limits=1):
        fits, scores, silhouette_rows = _search(x, config, k_range, rng, advance)
        choice = choose_k(scores, config.k)
    with stage("fit"):
        scaler = fit_scaler(engine, table, config.scaling, raw)
        centres = scaler.transform(_centroids(fits[choice.k]))
        if len(x) < table.n_customers:
            centres = lloyd(engine, table, scaler, centres)
        labelled = _labelled(engine, table, scaler, centres)
        bounds = value_bounds(table, table.features).tolist()
        spread = np.sqrt(raw.variance).tolist()
        levels = levels_whole(engine, labelled, table.features, len(centres), spread, bounds)
        return _ordered(x, scaler, centres, scores, choice, silhouette_rows, levels)


def _labelled(
    engine: Engine, table: CustomerTable, scaler: FittedScaler, centres: np.ndarray
) -> str:
    """Every customer with ``segment`` (the nearest of ``centres``) and its features."""
    d = engine.dialect
    items = scaler.items(d, table.features)
    return sql.labelled(d, CUSTOMERS, items, centres, [d.quote(c) for c in table.features])


def _distinct(x: np.ndarray, table: CustomerTable, config: Config, engine: Engine) -> int:
    """Distinct customers: the sample's count unless that is too few to be sure."""
    distinct = len(np.unique(x, axis=0))
    if distinct > max(config.k_max, config.k or 0) or len(x) == table.n_customers:
        return distinct
    listed = ", ".join(engine.dialect.quote(c) for c in table.features)
    row = engine.fetch(
        f"SELECT count(*) AS n FROM (SELECT DISTINCT {listed} FROM {CUSTOMERS}) AS q"
    )
    return int(row.to_pylist()[0]["n"])


def value_bounds(table: CustomerTable, columns: Sequence[str]) -> np.ndarray:
    """The largest magnitude of each numeric column's values: its histogram's outer edges."""
    assert table.whole is not None
    edges = {name: e for name, (_, e) in table.whole.histograms.items()}
    return np.array([max(abs(edges[c][0]), abs(edges[c][-1])) for c in columns])


def fit_scaler(engine: Engine, table: CustomerTable, scaling: str, raw: Moments) -> FittedScaler:
    """StandardScaler (mean, population sd) or RobustScaler (median, IQR) over every row.

    ``raw``: the features' own moments (measured once for the scaler and the profiles).
    """
    d = engine.dialect
    features = table.features
    log1p = scaling == "log"
    values = [d.log1p(d.quote(c)) if log1p else d.quote(c) for c in features]
    bounds = np.log1p(value_bounds(table, features)) if log1p else value_bounds(table, features)
    # log1p values have every digit after the point: summed with 10 kept, the scale of a 0/1
    # flag came out 1.5e-10 off numpy's; with 15, at the last digits of a double.
    measured = moments(engine, values, bounds, scale=sql.SCALED_SCALE) if log1p else raw
    n, mean, variance = measured.n, measured.mean, measured.variance
    if scaling == "robust":
        center, scale = robust_scale(engine, CUSTOMERS, values, n)
        # As RobustScaler: a range of (nearly) 0, e.g. a flag most customers lack, keeps scale 1.
        scale = np.where(scale < 10 * np.finfo(np.float64).eps, 1.0, scale)
    else:
        center, scale = mean, np.sqrt(variance)
        # As scikit-learn: a constant feature keeps scale 1 (validation refuses one anyway).
        scale = np.where(scale == 0, 1.0, scale)
    return FittedScaler(center, scale, log1p, variance / scale**2)


@dataclass(frozen=True)
class Moments:
    """Rows, means and population variances of some values over every row.

    Attributes:
        n: The number of rows.
        mean: Each value's mean.
        variance: Each value's population variance.
        products: For each pair ``(i, j)`` with ``i < j`` (when asked for), the sum over the rows
            of the product of the two values' deviations from their means.
    """

    n: int
    mean: np.ndarray
    variance: np.ndarray
    products: dict[tuple[int, int], float]


def moments(
    engine: Engine,
    values: list[str],
    bounds: np.ndarray,
    pairs: bool = False,
    scale: int = sql.ORIGINAL_SCALE,
) -> Moments:
    """The moments of ``values`` over every row, in two passes.

    The second pass sums squared deviations from the first pass's means (no cancellation),
    and with ``pairs`` the products of every two values' deviations (Pearson's r needs them);
    both sum in fixed point, so the result does not depend on the order of the rows.
    ``bounds``: the largest magnitude of each value; ``scale``: the digits kept after the point
    (both ``sql.exact_sum``).
    """
    d = engine.dialect
    items = ", ".join(
        f"{sql.exact_sum(d, v, scale, b)} AS s{i}"
        for i, (v, b) in enumerate(zip(values, bounds, strict=True))
    )
    row = engine.fetch(f"SELECT count(*) AS n, {items} FROM {CUSTOMERS}").to_pylist()[0]
    n = int(row["n"])
    mean = np.array([row[f"s{i}"] for i in range(len(values))], dtype=np.float64) / n
    dev = [f"({v} - {lit(m)})" for v, m in zip(values, mean, strict=True)]
    spread = np.asarray(bounds) + np.abs(mean)  # no deviation is larger
    sums = [
        f"{sql.exact_sum(d, f'{e} * {e}', scale, spread[i] ** 2)} AS q{i}"
        for i, e in enumerate(dev)
    ]
    both = [(i, j) for i in range(len(values)) for j in range(i + 1, len(values))] if pairs else []
    sums += [
        f"{sql.exact_sum(d, f'{dev[i]} * {dev[j]}', scale, spread[i] * spread[j])} AS c{i}_{j}"
        for i, j in both
    ]
    row = engine.fetch(f"SELECT {', '.join(sums)} FROM {CUSTOMERS}").to_pylist()[0]
    variance = np.array([row[f"q{i}"] for i in range(len(values))], dtype=np.float64) / n
    return Moments(n, mean, variance, {(i, j): float(row[f"c{i}_{j}"]) for i, j in both})


def lloyd(
    engine: Engine, table: CustomerTable, scaler: FittedScaler, start: np.ndarray
) -> np.ndarray:
    """Lloyd's algorithm over every row from ``start`` (scaled); the final scaled centres."""
    features = table.features
    tolerance = TOL * float(np.mean(scaler.variance))
    items = scaler.items(engine.dialect, features)
    bounds = value_bounds(table, features)
    values = np.log1p(bounds) if scaler.log1p else bounds
    scaled_bounds = (values + np.abs(scaler.center)) / scaler.scale
    centres = np.asarray(start, dtype=np.float64)
    for _ in range(MAX_ITER):
        labelled = sql.labelled(engine.dialect, CUSTOMERS, items, centres, ())
        step = sql.lloyd_step(engine.dialect, labelled, scaled_bounds)
        moved = centres.copy()
        for row in engine.fetch(step).to_pylist():
            sums = np.array([row[f"s{f}"] for f in range(len(features))], dtype=np.float64)
            moved[row["segment"]] = sums / row["n"]
        shift = float(((moved - centres) ** 2).sum())
        centres = moved
        if shift <= tolerance:
            break
    return centres


def nearest(z: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """The engine's assignment on the driver: lowest ``|c|^2 - 2 z.c``, ties to the lower index."""
    scores = np.einsum("kf,kf->k", centres, centres)[None, :] - 2.0 * z @ centres.T
    return np.asarray(np.argmin(scores, axis=1))


def _ordered(
    x: np.ndarray,
    scaler: FittedScaler,
    centres: np.ndarray,
    scores: tuple[KScore, ...],
    choice: KChoice,
    silhouette_rows: int,
    levels: np.ndarray,
) -> Segmentation:
    """Segments in ``kmeans._ordered``'s order; labels for the sample's rows only.

    ``levels`` (per segment of ``centres``, per feature) were counted over every customer
    (``engine_levels``), so they are the local engine's levels of the same segments.
    """
    centroids = scaler.inverse(centres)
    keys = [(*(-levels[i]), *(-centroids[i])) for i in range(len(centroids))]
    order = sorted(range(len(centroids)), key=lambda i: keys[i])
    ordered = centres[order]
    return Segmentation(
        labels=nearest(scaler.transform(x), ordered).astype(np.int32),
        centroids=centroids[order],
        scaled_centroids=ordered,
        scaler=Scaler(
            log1p=scaler.log1p,
            center=tuple(float(v) for v in scaler.center),
            scale=tuple(float(v) for v in scaler.scale),
        ),
        levels=tuple(tuple(LEVELS[v] for v in levels[i]) for i in order),
        scores=scores,
        choice=choice,
        search_rows=len(x),
        silhouette_rows=silhouette_rows,
    )
