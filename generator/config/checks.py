"""The checks of ``config.schema``: each turns a YAML value into a setting's typed value.

A ``Setting`` declares one setting of the schema's table: its key, default, check and words.

A check reports problems through ``Context.fail`` and returns None (the setting's default then),
so that every problem of a file is found in one pass.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.config.columns import parse_columns
from generator.config.features import Feature, parse_features
from generator.config.mapaxes import map_columns
from generator.config.outcomes import parse_outcomes
from generator.config.personas import parse_personas, parse_playbook
from generator.config.sources import WHITESPACE
from generator.config.value import value_column


@dataclass
class Context:
    """What a check may use: where the file is, the values parsed so far, and ``fail``."""

    folder: Path
    parsed: dict[str, Any]
    fail: Callable[[str], None]


Check = Callable[[Any, str, Context], Any]


@dataclass(frozen=True)
class Setting:
    """One setting: ``key`` (dotted for sections), its check and the words the README shows."""

    key: str
    default: Any
    check: Check
    meaning: str
    shown: str = ""
    absent: Any = field(default=None)
    analysis: bool = False  # part of the analysis: changing it changes the segments
    name: str = ""  # the Config attribute, when not the key's own name (``map``: ``map_axes``)

    @property
    def attribute(self) -> str:
        """The ``Config`` attribute (``data.path`` is ``data_path``, ``privacy.x`` is ``x``)."""
        section, _, name = self.key.rpartition(".")
        if self.name:
            return self.name
        renamed = {"data.path": "data_path", "data.columns": "column_names"}
        return renamed.get(self.key, name if section else self.key)

    @property
    def missing_value(self) -> Any:
        """What the check gets when the key is absent from the file."""
        return self.default if self.absent is None else self.absent


def text(required: bool = False) -> Check:
    """A string; a required one must not be empty."""

    def check(value: Any, key: str, ctx: Context) -> str:
        if not isinstance(value, str) or (required and not value):
            ctx.fail(f"{key} should be a non-empty string, got {value!r}")
            return ""
        return value

    return check


def optional_text(valid: Callable[[str], bool], expected: str) -> Check:
    """A string that ``valid`` accepts once stripped, or "" when the key is absent."""

    def check(value: Any, key: str, ctx: Context) -> str:
        if value == "":
            return ""
        if not isinstance(value, str) or not valid(value.strip()):
            ctx.fail(f"{key} should be {expected}, got {value!r}")
            return ""
        return value.strip()

    return check


def integer(minimum: int, maximum: int = 10**9) -> Check:
    """An integer from ``minimum`` to ``maximum`` (``true`` is not an integer here).

    The upper bound keeps numpy and scikit-learn from overflowing (a seed must fit 32 bits).
    """

    def check(value: Any, key: str, ctx: Context) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            ctx.fail(f"{key} should be an integer >= {minimum}, got {value!r}")
            return None
        if value > maximum:
            ctx.fail(f"{key} should be an integer <= {maximum}, got {value!r}")
            return None
        return value

    return check


def one_of(choices: tuple[str, ...]) -> Check:
    """One of a few words."""

    def check(value: Any, key: str, ctx: Context) -> str | None:
        if value not in choices:
            ctx.fail(f"{key} should be one of {', '.join(choices)}, got {value!r}")
            return None
        return str(value)

    return check


def boolean(value: Any, key: str, ctx: Context) -> bool | None:
    """``true`` or ``false``."""
    if not isinstance(value, bool):
        ctx.fail(f"{key} should be true or false, got {value!r}")
        return None
    return value


def table_path(value: Any, key: str, ctx: Context) -> Path | None:
    """The customer table, relative to the config file's folder.

    Not needed when an engine reads a catalog table or a query (``data.table``, ``data.sql``);
    the config's folder stands in for it then.
    """
    if value == "" and (ctx.parsed.get("data.table") or ctx.parsed.get("data.sql")):
        return ctx.folder.resolve()
    name = text(required=True)(value, key, ctx)
    # Absolute, but a symbolic link is kept: pages name the file as the config does, never the
    # name of the file it points at (an export's name may say more than the project should).
    return Path(os.path.abspath(ctx.folder / name)) if name else None


def delimiter(value: Any, key: str, ctx: Context) -> str | None:
    """One character that is not a quote or a line break, or ``whitespace``."""
    if value == WHITESPACE:
        return WHITESPACE
    if not isinstance(value, str) or len(value) != 1 or value in '"\r\n':
        ctx.fail(f"{key} should be one character or {WHITESPACE!r}, got {value!r}")
        return None
    return value


def k_choice(value: Any, key: str, ctx: Context) -> int | None:
    """``auto`` (None) or a fixed number of segments."""
    if value == "auto":
        return None
    fits = isinstance(value, int) and not isinstance(value, bool) and 2 <= value <= 10**6
    if not fits:
        ctx.fail(f"{key} should be 'auto' or an integer from 2 to 1000000, got {value!r}")
    return value if fits else None


def features(value: Any, key: str, ctx: Context) -> tuple[Feature, ...]:
    """The clustered columns (names or ``{column, label, words}``)."""
    return parse_features(value, ctx.fail, ctx.parsed["data.transactions"])


def describe(value: Any, key: str, ctx: Context) -> tuple[str, ...]:
    """Profiled, not clustered columns; none of them a feature."""
    if not isinstance(value, list) or not all(isinstance(c, str) and c for c in value):
        ctx.fail(f"{key} should be a list of column names, got {value!r}")
        return ()
    clash = sorted(set(value) & {f.column for f in ctx.parsed["features"]})
    if clash:
        ctx.fail(f"{key} repeats feature columns {clash}")
    return tuple(value)


def outcomes(value: Any, key: str, ctx: Context) -> Any:
    """Outcome columns and their positive values; none of them a feature or a describe column."""
    taken = (ctx.parsed["features"], ctx.parsed["describe"])
    return parse_outcomes(value, key, taken, ctx.fail)


def labels(value: Any, key: str, ctx: Context) -> tuple[tuple[str, str], ...]:
    """Labels of describe and outcome columns (a feature's is in ``features``)."""
    if not isinstance(value, dict) or not all(
        isinstance(c, str) and isinstance(t, str) and t.strip() for c, t in value.items()
    ):
        ctx.fail(f"{key} should map column names to labels, got {value!r}")
        return ()
    named = {*ctx.parsed["describe"], *(o.column for o in ctx.parsed["outcomes"])}
    for column in sorted(set(value) - named):
        ctx.fail(f"{key}: {column!r} is not a describe or outcome column")
    return tuple(sorted((c, t.strip()) for c, t in value.items()))


def value_feature(value: Any, key: str, ctx: Context) -> str:
    """A feature (by column or label), or "" for none."""
    return value_column(value, key, ctx.parsed["features"], ctx.fail)


def map_axes(value: Any, key: str, ctx: Context) -> tuple[str, str] | None:
    """Two features (by column or label) for the segment map, or None for the default."""
    return map_columns(value, key, ctx.parsed["features"], ctx.fail)


def playbook(value: Any, key: str, ctx: Context) -> Any:
    """Rules naming feature labels or columns."""
    chosen: tuple[Feature, ...] = ctx.parsed["features"]
    names = {f.label for f in chosen} | {f.column for f in chosen}
    return parse_playbook(value, names, ctx.fail)


def columns(value: Any, key: str, ctx: Context) -> Any:
    """Per-column reading rules."""
    return parse_columns(value, ctx.fail)


def personas(value: Any, key: str, ctx: Context) -> Any:
    """Persona overrides by slug."""
    if not isinstance(value, dict):
        ctx.fail(f"{key} should be a mapping, got {value!r}")
        return ()
    return parse_personas(value, ctx.fail)
