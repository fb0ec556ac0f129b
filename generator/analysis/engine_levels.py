"""Levels when the table stays in an engine: the rules of ``levels`` over every customer.

A level ranks a segment's customers against everyone, so it cannot be read on a sample and
still be the local engine's level: one query (``engine.sql.level_counts``) counts, per column
and segment, what ``levels.column_levels`` reads from every row, and ``levels.counted_levels``
applies the same rules to those counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from generator.analysis.levels import Counted, counted_levels
from generator.engine import sql
from generator.engine.session import Engine


def levels_whole(
    engine: Engine,
    labelled: str,
    features: tuple[str, ...],
    k: int,
    bounds: Sequence[float] | None = None,
) -> np.ndarray:
    """Level index of each of ``k`` segments (rows) on each feature (columns), over every row.

    ``labelled``: a query of every customer with ``segment`` and the features in their units;
    ``bounds``: the largest magnitude of each feature's values, when known (``sql.level_counts``).
    """
    counted = counted_whole(engine, labelled, features, k, bounds)
    return np.stack([counted_levels(c) for c in counted], axis=1).astype(np.int64)


def counted_whole(
    engine: Engine,
    labelled: str,
    features: tuple[str, ...],
    k: int,
    bounds: Sequence[float] | None = None,
) -> list[Counted]:
    """Each feature's counts per segment over every customer, in one query."""
    d = engine.dialect
    query = sql.level_counts(f"({labelled})", [d.quote(f) for f in features], bounds)
    found = [_empty(k) for _ in features]
    lowest = [0.0 for _ in features]
    for row in engine.fetch(query).to_pylist():
        column = found[row["p"]]
        for key in ("n", "r", "top", "zeros", "mid"):
            column[key][row["g"]] = int(row[key])
        column["s"][row["g"]] = float(row["s"])
        lowest[row["p"]] = float(row["lowest"])
    return [
        Counted(
            sizes=c["n"],
            sums=c["s"],
            rank_sums=c["r"],
            tops=c["top"],
            zeros=c["zeros"],
            lowest=low,
            # Features vary (validation), so two values is nothing strictly in between.
            two_valued=not c["mid"].sum(),
        )
        for c, low in zip(found, lowest, strict=True)
    ]


def _empty(k: int) -> dict[str, np.ndarray]:
    # A rank sum is at most twice the square of the rows: int64 holds it to 2 billion rows.
    counts = {key: np.zeros(k, dtype=np.int64) for key in ("n", "r", "top", "zeros", "mid")}
    return {**counts, "s": np.zeros(k, dtype=np.float64)}
