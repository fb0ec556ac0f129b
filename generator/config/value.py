"""The ``value:`` section of the config: which feature makes a segment valuable, and which way.

Kept apart from ``schema`` so that module stays a table of settings; ``settings`` builds one
``Value`` from the section, as it builds ``Privacy``.

    value:
      feature: Spending      # a feature's column or label
      better: higher         # higher | lower (e.g. days since the last purchase)
      additive: true         # the column sums over customers (spend, revenue): show shares

The older ``value_feature: X`` means ``value: {feature: X}``. With neither, no segment is called
"most valuable".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from generator.config.features import Feature

Better = Literal["higher", "lower"]
BETTER: tuple[str, ...] = get_args(Better)


@dataclass(frozen=True)
class Value:
    """The value ranking: ``feature`` is a column ("" for none)."""

    feature: str = ""
    better: Better = "higher"
    additive: bool = False


def value_column(
    value: Any, key: str, chosen: tuple[Feature, ...], fail: Callable[[str], None]
) -> str:
    """A feature named by column or label, as its column; "" when not set or not a feature."""
    if value in (None, ""):
        return ""
    by_name = {**{f.column: f.column for f in chosen}, **{f.label: f.column for f in chosen}}
    if isinstance(value, str) and value in by_name:
        return by_name[value]
    if chosen:
        fail(f"{key} should name a feature, got {value!r}")
    return ""


def value_of(parsed: dict[str, Any]) -> Value:
    """The ``Value`` from the parsed ``value.*`` settings (``value_feature`` as a fallback)."""
    feature = parsed["value.feature"] or parsed["value_feature"]
    return Value(feature, parsed["value.better"], parsed["value.additive"])
