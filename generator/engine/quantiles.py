"""Exact quantiles over every row from frequency tables, interpolated as numpy interpolates.

The engine builds ``(group, value, count)``, cumulates it and returns only the rows holding
the ranks numpy's linear method reads; the driver interpolates them with numpy's own formula.
Exact and reproducible, where DuckDB's exact quantile ran out of memory at 100M rows and the
engines' approximate ones differed between runs. Several columns go in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from generator.engine import sql
from generator.engine.session import Engine


@dataclass(frozen=True)
class Part:
    """One column's quantiles within groups.

    Attributes:
        group: An integer expression naming each row's group (``segment``, or ``0``).
        value: The numeric expression (rows where it is NULL are left out).
        sizes: The number of non-NULL values in each group.
    """

    group: str
    value: str
    sizes: dict[int, int]


def ranks(n: int, qs: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numpy's linear method: the ranks below and above each quantile, and the weight."""
    q = np.asarray(qs, dtype=np.float64)
    # numpy's virtual index for the linear method, computed the same way: (n - 1) * q.
    virtual = (n - 1) * q
    below = np.floor(virtual)
    gamma = virtual - below
    low = np.clip(below.astype(np.int64), 0, n - 1)
    high = np.clip(below.astype(np.int64) + 1, 0, n - 1)
    return low, high, gamma


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Numpy's interpolation between neighbours (exact at both ends)."""
    diff = b - a
    out: np.ndarray = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
    return out


def quantiles(
    engine: Engine,
    relation: str,
    parts: Sequence[Part],
    qs: Sequence[float],
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> list[dict[int, np.ndarray]]:
    """The ``qs`` quantiles of each part, per group (NaN for an empty group), in one query.

    ``transform`` (increasing, e.g. ``numpy.log1p``) applies to the values before they are
    interpolated, on the driver: the quantiles of the transformed column, as numpy computes
    them from numpy's own transform of every value.
    """
    out = [{g: np.full(len(qs), np.nan) for g in part.sizes} for part in parts]
    for (p, g), (a, b, gamma) in _neighbours(engine, relation, parts, qs).items():
        if transform is not None:
            a, b = transform(a), transform(b)
        out[p][g] = lerp(a, b, gamma)
    return out


def robust_scale(
    engine: Engine, relation: str, values: Sequence[str], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``RobustScaler`` over the ``n`` rows: each value's median and IQR.

    The median is ``numpy.median``'s: the mean of the two middle values of an even count,
    which numpy's 50th percentile (``b - (b - a) * 0.5``) can miss in the last place (15.01
    and 119.47: 67.24, against 67.24000000000001). The range is ``numpy.nanpercentile``'s 75th
    less its 25th. One query, as ``quantiles``.
    """
    parts = [Part("0", v, {0: n}) for v in values]
    found = _neighbours(engine, relation, parts, (0.25, 0.5, 0.75))
    center, scale = np.empty(len(values)), np.empty(len(values))
    for p in range(len(values)):
        a, b, gamma = found[(p, 0)]
        q = lerp(a, b, gamma)
        # gamma is 0 for an odd count (the middle value) and 0.5 for an even one.
        center[p] = a[1] if gamma[1] == 0 else (a[1] + b[1]) / 2
        scale[p] = q[2] - q[0]
    return center, scale


def _neighbours(
    engine: Engine, relation: str, parts: Sequence[Part], qs: Sequence[float]
) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per (part, group) that has rows: the values below and above each quantile, the weight.

    A part of everyone (group ``0``) over a value another part splits into groups is read
    from that part's tables (``rank_rows``' ``whole``): one table fewer over every row.
    """
    plans = {
        (p, g): ranks(n, qs) for p, part in enumerate(parts) for g, n in part.sizes.items() if n
    }
    wanted = {key: [*low.tolist(), *high.tolist()] for key, (low, high, _) in plans.items()}
    source = _sources(parts)
    counted = [p for p in range(len(parts)) if p not in source]
    at = {p: i for i, p in enumerate(counted)}
    own = {(at[p], g): w for (p, g), w in wanted.items() if p not in source}
    whole = {at[source[p]]: w for (p, _), w in wanted.items() if p in source}
    query = sql.rank_rows(
        relation,
        [(parts[p].group, parts[p].value) for p in counted],
        sql.wanted_ranks(own, whole),
        bool(whole),
    )
    rows: dict[tuple[int, int], list[dict[str, float]]] = {}
    everyone: dict[int, list[dict[str, float]]] = {}
    for row in engine.fetch(query).to_pylist():
        p = counted[int(row["p"])]
        rows.setdefault((p, int(row["g"])), []).append(row)
        if whole:
            everyone.setdefault(p, []).append({"v": row["v"], "lo": row["plo"], "hi": row["phi"]})
    for p, q in source.items():
        rows[(p, 0)] = everyone.get(q, [])
    out = {}
    for (p, g), (low, high, gamma) in plans.items():
        found = {rank: _value_at(rows[(p, g)], rank) for rank in wanted[(p, g)]}
        a = np.array([found[r] for r in low.tolist()])
        b = np.array([found[r] for r in high.tolist()])
        out[(p, g)] = (a, b, gamma)
    return out


def _sources(parts: Sequence[Part]) -> dict[int, int]:
    """Parts of everyone (group ``0``) whose value an earlier part splits into groups.

    Each maps to that part: its groups' tables, cumulated together, are everyone's.
    """
    found = {}
    for p, part in enumerate(parts):
        if part.group != "0" or list(part.sizes) != [0]:
            continue
        for q in range(p):
            other = parts[q]
            split = other.group != "0" and other.value == part.value
            if split and sum(other.sizes.values()) == part.sizes[0]:
                found[p] = q
                break
    return found


def _value_at(rows: list[dict[str, float]], rank: int) -> float:
    return next(float(r["v"]) for r in rows if r["lo"] <= rank < r["hi"])
