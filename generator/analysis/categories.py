"""Rare category values become "Other", so no published label belongs to a small group.

A value is published only if at least ``privacy.min_group_size`` segmented customers have it.
Rarer values, and values seen only on rows that were dropped (a categorical keeps them as unused
categories), are pooled under ``OTHER``. Pooling happens once, before profiles and charts, so
every page, chart, chart CSV and download shows the same grouped column.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from generator.model import CustomerTable

OTHER = "Other"


def group_rare(table: CustomerTable, min_group_size: int) -> CustomerTable:
    """The table with each categorical describe column's rare values pooled as ``OTHER``."""
    frame = table.frame
    changed = {}
    for column in table.describe:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            grouped = _grouped(series, min_group_size)
            if grouped is not series:
                changed[column] = grouped
    if not changed:
        return table
    return replace(table, frame=frame.assign(**changed))


def _grouped(series: pd.Series, min_group_size: int) -> pd.Series:
    """``series`` with rare and unused categories pooled (the same object when none are)."""
    counts = series.value_counts(sort=False)
    rare = [value for value, count in counts.items() if count < min_group_size]
    if not rare:
        return series
    keep = [str(c) for c in series.cat.categories if c not in rare and str(c) != OTHER]
    pooled = series.astype(object).where(~series.isin(rare), OTHER)
    categories = [*keep, OTHER] if (pooled == OTHER).any() else keep
    return pooled.astype(pd.CategoricalDtype(categories))
