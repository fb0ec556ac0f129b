"""The segment map's numbers, shared by the local map and the map an engine measures.

Which two features it plots, where each axis stops (Tukey's far fence, widened to keep every
centre in view, at round numbers when customers are not shown one by one), and the grid of
cells it counts customers in. ``report/charts/segmap.py`` draws the map from these; on an
engine ``engine_map`` measures the same numbers over every customer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from generator.table.bins import round_edges

GRID = 24
FENCE = 3.0


def separation(values: np.ndarray, labels: np.ndarray) -> float:
    """The share of a column's variance that lies between the segments (eta squared)."""
    total = float(((values - values.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    sizes = np.bincount(labels)
    means = np.bincount(labels, weights=values) / np.maximum(sizes, 1)
    return float((sizes * (means - values.mean()) ** 2).sum() / total)


def best_pair(
    features: Sequence[str], score: dict[str, float], spread: Sequence[str]
) -> tuple[str, str]:
    """The two best separating features, in config order; flags only when nothing else is left.

    ``spread``: the features with more than two distinct values.
    """
    # A flag or a two-valued code makes a map of two lines: used only when nothing else is left.
    candidates = list(spread) if len(spread) >= 2 else list(features)
    best = sorted(candidates, key=lambda f: (-score[f], features.index(f)))[:2]
    first, second = sorted(best, key=features.index)
    return first, second


def axis_range(values: np.ndarray, centres: np.ndarray, log: bool = False) -> tuple[float, float]:
    """The data range cut at the far fences, widened to keep every segment centre in view.

    With ``log`` the fences are measured on ``log1p`` of the values, as the axis shows them.
    """
    if log:
        values, centres = np.log1p(values), np.log1p(centres)
    q1, q3 = np.quantile(values, [0.25, 0.75])
    return fenced(q1, q3, float(values.min()), float(values.max()), centres, log)


def fenced(
    q1: float, q3: float, low: float, high: float, centres: np.ndarray, log: bool
) -> tuple[float, float]:
    """``axis_range`` from the quartiles, minimum and maximum (in ``log1p`` units with ``log``)."""
    spread = FENCE * (q3 - q1)
    if spread > 0:
        low, high = max(low, q1 - spread), min(high, q3 + spread)
    if len(centres):
        low, high = min(low, float(centres.min())), max(high, float(centres.max()))
    return (float(np.expm1(low)), float(np.expm1(high))) if log else (low, high)


def round_range(bounds: tuple[float, float]) -> tuple[float, float]:
    """The range widened to round numbers (the outer edges of the grid's round bins)."""
    edges = round_edges(*bounds, GRID)
    return float(edges[0]), float(edges[-1])


def slack(bounds: tuple[float, float]) -> tuple[float, float]:
    """The bounds a customer must lie within to be drawn.

    A hair of slack: a log axis's bounds went through log1p and back (last-bit noise).
    """
    return bounds[0] - 1e-9 * abs(bounds[0]), bounds[1] + 1e-9 * abs(bounds[1])


def grid_bounds(ranges: Sequence[tuple[float, float]], log: bool) -> list[tuple[float, float]]:
    """The grid's range on each axis: in ``log1p`` units on log axes (cells look equal there)."""
    forward = np.log1p if log else (lambda v: v)
    return [(float(forward(low)), float(forward(high))) for low, high in ranges]


def grid_edges(bounds: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """The cell edges ``numpy.histogram2d`` uses over ``bounds`` (GRID cells an axis)."""
    empty = np.zeros(0)
    _, x_edges, y_edges = np.histogram2d(empty, empty, bins=GRID, range=list(bounds))
    return x_edges, y_edges
