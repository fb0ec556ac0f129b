"""The ``features:`` setting: the numeric columns the segments are built on, with their labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.config.sources import Transactions, feature_naming

MAX_FEATURES = 20


@dataclass(frozen=True)
class Feature:
    """A numeric column the segments are built on."""

    column: str
    label: str
    words: tuple[tuple[str, str], ...] = ()  # level to the word persona names use instead


def default_label(column: str) -> str:
    """A short label from a column name: ``Annual Income (k$)`` becomes ``Annual Income``."""
    label = re.sub(r"\s*\([^)]*\)", "", column).strip()
    return label or column


def parse_features(
    raw: Any, fail: Callable[[str], None], transactions: Transactions | None = None
) -> tuple[Feature, ...]:
    """The features in config order, reporting every problem through ``fail``.

    With a transaction log, features name the columns it makes (``recency`` ...), which have
    their own labels and level words unless the config gives them.
    """
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_FEATURES:
        fail(f"features should be a list of 1 to {MAX_FEATURES} numeric columns, got {raw!r}")
        return ()
    found = []
    for item in raw:
        if isinstance(item, str) and item:
            item = {"column": item}
        if isinstance(item, dict) and isinstance(item.get("column"), str):
            column = item["column"]
            label, words = feature_naming(item, transactions, default_label(column), fail)
            found.append(Feature(column, label, words))
        else:
            fail(f"features entry should be a column name or {{column, label}}: {item!r}")
    for kind in ("column", "label"):
        names = [getattr(f, kind) for f in found]
        for name in sorted({n for n in names if names.count(n) > 1}):
            fail(f"features has the {kind} {name!r} twice")
    return tuple(found)
