"""Levels (None, Low, Medium, High) of each segment on each feature, from the segment's mean.

The rules, as the README states them:

- A 0/1 column is a rate: High when the segment's odds of a 1 are at least ``ODDS`` times
  everyone's (19% against 9% is 2.4 times), Low when at most a ``1 / ODDS``-th, Medium otherwise.
  Any two-valued column (a code such as channel 1 or 2) is read the same way, as the share of
  customers holding the higher value.
- Any other column ranks every customer (0 to 1, tied customers sharing the middle of their run,
  so a column where a third of the customers share one value, often 0, does not push every
  segment up a level) and averages the ranks over the segment: skew cannot make a segment High
  the way it drags a mean. High needs an average rank above two thirds *and* a mean above
  everyone's mean; Low an average rank below one third *and* a mean below; the rest is Medium.
- On a zero-inflated column (at least a third of all customers at exactly 0, none below), a
  segment whose median customer is at 0 (mostly zeros) is None, never Medium or High.

So High always means "mean above the population's" and Low "below", on the published numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.config.personas import LEVELS

# Index of each level in LEVELS: segments sort High before Low by this index.
NONE, LOW, MEDIUM, HIGH = (LEVELS.index(name) for name in ("None", "Low", "Medium", "High"))
# Odds, not rates, so the rule reads the same for a rare flag (9%) and a common one (91%).
ODDS = 2.0
ZERO_INFLATED = 1 / 3


def is_binary(values: np.ndarray) -> bool:
    """Whether a column holds only 0 and 1 (missing cells aside): a flag, read as a rate."""
    present = values[~np.isnan(values)]
    return bool(len(present)) and bool(np.isin(present, (0.0, 1.0)).all())


def segment_levels(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Level index (into ``LEVELS``) of each segment (rows) on each feature column of ``x``."""
    out = np.empty((k, x.shape[1]), dtype=np.int64)
    for j in range(x.shape[1]):
        out[:, j] = column_levels(x[:, j], labels, k)
    return out


def column_levels(values: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Level index of each of ``k`` segments on one column."""
    sizes = np.maximum(np.bincount(labels, minlength=k), 1)
    means = np.bincount(labels, weights=values, minlength=k) / sizes
    mean = float(values.mean())
    distinct = np.unique(values)
    if len(distinct) == 2:
        # Two values (0/1, or a code such as channel 1/2): the share holding the higher one.
        flags = (values == distinct[1]).astype(np.float64)
        rates = np.bincount(labels, weights=flags, minlength=k) / sizes
        return _rate_levels(rates, float(flags.mean()))
    ordered = np.sort(values)
    # Each customer's mid-rank (0 to 1, ties share the middle of their run); a segment's level
    # reads the average over its customers, which a long tail cannot drag the way it drags a mean.
    ranks = np.searchsorted(ordered, values, "left") + np.searchsorted(ordered, values, "right")
    midrank = np.bincount(labels, weights=ranks / 2 / len(values), minlength=k) / sizes
    levels = _rank_levels(midrank, means, mean)
    if ordered[0] == 0 and (ordered == 0).mean() >= ZERO_INFLATED:
        zeros = np.bincount(labels, weights=(values == 0).astype(np.float64), minlength=k)
        levels = _none_levels(levels, zeros, sizes)
    return np.asarray(levels, dtype=np.int64)


@dataclass(frozen=True)
class Counted:
    """One column's counts per segment over every customer: all ``column_levels`` reads.

    An engine measures these in one query (``engine.sql.level_counts``) where the rows stay.

    Attributes:
        sizes: Customers per segment.
        sums: The column's sum per segment.
        rank_sums: Per segment, the sum over its customers of (customers below + customers at
            or below), the customer's mid-rank times twice the number of customers.
        tops: Customers per segment at the column's maximum.
        zeros: Customers per segment at exactly 0.
        lowest: The column's minimum.
        two_valued: Whether the column holds exactly two distinct values.
    """

    sizes: np.ndarray
    sums: np.ndarray
    rank_sums: np.ndarray
    tops: np.ndarray
    zeros: np.ndarray
    lowest: float
    two_valued: bool


def counted_levels(c: Counted) -> np.ndarray:
    """Level index of each segment from a column's counts, by the rules of ``column_levels``."""
    n = int(c.sizes.sum())
    sizes = np.maximum(c.sizes, 1)
    if c.two_valued:
        return _rate_levels(c.tops / sizes, float(c.tops.sum() / n))
    levels = _rank_levels(c.rank_sums / 2 / n / sizes, c.sums / sizes, float(c.sums.sum() / n))
    if c.lowest == 0 and c.zeros.sum() / n >= ZERO_INFLATED:
        levels = _none_levels(levels, c.zeros, sizes)
    return np.asarray(levels, dtype=np.int64)


def _rank_levels(midrank: np.ndarray, means: np.ndarray, mean: float) -> np.ndarray:
    """High above two thirds and above the mean, Low below a third and below it, else Medium."""
    return np.asarray(
        np.where(
            (midrank > 2 / 3) & (means > mean),
            HIGH,
            np.where((midrank < 1 / 3) & (means < mean), LOW, MEDIUM),
        )
    )


def _none_levels(levels: np.ndarray, zeros: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """None for a segment whose median customer is at 0, on a zero-inflated column."""
    return np.asarray(np.where(zeros / sizes >= 0.5, NONE, levels))


def _rate_levels(rates: np.ndarray, rate: float) -> np.ndarray:
    """Levels of segment rates against everyone's ``rate`` (strictly between 0 and 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (rates / (1 - rates)) / (rate / (1 - rate))
    return np.asarray(np.where(ratio >= ODDS, HIGH, np.where(ratio <= 1 / ODDS, LOW, MEDIUM)))
