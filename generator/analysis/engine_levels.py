"""Levels when the table stays in an engine: the rules of ``levels`` over every customer.

A level compares a segment's mean and median with everyone's, so it cannot be read on a
sample and still be the local engine's level: one query (``engine.sql.level_counts``) counts,
per column and segment, what ``levels.count`` counts from every row, a second measures the
medians exactly (``engine.quantiles``, as the profile publishes them), and
``levels.counted_levels`` applies the same rules to those counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from generator.analysis.levels import Counted, counted_levels
from generator.engine import sql
from generator.engine.quantiles import Part, quantiles
from generator.engine.session import Engine


def levels_whole(
    engine: Engine,
    labelled: str,
    features: tuple[str, ...],
    k: int,
    spread: Sequence[float],
    bounds: Sequence[float] | None = None,
) -> np.ndarray:
    """Level index of each of ``k`` segments (rows) on each feature (columns), over every row.

    ``labelled``: a query of every customer with ``segment`` and the features in their units;
    ``spread``: each feature's standard deviation over every row (population);
    ``bounds``: the largest magnitude of each feature's values, when known (``sql.level_counts``).
    """
    counted = counted_whole(engine, labelled, features, k, spread, bounds)
    return np.stack([counted_levels(c) for c in counted], axis=1).astype(np.int64)


def counted_whole(
    engine: Engine,
    labelled: str,
    features: tuple[str, ...],
    k: int,
    spread: Sequence[float],
    bounds: Sequence[float] | None = None,
) -> list[Counted]:
    """Each feature's counts per segment over every customer, in two queries."""
    d = engine.dialect
    query = sql.level_counts(f"({labelled}) AS q", [d.quote(f) for f in features], bounds, d)
    found = [_empty(k) for _ in features]
    lowest = [0.0 for _ in features]
    for row in engine.fetch(query).to_pylist():
        column = found[row["p"]]
        for key in ("n", "top", "zeros", "ones", "mid"):
            column[key][row["g"]] = int(row[key])
        column["s"][row["g"]] = float(row["s"])
        lowest[row["p"]] = float(row["lowest"])
    sizes = dict(enumerate(found[0]["n"].tolist())) if features else {}
    parts = [Part("segment", d.quote(f), sizes) for f in features]
    parts += [Part("0", d.quote(f), {0: sum(sizes.values())}) for f in features]
    medians = quantiles(engine, f"({labelled}) AS q", parts, (0.5,))
    n = len(features)
    return [
        Counted(
            sizes=c["n"],
            sums=c["s"],
            medians=np.array([medians[j].get(g, [np.nan])[0] for g in range(k)]),
            tops=c["top"],
            zeros=c["zeros"],
            ones=c["ones"],
            lowest=low,
            median=float(medians[n + j][0][0]),
            spread=float(spread[j]),
            # Features vary (validation), so two values is nothing strictly in between.
            two_valued=not c["mid"].sum(),
        )
        for j, (c, low) in enumerate(zip(found, lowest, strict=True))
    ]


def _empty(k: int) -> dict[str, np.ndarray]:
    counts = {key: np.zeros(k, dtype=np.int64) for key in ("n", "top", "zeros", "ones", "mid")}
    return {**counts, "s": np.zeros(k, dtype=np.float64)}
