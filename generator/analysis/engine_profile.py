"""Profiles when the table stays in an engine: the numbers of ``profile`` over every row.

Sizes, means, exact quartiles (``engine.quantiles``), category shares, the population's facts
and the rules' scores are aggregate queries over the customers labelled by a SQL ``CASE``;
only those aggregates come back. The words (names, slugs, actions) are made as in ``profile``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from generator.analysis import engine_outcomes, engine_shape
from generator.analysis.actions import segment_actions
from generator.analysis.engine_fit import FittedScaler, Moments, value_bounds
from generator.analysis.engine_map import Spread, map_whole
from generator.analysis.engine_population import population_whole
from generator.analysis.engine_rules import leaf_counts, leaf_paths, rules_from
from generator.analysis.outcomes import rates
from generator.analysis.personas import direction_words, name_segments, playbook_actions
from generator.config.settings import Config
from generator.engine import sql
from generator.engine.quantiles import Part, quantiles
from generator.engine.session import CUSTOMERS, Engine
from generator.model import (
    Analysis,
    CustomerTable,
    FrozenMap,
    NumericStats,
    OutcomeRate,
    Rule,
    Segmentation,
    SegmentProfile,
    by_name,
)

QUARTILES = (0.25, 0.5, 0.75)
# Category values counted in the pass that sums the columns; more get a pass of their own.
FUSED_VALUES = 64


def labelled_sql(engine: Engine, table: CustomerTable, segmentation: Segmentation) -> str:
    """Every customer with ``segment`` (0-based, in segment order) and its own columns.

    ``id`` is the ID as text; ``id_key`` as the table stores it (a number or text).
    """
    scale = segmentation.scaler
    scaler = FittedScaler(
        np.asarray(scale.center), np.asarray(scale.scale), scale.log1p, np.ones(len(scale.scale))
    )
    d = engine.dialect
    kept = (*table.features, *table.describe, *table.outcomes)
    keep = ["id", "id_key", *(d.quote(c) for c in kept)]
    items = scaler.items(d, table.features)
    return sql.labelled(engine.dialect, CUSTOMERS, items, segmentation.scaled_centroids, keep)


@dataclass(frozen=True)
class _Measured:
    """What the engine measured for the profiles, and the names made from it."""

    sizes: np.ndarray
    stats: dict[str, tuple[list[NumericStats], NumericStats]]
    shares: dict[str, list[FrozenMap[str, float]]]
    rules: list[Rule]
    outcomes: list[FrozenMap[str, OutcomeRate]]
    overall: FrozenMap[str, OutcomeRate]
    pop_mean: np.ndarray
    names: tuple[list[str], list[str], list[list[int]]]


def analyse_whole(
    table: CustomerTable, segmentation: Segmentation, config: Config, engine: Engine, raw: Moments
) -> Analysis:
    """Every segment's profile and the population's facts, measured on the engine.

    ``raw``: the features' moments over every row, with their deviation products.
    """
    assert table.whole is not None
    labelled = labelled_sql(engine, table, segmentation)
    k = segmentation.k
    numeric = [c for c in (*table.features, *table.describe) if c not in table.whole.categories]
    paths = leaf_paths(table, segmentation.labels, k, config.random_state)
    levels = [
        (c, list(order)) for c, order in table.whole.categories.items() if c in table.describe
    ]
    fused = levels if sum(len(v) for _, v in levels) <= FUSED_VALUES else []
    extra = leaf_counts(engine, table.features, paths) + _value_counts(engine, fused)
    extra += engine_shape.aggregates(engine, table, numeric)
    extra += engine_outcomes.aggregates(engine, table, config)
    sizes, means, rows = _means(engine, labelled, numeric, k, (table, extra))
    held = engine_outcomes.counts_from(rows, config, k)
    values_held = engine_outcomes.held_on_engine(table)
    outcomes, overall = rates(held, config, values_held, str(table.source.path), k)
    shares = {c: _shares_from(rows, n, k, values) for n, (c, values) in enumerate(fused)}
    for c, values in levels:
        if c not in shares:
            shares[c] = _shares(engine, labelled, c, k, values)
    stats = _stats(engine, labelled, numeric, sizes, means)
    population = replace(population_whole(table, numeric, stats, raw, rows), outcomes=overall)
    pop_mean = np.array([population.mean[f] for f in table.features])
    pop_std = np.sqrt(raw.variance)
    feature_means = means[:, [numeric.index(f) for f in table.features]]
    # Distinctiveness on the published scale, as in ``profile``: means, not K-Means centres.
    z = (feature_means - pop_mean) / np.where(pop_std > 0, pop_std, 1.0)
    label_of = config.column_labels
    # A log never stays in an engine, so no column's words read its distribution here.
    words = direction_words(config, segmentation.levels, feature_means, np.full(z.shape, np.nan))
    measured = _Measured(
        sizes=sizes,
        stats=stats,
        shares={c: shares[c] for c, _ in levels},
        rules=rules_from(table, paths, rows),
        outcomes=outcomes,
        overall=overall,
        pop_mean=pop_mean,
        names=name_segments(segmentation.levels, z, [label_of[f] for f in table.features], words),
    )
    profiles = tuple(_profile(i, measured, table, segmentation, config) for i in range(k))
    extremes = {f: table.whole.extremes[f] for f in table.features}
    spread = Spread(raw.variance, extremes, engine_shape.varied(table, rows))
    wanted = _published(stats, [c for c in table.describe if c in stats])
    d = engine.dialect
    classes = [sql.rank_class(d.quote(c), numbers) for c, numbers in wanted.items()]
    grid, counts = map_whole(engine, table.features, profiles, population, spread, config, classes)
    placed = _percentiles(wanted, counts, population.n_customers)
    table = replace(table, whole=replace(table.whole, percentiles=placed, segment_map=grid))
    return Analysis(table, segmentation, profiles, population, FrozenMap(label_of))


def _published(
    stats: dict[str, tuple[list[NumericStats], NumericStats]], columns: list[str]
) -> dict[str, list[float]]:
    """The numbers a ranges chart places, per column: its published quartiles and medians."""
    wanted = {}
    for column in columns:
        segments, everyone = stats[column]
        numbers = {getattr(s, q) for s in (*segments, everyone) for q in ("q1", "median", "q3")}
        wanted[column] = [v for v in sorted(numbers) if np.isfinite(v)]
    return wanted


def _percentiles(
    wanted: dict[str, list[float]], counts: list[np.ndarray], n: int
) -> FrozenMap[str, FrozenMap[float, float]]:
    """Where each published quartile and median sits among all customers, as ``persona`` says.

    The ranges charts place a value at ``100 * (below + at_or_below) / 2 / n`` of its column;
    ``counts``: per column, the customers of each ``sql.rank_class`` of its numbers, over every
    customer (the map's scan), not the sample's.
    """
    placed = {}
    for (column, numbers), per_class in zip(wanted.items(), counts, strict=True):
        upto = np.cumsum(per_class)
        at = [upto[min(j, len(upto) - 1)] if len(upto) else 0 for j in range(2 * len(numbers))]
        placed[column] = FrozenMap(
            (v, 100 * (int(at[2 * i]) + int(at[2 * i + 1])) / 2 / n) for i, v in enumerate(numbers)
        )
    return FrozenMap(placed)


def _profile(
    i: int, m: _Measured, table: CustomerTable, segmentation: Segmentation, config: Config
) -> SegmentProfile:
    """Segment ``i``'s profile, as ``profile.analyse`` states it."""
    features = list(table.features)
    names, slugs, distinctive = m.names
    levels = dict(zip(features, segmentation.levels[i], strict=True))
    feature_stats = [m.stats[f][0][i] for f in features]
    means = np.array([s.mean for s in feature_stats])
    return SegmentProfile(
        number=i + 1,
        slug=slugs[i],
        name=names[i],
        size=int(m.sizes[i]),
        share=float(m.sizes[i] / m.sizes.sum()),
        mean=by_name(features, means),
        median=by_name(features, np.array([s.median for s in feature_stats])),
        index=by_name(features, 100 * means / np.where(m.pop_mean != 0, m.pop_mean, np.nan)),
        levels=FrozenMap(levels),
        distinctive=tuple(features[j] for j in distinctive[i]),
        numeric=FrozenMap((c, m.stats[c][0][i]) for c in table.describe if c in m.stats),
        categorical=FrozenMap((c, s[i]) for c, s in m.shares.items()),
        rule=m.rules[i],
        actions=segment_actions(
            config,
            playbook_actions(config, levels),
            {c: m.stats[c][0][i].mean for c in (*features, *table.describe) if c in m.stats},
            (m.outcomes[i], m.overall),
        ),
        outcomes=m.outcomes[i],
    )


def _means(
    engine: Engine,
    labelled: str,
    columns: list[str],
    k: int,
    counted: tuple[CustomerTable, list[str]],
) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """Sizes and means per segment (NaN for an empty segment), with ``counted``'s aggregates.

    ``counted``: the table and the extra aggregates of the same pass over every row (the
    rules' leaves, the category values); their rows per segment are returned with the rest.
    """
    table, extra = counted
    sizes = np.zeros(k, dtype=np.int64)
    sums = np.full((k, len(columns)), np.nan)
    bounded = list(zip(columns, value_bounds(table, columns), strict=True))
    rows = engine.fetch(sql.group_means(labelled, bounded, engine.dialect, extra)).to_pylist()
    for row in rows:
        sizes[row["segment"]] = row["n"]
        sums[row["segment"]] = [row[f"a{j}"] for j in range(len(columns))]
    return sizes, sums / np.maximum(sizes, 1)[:, None], rows


def _value_counts(engine: Engine, levels: list[tuple[str, list[str]]]) -> list[str]:
    """Aggregates ``c<column>_<value>``: the customers holding each value of each column.

    The last value is not counted: the measured values are all a column holds (rare ones
    pooled as in the view), so it holds the segment's customers the others do not.
    """
    d = engine.dialect
    return [
        f"sum(CASE WHEN {d.quote(column)} = {d.text(value)} THEN 1 ELSE 0 END) AS c{n}_{j}"
        for n, (column, values) in enumerate(levels)
        for j, value in enumerate(values[:-1])
    ]


def _shares_from(
    rows: list[dict[str, Any]], n: int, k: int, values: list[str]
) -> list[FrozenMap[str, float]]:
    """Each segment's share of every value of column ``n`` of ``_value_counts``."""
    counts = np.zeros((k, len(values)))
    for row in rows:
        first = [int(row[f"c{n}_{j}"] or 0) for j in range(len(values) - 1)]
        counts[row["segment"]] = [*first, int(row["n"]) - sum(first)]
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    return [FrozenMap(zip(values, map(float, r), strict=True)) for r in shares]


def _stats(
    engine: Engine, labelled: str, columns: list[str], sizes: np.ndarray, means: np.ndarray
) -> dict[str, tuple[list[NumericStats], NumericStats]]:
    """Per column, per segment and for everyone: mean, median and quartiles (exact)."""
    d = engine.dialect
    per_segment = dict(enumerate(sizes.tolist()))
    parts = [Part("segment", d.quote(c), per_segment) for c in columns]
    parts += [Part("0", d.quote(c), {0: int(sizes.sum())}) for c in columns]
    found = quantiles(engine, f"({labelled}) AS q", parts, QUARTILES)
    out = {}
    for j, column in enumerate(columns):
        total = float(np.nansum(means[:, j] * sizes) / sizes.sum())
        segments = [
            NumericStats(float(means[i, j]), float(q[1]), float(q[0]), float(q[2]), int(sizes[i]))
            for i, q in sorted(found[j].items())
        ]
        q1, median, q3 = (float(v) for v in found[len(columns) + j][0])
        everyone = NumericStats(total, median, q1, q3, int(sizes.sum()))
        out[column] = (segments, everyone)
    return out


def _shares(
    engine: Engine, labelled: str, column: str, k: int, values: list[str]
) -> list[FrozenMap[str, float]]:
    """Each segment's share of every value of a categorical column (in ``values``' order)."""
    rows = engine.fetch(sql.counts(f"({labelled}) AS q", "segment", engine.dialect.quote(column)))
    counts = np.zeros((k, len(values)))
    for r in rows.to_pylist():
        counts[r["g"], values.index(str(r["v"]))] = r["c"]
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    return [FrozenMap(zip(values, map(float, row), strict=True)) for row in shares]
