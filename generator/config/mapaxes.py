"""The ``map:`` setting: which two features the segment map plots (``map: [Income, Spending]``).

Kept apart from ``settings`` so that module stays small. Without it the map plots the two
features that separate the segments best (chosen from the data in ``report/charts``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def parse_map(
    raw: Any, columns: dict[str, str], fail: Callable[[str], None]
) -> tuple[str, str] | None:
    """The two map columns, or None for the default; ``columns`` maps labels to columns."""
    if raw is None:
        return None
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or not all(isinstance(item, str) and item in columns for item in raw)
    ):
        fail(f"map should be a list of two features (columns or labels), got {raw!r}")
        return None
    x, y = columns[raw[0]], columns[raw[1]]
    if x == y:
        fail(f"map should name two different features, got {raw!r}")
        return None
    return (x, y)
