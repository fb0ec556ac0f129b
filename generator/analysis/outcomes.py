"""Outcome rates: per segment and overall, how many customers have each configured outcome.

A rate comes with its 95% Wilson score interval, which stays inside 0..1 and is honest for
small groups and rates near 0 or 1 (where the normal approximation is not). The counts are
measured once, locally with bincounts or on an engine with one ``sum(CASE ...)`` per outcome
in the pass that sums the columns; both give the same ``OutcomeRate`` values.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from generator.config.settings import Config, Outcome
from generator.errors import DataError
from generator.model import CustomerTable, FrozenMap, OutcomeRate

# The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054


def wilson(positives: int, count: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``positives`` of ``count`` (NaN, NaN when ``count`` is 0)."""
    if count <= 0:
        return math.nan, math.nan
    p = positives / count
    z2 = z * z
    centre = (p + z2 / (2 * count)) / (1 + z2 / count)
    half = z * math.sqrt(p * (1 - p) / count + z2 / (4 * count * count)) / (1 + z2 / count)
    return max(0.0, centre - half), min(1.0, centre + half)


def outcome_rate(positives: int, count: int) -> OutcomeRate:
    """The rate of ``positives`` among ``count`` customers, with its 95% interval."""
    low, high = wilson(positives, count)
    rate = positives / count if count else math.nan
    return OutcomeRate(int(positives), int(count), rate, low, high)


Counts = dict[str, tuple[np.ndarray, np.ndarray]]


def local_counts(table: CustomerTable, labels: np.ndarray, k: int, config: Config) -> Counts:
    """Per outcome column: per segment, the customers with the outcome and those with a value."""
    found = {}
    for outcome in config.outcomes:
        series = table.frame[outcome.column]
        positive, known = _flags(series, outcome, str(table.source.path))
        found[outcome.column] = (
            np.bincount(labels[positive], minlength=k),
            np.bincount(labels[known], minlength=k),
        )
    return found


def _flags(series: pd.Series, outcome: Outcome, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Which customers have the outcome, and which have a value in its column."""
    known = series.notna().to_numpy()
    if isinstance(series.dtype, pd.CategoricalDtype):
        text = series.astype(object).where(series.notna(), None)
        return (text == positive_text(outcome)).to_numpy(dtype=bool), known
    values = series.to_numpy(dtype=np.float64)
    return values == positive_number(outcome, where), known


def positive_text(outcome: Outcome) -> str:
    """The positive value as a text column holds it."""
    return outcome.shown


def positive_number(outcome: Outcome, where: str) -> float:
    """The positive value of a numeric column (``"1"`` is 1).

    Raises:
        DataError: When the column holds numbers and the value is not one.
    """
    if isinstance(outcome.positive, float):
        return outcome.positive
    try:
        return float(outcome.positive)
    except ValueError:
        raise DataError(
            f"{where}: outcomes.{outcome.column}: the column holds numbers, so "
            f"{outcome.positive!r} never occurs; expected the number that marks the outcome "
            "(such as 1)"
        ) from None


def rates(
    counts: Counts, config: Config, held: dict[str, str], where: str, k: int
) -> tuple[list[FrozenMap[str, OutcomeRate]], FrozenMap[str, OutcomeRate]]:
    """Each segment's outcome rates and everyone's, from the counts.

    ``held``: per outcome column, what it holds in words (for the error).

    Raises:
        DataError: When no customer has an outcome's positive value.
    """
    problems = [
        f"outcomes.{o.column}: no customer has {o.shown!r} (the column holds "
        f"{held[o.column]}); expected the value that marks the outcome"
        for o in config.outcomes
        if int(counts[o.column][0].sum()) == 0
    ]
    if problems:
        raise DataError(f"{where}: " + "; ".join(problems))
    segments = [
        FrozenMap((c, outcome_rate(int(p[i]), int(n[i]))) for c, (p, n) in counts.items())
        for i in range(k)
    ]
    overall = FrozenMap(
        (c, outcome_rate(int(p.sum()), int(n.sum()))) for c, (p, n) in counts.items()
    )
    return segments, overall


def held_locally(table: CustomerTable) -> dict[str, str]:
    """What each outcome column holds, in words: its values, or its range."""
    return {c: _held(table.frame[c]) for c in table.outcomes}


def _held(series: pd.Series) -> str:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return described_values([str(v) for v in series.dropna().unique()])
    values = series.dropna()
    if values.empty:
        return "no values"
    return f"numbers from {values.min():g} to {values.max():g}"


def described_values(values: list[str]) -> str:
    """Up to five values, quoted, sorted, with how many more there are."""
    ordered = sorted(values)
    shown = ", ".join(repr(v) for v in ordered[:5])
    more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
    return (shown + more) or "no values"
