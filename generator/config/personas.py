"""The ``playbook:`` and ``personas:`` sections of the config: the words each segment gets.

Kept apart from ``config`` so that module stays small; ``config`` re-exports the types.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# "None": most of the segment is at 0 on a column where zeros are common; "Mixed": its mean and
# median disagree (analysis/levels.py). Segments sort by the index of their levels here.
LEVELS = ("None", "Low", "Mixed", "Medium", "High")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
OVERRIDE_KEYS = ("name", "description", "actions")


@dataclass(frozen=True)
class PlaybookRule:
    """Recommended actions for segments whose levels match ``when`` (feature label to level)."""

    when: tuple[tuple[str, str], ...]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class PersonaOverride:
    """What the config says about one segment (by slug); None keeps the generated text."""

    name: str | None = None
    description: str | None = None
    actions: tuple[str, ...] | None = None


def parse_playbook(
    raw: Any, labels: set[str], fail: Callable[[str], None]
) -> tuple[PlaybookRule, ...]:
    """The playbook rules, reporting every problem through ``fail``.

    Args:
        raw: The ``playbook`` list from the YAML file.
        labels: The feature labels and columns a rule may name.
        fail: Called with one sentence per problem.
    """
    if not isinstance(raw, list):
        fail("playbook should be a list of {when, actions} rules")
        return ()
    rules = []
    for number, item in enumerate(raw, start=1):
        where = f"playbook rule {number}"
        when = item.get("when", {}) if isinstance(item, dict) else None
        actions = item.get("actions") if isinstance(item, dict) else None
        if not isinstance(when, dict):
            fail(f"{where}: 'when' should map feature labels to Low/Medium/High")
            continue
        for key, level in when.items():
            if key not in labels:
                fail(f"{where}: {key!r} is not a feature label or column")
            if level not in LEVELS:
                fail(f"{where}: level {level!r} should be one of None, Low, Mixed, Medium, High")
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            fail(f"{where}: 'actions' should be a list of sentences")
            continue
        pairs = tuple(sorted((str(k), str(v)) for k, v in when.items()))
        rules.append(PlaybookRule(pairs, tuple(actions)))
    return tuple(rules)


def parse_personas(
    raw: dict[str, Any], fail: Callable[[str], None]
) -> tuple[tuple[str, PersonaOverride], ...]:
    """The persona overrides as ``(slug, override)`` pairs sorted by slug (problems to ``fail``)."""
    found = []
    for slug, spec in sorted(raw.items(), key=lambda kv: str(kv[0])):
        where = f"personas.{slug}"
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):
            fail(f"{where}: the key should be a segment slug (a-z, 0-9 and -)")
        if not isinstance(spec, dict) or not spec:
            fail(f"{where} should map name, description and/or actions to text")
            continue
        for key in sorted(set(map(str, spec)) - set(OVERRIDE_KEYS)):
            fail(f"{where}: unknown setting {key!r} (expected name, description, actions)")
        found.append((str(slug), _override(where, spec, fail)))
    names = [o.name for _, o in found if o.name is not None]
    for name in sorted({n for n in names if names.count(n) > 1}):
        fail(f"personas: the name {name!r} is given to two segments")
    return tuple(found)


def _override(where: str, spec: dict[str, Any], fail: Callable[[str], None]) -> PersonaOverride:
    texts: dict[str, str | None] = {}
    for key in ("name", "description"):
        value = spec.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            fail(f"{where}.{key} should be non-empty text, got {value!r}")
            value = None
        texts[key] = value.strip() if isinstance(value, str) else None
    actions = spec.get("actions")
    if actions is not None and (
        not isinstance(actions, list) or not all(isinstance(a, str) and a for a in actions)
    ):
        fail(f"{where}.actions should be a list of sentences, got {actions!r}")
        actions = None
    return PersonaOverride(
        texts["name"], texts["description"], None if actions is None else tuple(actions)
    )
