"""The ``map:`` setting: which two features the segment map plots (``map: [Income, Spending]``).

Kept apart from ``schema`` so that module stays a table of settings. Without it the map plots
the two features that separate the segments best (chosen from the data in ``report/charts``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.config.features import Feature


def map_columns(
    raw: Any, key: str, chosen: tuple[Feature, ...], fail: Callable[[str], None]
) -> tuple[str, str] | None:
    """The two map columns (named by column or label), or None for the default."""
    if raw is None:
        return None
    names = {**{f.column: f.column for f in chosen}, **{f.label: f.column for f in chosen}}
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or not all(isinstance(item, str) and item in names for item in raw)
        or names[raw[0]] == names[raw[1]]
    ):
        fail(f"{key} should be a list of two different features (columns or labels), got {raw!r}")
        return None
    return (names[raw[0]], names[raw[1]])
