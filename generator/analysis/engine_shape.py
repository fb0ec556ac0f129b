"""Which columns are rates or years, and which features spread, over every customer on an engine.

``profile`` reads these from every row of a table in memory. On an engine the checks' pass
already measured each number's extremes and histogram, and those settle most columns: a rate
holds only 0 and 1, so its extremes are 0 or 1; a year column lies within ``YEARS``; a feature
with customers in a histogram bin between the bins of its minimum and maximum has values
strictly between them. Only the columns those leave open are counted, as a few more sums in
the profile's per-segment pass (``aggregates``), and ``read`` adds them up.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.analysis.profile import YEARS
from generator.engine import sql
from generator.engine.session import Engine
from generator.model import CustomerTable


def aggregates(engine: Engine, table: CustomerTable, numeric: list[str]) -> list[str]:
    """The per-segment sums that settle what the extremes and histograms leave open."""
    assert table.whole is not None
    d = engine.dialect
    extremes = table.whole.extremes
    binary = [(i, d.quote(c)) for i, c in enumerate(numeric) if _binary(*extremes[c])]
    dated = [(i, d.quote(c)) for i, c in enumerate(numeric) if _dated(*extremes[c])]
    open_ = [
        (j, d.quote(f), *extremes[f])
        for j, f in enumerate(table.features)
        if not _spreads(table.whole.histograms[f][0])
    ]
    return sql.not_binary(binary) + sql.not_whole(dated) + sql.between(open_)


def kinds(
    table: CustomerTable, numeric: list[str], rows: list[dict[str, Any]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The 0/1 columns (rates) and the year columns, as ``profile._kinds`` reads them.

    Over every customer: a column where the sample holds only 0 and 1 may hold a 2 elsewhere,
    and then its mean is no share of customers. ``rows``: the per-segment rows of the pass
    that took ``aggregates``.
    """
    assert table.whole is not None
    rates, years = [], []
    for i, column in enumerate(numeric):
        low, high = table.whole.extremes[column]
        if _binary(low, high):
            if not _summed(rows, f"nb{i}"):
                rates.append(column)
        elif _dated(low, high) and not _summed(rows, f"nw{i}"):
            years.append(column)
    return tuple(rates), tuple(years)


def varied(table: CustomerTable, rows: list[dict[str, Any]]) -> tuple[str, ...]:
    """The features with a value strictly between their minimum and maximum."""
    assert table.whole is not None
    return tuple(
        f
        for j, f in enumerate(table.features)
        if _spreads(table.whole.histograms[f][0]) or _summed(rows, f"sb{j}")
    )


def _binary(low: float, high: float) -> bool:
    """Whether a column with these extremes may hold only 0 and 1."""
    return low in (0.0, 1.0) and high in (0.0, 1.0)


def _dated(low: float, high: float) -> bool:
    """Whether a column with these extremes may be a year column."""
    return YEARS[0] <= low <= high <= YEARS[1]


def _spreads(counts: np.ndarray) -> bool:
    """Whether a histogram has customers in a bin between those of its minimum and maximum.

    With three bins or more holding customers, the middle ones are such bins: a customer there
    is above the minimum (below that bin's lower edge) and below the maximum (above its upper).
    """
    return len(np.flatnonzero(counts)) > 2


def _summed(rows: list[dict[str, Any]], name: str) -> int:
    """Aggregate ``name`` of the per-segment rows, over every segment."""
    return sum(int(row[name] or 0) for row in rows)
