"""The ``columns:`` section of the config: how each input column is read.

Kept apart from ``config`` so that module stays small; ``config`` re-exports ``ColumnRule``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RULE_KEYS = ("aliases", "values", "allowed", "min", "max")


@dataclass(frozen=True)
class ColumnRule:
    """How one input column is read: aliases, value mapping, allowed values and bounds."""

    aliases: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


def parse_columns(raw: Any, fail: Callable[[str], None]) -> tuple[tuple[str, ColumnRule], ...]:
    """Build the column rules, reporting every problem through ``fail``.

    Args:
        raw: The ``columns`` mapping from the YAML file.
        fail: Called with one sentence per problem.

    Returns:
        ``(column, rule)`` pairs sorted by column name.
    """
    if not isinstance(raw, dict):
        fail(f"columns should be a mapping, got {raw!r}")
        return ()
    rules = []
    for name, spec in sorted(raw.items(), key=lambda item: str(item[0])):
        rule = _rule(str(name), spec, fail)
        if rule is not None:
            rules.append((str(name), rule))
    _check_aliases(rules, fail)
    return tuple(rules)


def _rule(name: str, spec: Any, fail: Callable[[str], None]) -> ColumnRule | None:
    where = f"columns.{name}"
    if not isinstance(spec, dict):
        fail(f"{where} should be a mapping")
        return None
    for key in sorted(set(map(str, spec)) - set(RULE_KEYS)):
        fail(f"{where}: unknown setting {key!r} (expected {', '.join(RULE_KEYS)})")
    aliases, values, allowed = (
        spec.get(k, d) for k, d in (("aliases", []), ("values", {}), ("allowed", []))
    )
    if (
        not isinstance(aliases, list)
        or not isinstance(values, dict)
        or not isinstance(allowed, list)
    ):
        fail(f"{where}: aliases and allowed should be lists and values a mapping")
        return None
    for item in [*aliases, *values, *values.values(), *allowed]:
        if isinstance(item, bool):
            fail(f"{where}: YAML reads {item!r} as true/false; put quotes around yes/no/on/off")
    rule = ColumnRule(
        aliases=tuple(map(str, aliases)),
        values=tuple(sorted((str(k), str(v)) for k, v in values.items())),
        allowed=tuple(map(str, allowed)),
        minimum=_bound(where, spec.get("min"), fail),
        maximum=_bound(where, spec.get("max"), fail),
    )
    _check_rule(where, rule, fail)
    return rule


def _bound(where: str, value: Any, fail: Callable[[str], None]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(f"{where}: min and max should be numbers, got {value!r}")
        return None
    return float(value)


def _check_rule(where: str, rule: ColumnRule, fail: Callable[[str], None]) -> None:
    if rule.minimum is not None and rule.maximum is not None and rule.minimum > rule.maximum:
        fail(f"{where}: min {rule.minimum:g} should be <= max {rule.maximum:g}")
    if rule.allowed:
        for source, target in rule.values:
            if target not in rule.allowed:
                fail(f"{where}: values maps {source!r} to {target!r}, which is not in allowed")


def _check_aliases(rules: list[tuple[str, ColumnRule]], fail: Callable[[str], None]) -> None:
    """An alias must point at one column, and not be another configured column's name."""
    owners: dict[str, list[str]] = {}
    for name, rule in rules:
        for alias in rule.aliases:
            owners.setdefault(alias.strip().casefold(), []).append(name)
    for name, _ in rules:
        owners.setdefault(name.strip().casefold(), []).append(name)
    for alias, names in sorted(owners.items()):
        if len(set(names)) > 1:
            fail(f"columns: the name {alias!r} is given for {', '.join(sorted(set(names)))}")
