"""The ``value:`` section of the config: which feature makes a segment valuable, and which way.

Kept apart from ``settings`` so that module stays small; ``settings`` holds one field for it.

    value:
      feature: Spending      # a feature's column or label
      better: higher         # higher | lower (e.g. days since the last purchase)
      additive: true         # the column sums over customers (spend, revenue): show shares

The older ``value_feature: X`` key still works and means ``value: {feature: X}``. With neither,
no segment is called "most valuable".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

BETTER = ("higher", "lower")
VALUE_KEYS = ("feature", "better", "additive")


@dataclass(frozen=True)
class Value:
    """The value ranking: ``feature`` is a column ("" for none)."""

    feature: str = ""
    better: str = "higher"
    additive: bool = False


def parse_value(raw: dict[str, Any], columns: dict[str, str], fail: Callable[[str], None]) -> Value:
    """The value setting from the top-level config ``raw``; ``columns`` maps labels to columns.

    Problems go to ``fail``; the result then falls back to no value ranking.
    """
    section = raw.get("value", {})
    if "value_feature" in raw:
        section = {
            "feature": raw["value_feature"],
            **(section if isinstance(section, dict) else {}),
        }
    if not isinstance(section, dict):
        fail(f"value should be a mapping of {', '.join(VALUE_KEYS)}, got {section!r}")
        return Value()
    for key in sorted(set(map(str, section)) - set(VALUE_KEYS)):
        fail(f"unknown setting 'value.{key}' (expected {', '.join(VALUE_KEYS)})")
    feature = section.get("feature", "")
    better = section.get("better", "higher")
    additive = section.get("additive", False)
    problems = []
    if feature and columns and feature not in columns:
        problems.append(f"value.feature should name a feature, got {feature!r}")
    if better not in BETTER:
        problems.append(f"value.better should be one of {', '.join(BETTER)}, got {better!r}")
    if not isinstance(additive, bool):
        problems.append(f"value.additive should be true or false, got {additive!r}")
    for problem in problems:
        fail(problem)
    if problems or not feature:
        return Value()
    return Value(columns[feature], str(better), additive)
