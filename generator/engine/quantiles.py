"""Exact quantiles over every row from frequency tables, interpolated as numpy interpolates.

The engine builds ``(group, value, count)``, cumulates it and returns only the rows holding
the ranks numpy's linear method reads; the driver interpolates them with numpy's own formula.
Exact and reproducible, where DuckDB's exact quantile ran out of memory at 100M rows and the
engines' approximate ones differed between runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from generator.engine import sql
from generator.engine.session import Engine


def ranks(n: int, qs: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """numpy's linear method: the ranks below and above each quantile, and the weight."""
    q = np.asarray(qs, dtype=np.float64)
    # numpy's virtual index for the linear method, computed the same way: (n - 1) * q.
    virtual = (n - 1) * q
    below = np.floor(virtual)
    gamma = virtual - below
    low = np.clip(below.astype(np.int64), 0, n - 1)
    high = np.clip(below.astype(np.int64) + 1, 0, n - 1)
    return low, high, gamma


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's interpolation between neighbours (exact at both ends)."""
    diff = b - a
    out: np.ndarray = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
    return out


def quantiles(
    engine: Engine,
    relation: str,
    group: str,
    value: str,
    sizes: dict[int, int],
    qs: Sequence[float],
) -> dict[int, np.ndarray]:
    """The ``qs`` quantiles of ``value`` in each group of ``relation`` (NaN for an empty group).

    Args:
        engine: The engine holding ``relation``.
        relation: A table, view or parenthesised query.
        group: An integer expression naming the group of each row (e.g. ``segment``, ``0``).
        value: The numeric expression whose quantiles are wanted (rows where it is NULL skip).
        sizes: The number of non-NULL values of each group.
        qs: The quantiles, between 0 and 1.
    """
    plans = {g: ranks(n, qs) for g, n in sizes.items() if n > 0}
    wanted = {g: [*low.tolist(), *high.tolist()] for g, (low, high, _) in plans.items()}
    rows = engine.fetch(
        sql.rank_rows(
            f"(SELECT * FROM {relation} WHERE {value} IS NOT NULL)",
            group,
            value,
            sql.wanted_ranks(wanted),
        )
    ).to_pylist()
    out = {g: np.full(len(qs), np.nan) for g in sizes}
    for g, (low, high, gamma) in plans.items():
        mine = [r for r in rows if r["g"] == g]
        at = {rank: _value_at(mine, rank) for rank in wanted[g]}
        a = np.array([at[r] for r in low.tolist()])
        b = np.array([at[r] for r in high.tolist()])
        out[g] = lerp(a, b, gamma)
    return out


def _value_at(rows: list[dict[str, float]], rank: int) -> float:
    return next(float(r["v"]) for r in rows if r["lo"] <= rank < r["hi"])
