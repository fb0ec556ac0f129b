"""The population's facts and insights when the table stays in an engine.

Made from what the profile's pass already measured (the features' moments, each column's
stats and the per-segment rows), as ``profile._population`` states them for a table in memory:
no query of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.analysis import engine_shape
from generator.analysis.engine_fit import Moments
from generator.model import CustomerTable, FrozenMap, Insight, NumericStats, Population


def population_whole(
    table: CustomerTable,
    numeric: list[str],
    stats: dict[str, tuple[list[NumericStats], NumericStats]],
    raw: Moments,
    rows: list[dict[str, Any]],
) -> Population:
    """The population's facts and insights, as ``profile._population`` states them.

    An engine's table has no gaps (missing cells are an error or dropped), so every describe
    column covers every customer. ``rows``: the per-segment rows of ``_means``.
    """
    assert table.whole is not None
    n = raw.n
    counts = table.whole.categories
    categorical = {
        c: FrozenMap((v, m / n) for v, m in counts[c].items())
        for c in (*table.features, *table.describe)
        if c in counts
    }
    rates, years = engine_shape.kinds(table, numeric, rows)
    found = (_insight(c, categorical.get(c), stats, c in rates, n) for c in table.describe)
    insights = [i for i in found if i is not None] + _relation(table.features, raw)
    return Population(
        n_customers=n,
        mean=FrozenMap((f, stats[f][1].mean) for f in table.features),
        numeric=FrozenMap(
            (c, stats[c][1]) for c in (*table.features, *table.describe) if c in numeric
        ),
        categorical=FrozenMap(categorical),
        insights=tuple(insights),
        rates=rates,
        years=years,
        coverage=FrozenMap((c, n) for c in table.describe),
    )


def _insight(
    column: str,
    shares: FrozenMap[str, float] | None,
    stats: dict[str, tuple[list[NumericStats], NumericStats]],
    rate: bool,
    n: int,
) -> Insight | None:
    """A describe column's insight: its top value's share, its rate or its spread."""
    if shares is not None:
        if len(shares) < 2:
            return None
        top = max(shares.items(), key=lambda p: (p[1], p[0]))
        balance = {"value": top[0], "share": top[1], "n_values": len(shares)}
        return Insight("balance", column, FrozenMap(balance))
    s = stats[column][1]
    covered = {"count": n, "n": n}
    if rate:
        return Insight("rate", column, FrozenMap({"rate": s.mean, **covered}))
    spread = {"q1": s.q1, "median": s.median, "q3": s.q3, **covered}
    return Insight("spread", column, FrozenMap(spread))


def _relation(features: tuple[str, ...], raw: Moments) -> list[Insight]:
    """The strongest linear relation between two features (Pearson's r over every row).

    From fixed-point sums of deviation products, so r does not depend on the order of rows.
    """
    if len(features) < 2:
        return []
    pairs = sorted(raw.products)
    sd = np.sqrt(raw.variance)
    r = {(i, j): raw.products[(i, j)] / raw.n / (sd[i] * sd[j]) for i, j in pairs}
    first, second = max(pairs, key=lambda p: (abs(r[p]), -p[0], -p[1]))
    value = float(r[(first, second)])
    relation = FrozenMap({"other": features[second], "r": value})
    return [Insight("relation", features[first], relation)]
