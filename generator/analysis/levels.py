"""Levels (None, Low, Mixed, Medium, High) of each segment on each feature.

A level is a word a reader checks against the numbers printed beside it: the segment's mean
(and its index, 100 times the mean over everyone's) and its median against everyone's median.
The rules, as the README states them:

- A 0/1 column is a rate: High when the segment's odds of a 1 are at least ``ODDS`` times
  everyone's (19% against 9% is 2.4 times), Low when at most a ``1 / ODDS``-th, Medium otherwise.
  Any two-valued column (a code such as channel 1 or 2) is read the same way, as the share of
  customers holding the higher value.
- Any other column compares the segment's mean with everyone's. The mean is *clearly* above
  when it is above by at least the column's ``gap``: half a standard deviation of everyone, or,
  on a column of positive amounts, 20% of everyone's mean (an index of 120) if that is less.
  High is a mean clearly above everyone's *and* a median at or above everyone's median; Low is
  clearly below and at or below. Medium (middling) is a mean within the gap *and* a median
  within the gap of everyone's median (so a middling index is between 80 and 120). Every other
  segment is Mixed: its mean and median disagree (a few large values lift the average while
  most customers are below everyone's median, or the reverse), and the page says so.
- On a zero-inflated column (at least a third of all customers at exactly 0, none below), a
  segment whose median customer is at 0 (mostly zeros) is None, never Medium or High.

So High always means "mean above the population's" and Low "below", on the published numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.config.personas import LEVELS

# Index of each level in LEVELS: segments sort High before Low by this index.
NONE, LOW, MIXED, MEDIUM, HIGH = (
    LEVELS.index(name) for name in ("None", "Low", "Mixed", "Medium", "High")
)
# Odds, not rates, so the rule reads the same for a rare flag (9%) and a common one (91%).
ODDS = 2.0
ZERO_INFLATED = 1 / 3
# A mean (or median) this many standard deviations from everyone's is clearly different ...
SPREAD = 0.5
# ... or, on a column of positive amounts, this share of everyone's (an index of 80 or 120).
SHARE = 0.2


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
    return counted_levels(count(values, labels, k))


@dataclass(frozen=True)
class Counted:
    """One column's counts per segment over every customer: all the level rules read.

    An engine measures these where the rows stay (``engine_levels.counted_whole``).

    Attributes:
        sizes: Customers per segment.
        sums: The column's sum per segment.
        medians: The column's median per segment (NaN for an empty one), as published.
        tops: Customers per segment at the column's maximum.
        zeros: Customers per segment at exactly 0.
        ones: Customers per segment at 1 or below (a log's one-time buyers).
        lowest: The column's minimum.
        median: Everyone's median.
        spread: Everyone's standard deviation (population).
        two_valued: Whether the column holds exactly two distinct values.
    """

    sizes: np.ndarray
    sums: np.ndarray
    medians: np.ndarray
    tops: np.ndarray
    zeros: np.ndarray
    ones: np.ndarray
    lowest: float
    median: float
    spread: float
    two_valued: bool


def count(values: np.ndarray, labels: np.ndarray, k: int) -> Counted:
    """What the rules read, counted from one column's values and the segment labels."""
    distinct = np.unique(values)
    medians = np.full(k, np.nan)
    order = np.argsort(labels, kind="stable")
    sizes = np.bincount(labels, minlength=k)
    for i, part in enumerate(np.split(values[order], np.cumsum(sizes)[:-1])):
        if len(part):
            medians[i] = np.quantile(part, 0.5)
    return Counted(
        sizes=sizes,
        sums=np.bincount(labels, weights=values, minlength=k),
        medians=medians,
        tops=np.bincount(labels, weights=values == distinct[-1], minlength=k).astype(np.int64),
        zeros=np.bincount(labels, weights=values == 0, minlength=k).astype(np.int64),
        ones=np.bincount(labels, weights=values <= 1, minlength=k).astype(np.int64),
        lowest=float(distinct[0]),
        median=float(np.quantile(values, 0.5)),
        spread=float(values.std()),
        two_valued=len(distinct) == 2,
    )


def counted_levels(c: Counted) -> np.ndarray:
    """Level index of each segment from a column's counts (the rules in the docstring)."""
    n = int(c.sizes.sum())
    sizes = np.maximum(c.sizes, 1)
    if c.two_valued:
        return _rate_levels(c.tops / sizes, float(c.tops.sum() / n))
    mean = float(c.sums.sum() / n)
    levels = _mean_median_levels(c.sums / sizes, c.medians, mean, c)
    if c.lowest == 0 and c.zeros.sum() / n >= ZERO_INFLATED:
        levels = _none_levels(levels, c.zeros, sizes)
    return np.asarray(levels, dtype=np.int64)


def gap(centre: float, spread: float, lowest: float) -> float:
    """How far from ``centre`` (everyone's mean or median) a number is clearly different."""
    gaps = [SPREAD * spread]
    if lowest >= 0 and centre > 0:  # amounts: an index below 80 or above 120 is clear
        gaps.append(SHARE * centre)
    return min(gaps)


def _mean_median_levels(
    means: np.ndarray, medians: np.ndarray, mean: float, c: Counted
) -> np.ndarray:
    """High, Low, Medium where the mean and the median agree; Mixed where they do not."""
    by_mean = gap(mean, c.spread, c.lowest)
    by_median = gap(c.median, c.spread, c.lowest)
    above = means >= mean + by_mean
    below = means <= mean - by_mean
    near = ~above & ~below & (np.abs(medians - c.median) < by_median)
    high = above & (medians >= c.median)
    low = below & (medians <= c.median)
    return np.asarray(
        np.where(high, HIGH, np.where(low, LOW, np.where(near, MEDIUM, MIXED))), dtype=np.int64
    )


def _none_levels(levels: np.ndarray, zeros: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """None for a segment whose median customer is at 0, on a zero-inflated column."""
    return np.asarray(np.where(zeros / sizes >= 0.5, NONE, levels))


def _rate_levels(rates: np.ndarray, rate: float) -> np.ndarray:
    """Levels of segment rates against everyone's ``rate`` (strictly between 0 and 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (rates / (1 - rates)) / (rate / (1 - rate))
    return np.asarray(np.where(ratio >= ODDS, HIGH, np.where(ratio <= 1 / ODDS, LOW, MEDIUM)))
