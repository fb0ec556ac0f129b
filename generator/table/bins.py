"""Bin edges at round numbers, for every histogram and grid the site publishes.

``np.histogram``'s own edges start at the smallest value and end at the largest, which
publishes two customers' exact values (an age of 107, the income of a member of a tiny
segment). These edges are multiples of a round width instead, so the outer edges only say in
which bin the extremes fall. In the table stage because the engines bin every row with the
same edges as the local path, from the minimum and maximum alone.
"""

from __future__ import annotations

import math

import numpy as np

# Bin widths are one of these times a power of ten, so edges are round numbers.
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def round_edges(low: float, high: float, bins: int) -> np.ndarray:
    """Equal-width edges at round numbers from ``low`` to ``high`` (about ``bins`` bins)."""
    raw = (high - low) / bins if high > low else max(abs(low), 1.0) / bins
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(n * power for n in NICE_STEPS if n * power >= raw)
    start, stop = math.floor(low / step), math.ceil(high / step)
    edges = np.arange(start, max(stop, start + 1) + 1) * step
    return np.asarray([float(f"{e:.12g}") for e in edges])


def rounded_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Round-number edges that cover ``values`` (about ``bins`` bins)."""
    return round_edges(float(np.min(values)), float(np.max(values)), bins)
