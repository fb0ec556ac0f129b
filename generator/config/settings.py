"""The one typed, frozen config, read from ``data/segments.yml`` and validated in one place.

Every setting is declared once, in ``config.schema``: its default, its check and the words of the
README's table. All problems in a config are reported together, so an analyst fixes them in one
pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.config.checks import Context

# ColumnRule is re-exported: callers know it as generator.config.settings.ColumnRule.
from generator.config.columns import ColumnRule as ColumnRule

# The same for the engine settings (engine, duckdb, spark, data.table, data.sql).
from generator.config.engine import ENGINE_KEYS, engine_settings
from generator.config.engine import EngineSettings as EngineSettings
from generator.config.features import Feature as Feature
from generator.config.features import default_label as default_label
from generator.config.features import readable_label as readable_label

# The same for the playbook and the persona overrides.
from generator.config.outcomes import Outcome as Outcome
from generator.config.personas import LEVELS as LEVELS
from generator.config.personas import PersonaOverride as PersonaOverride
from generator.config.personas import PlaybookRule as PlaybookRule
from generator.config.schema import SETTINGS, Missing, Scaling
from generator.config.sources import RFM_LABELS
from generator.config.sources import ROW_ID as ROW_ID
from generator.config.sources import TextLayout as TextLayout
from generator.config.sources import Transactions as Transactions
from generator.config.untrusted import read_yaml
from generator.config.value import Value as Value
from generator.config.value import value_of
from generator.errors import ConfigError, collect

DEFAULT_CONFIG = Path("data/segments.yml")
# The table of settings (``config.schema``) seen by section and key.
SECTIONS = tuple(sorted({s.key.split(".")[0] for s in SETTINGS if "." in s.key}))
DEFAULTS: Mapping[str, Any] = {s.key: s.default for s in SETTINGS}


@dataclass(frozen=True)
class Privacy:
    """What the published site may reveal about individual customers."""

    individual_points: bool = DEFAULTS["privacy.individual_points"]
    min_group_size: int = DEFAULTS["privacy.min_group_size"]


@dataclass(frozen=True)
class Config:
    """The whole validated configuration; paths are absolute. Defaults: ``config.schema``."""

    path: Path
    data_path: Path
    id_column: str
    features: tuple[Feature, ...]
    title: str = DEFAULTS["title"]
    delimiter: str = DEFAULTS["data.delimiter"]
    missing: Missing = DEFAULTS["data.missing"]
    describe: tuple[str, ...] = DEFAULTS["describe"]
    outcomes: tuple[Outcome, ...] = DEFAULTS["outcomes"]
    labels: tuple[tuple[str, str], ...] = DEFAULTS["labels"]
    k: int | None = DEFAULTS["k"]
    k_min: int = DEFAULTS["k_min"]
    k_max: int = DEFAULTS["k_max"]
    random_state: int = DEFAULTS["random_state"]
    n_init: int = DEFAULTS["n_init"]
    scaling: Scaling = DEFAULTS["scaling"]
    sample_size: int = DEFAULTS["sample_size"]
    value: Value = field(default_factory=Value)
    map_axes: tuple[str, str] | None = DEFAULTS["map"]
    columns: tuple[tuple[str, ColumnRule], ...] = DEFAULTS["columns"]
    playbook: tuple[PlaybookRule, ...] = DEFAULTS["playbook"]
    personas: tuple[tuple[str, PersonaOverride], ...] = DEFAULTS["personas"]
    privacy: Privacy = field(default_factory=Privacy)
    site_url: str = DEFAULTS["site_url"]
    engine: EngineSettings = field(default_factory=EngineSettings)
    # How the file becomes one row per customer (config.sources).
    transactions: Transactions | None = DEFAULTS["data.transactions"]
    number_rows: bool = DEFAULTS["data.number_rows"]
    header: bool = DEFAULTS["data.header"]
    column_names: tuple[str, ...] = DEFAULTS["data.columns"]
    since: tuple[tuple[str, str], ...] = DEFAULTS["data.since"]
    as_of: dt.date | None = DEFAULTS["data.as_of"]

    @property
    def layout(self) -> TextLayout:
        """How a text file is laid out: a header line, or the configured column names."""
        return TextLayout(self.header, self.column_names)

    @property
    def feature_columns(self) -> tuple[str, ...]:
        """The clustered columns, in config order."""
        return tuple(f.column for f in self.features)

    @property
    def outcome_columns(self) -> tuple[str, ...]:
        """The outcome columns, in config order."""
        return tuple(o.column for o in self.outcomes)

    @property
    def profiled(self) -> tuple[str, ...]:
        """The columns read besides the ID and the features: describe, then outcome columns.

        Both may have gaps; neither is clustered on.
        """
        return (*self.describe, *self.outcome_columns)

    @property
    def column_labels(self) -> dict[str, str]:
        """How the pages name each column.

        Features by their label, the columns a log makes by theirs (``Order Value``), describe
        and outcome columns by ``labels`` or else readably (``SeniorCitizen`` is ``Senior
        citizen``; a date counted in days since is ``Days since Order Date``).
        """
        made = self.transactions.made if self.transactions else ()
        named = {c: RFM_LABELS[c] for c in made}
        named.update((c, _profiled_label(c, dict(self.since))) for c in self.profiled)
        if len(set(named.values())) < len(named):  # two columns, one label: keep the names
            named = {c: RFM_LABELS.get(c, c) for c in named}
        return {**named, **dict(self.labels), **{f.column: f.label for f in self.features}}

    def rule_for(self, column: str) -> ColumnRule:
        """The reading rule of ``column`` (an empty rule when the config gives none)."""
        return dict(self.columns).get(column, ColumnRule())

    def analysis_dict(self) -> dict[str, Any]:
        """The settings that change the analysis (used to key caches and locks)."""
        values = {s.key: getattr(self, s.attribute) for s in SETTINGS if s.analysis}
        values["features"] = [f.column for f in self.features]
        values["describe"] = list(self.describe)
        if not self.engine.is_local:  # named only then, so local locks keep their hashes
            values["engine"] = self.engine.name
        made = (self.transactions, self.number_rows, self.since, self.as_of)
        if any(made):  # only when set, so other tables' locks keep their hash
            values["shape"] = repr(made)
        return values


def _profiled_label(column: str, since: dict[str, str]) -> str:
    """A profiled column's label when the config gives none: readable, its unit said."""
    label = readable_label(column, units=False)
    if column in since:  # a date or year counted to the latest date: never the date's name
        birth = since[column] == "years" and "birth" in column.casefold()
        return "Age" if birth else f"{since[column].capitalize()} since {label}"
    return label


def load_config(path: Path = DEFAULT_CONFIG) -> Config:
    """Read and validate a config file.

    Args:
        path: The YAML file.

    Returns:
        The validated config.

    Raises:
        ConfigError: When the file is missing, not YAML, or has invalid fields (all listed).
    """
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found (pass --config PATH)")
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return parse(path, raw)


def parse(path: Path, raw: dict[str, Any]) -> Config:
    """Check every setting of ``SETTINGS`` in ``raw``, then raise all problems together."""
    problems: list[str] = []
    context = Context(path.parent, {}, problems.append)
    _unknown_keys(raw, context)
    sections = {name: _section(raw, name, context) for name in SECTIONS}
    for setting in SETTINGS:
        section, _, key = setting.key.rpartition(".")
        where = sections[section] if section else raw
        value = setting.check(where.get(key, setting.missing_value), setting.key, context)
        context.parsed[setting.key] = setting.default if value is None else value
    values = context.parsed
    if values["k_max"] < values["k_min"]:
        problems.append(f"k_max={values['k_max']} should be >= k_min={values['k_min']}")
    engine = engine_settings(values, sections["data"], context.fail)
    collect(ConfigError, str(path), problems)
    privacy = Privacy(
        **{s.attribute: values[s.key] for s in SETTINGS if s.key.startswith("privacy.")}
    )
    # Sections with a value type of their own, and the older spelling folded into one.
    grouped = ("privacy.", "value.", "value_feature", *ENGINE_KEYS)
    fields = {s.attribute: values[s.key] for s in SETTINGS if not s.key.startswith(grouped)}
    value = value_of(values)
    return Config(path=path.resolve(), privacy=privacy, value=value, engine=engine, **fields)


def _unknown_keys(raw: dict[str, Any], context: Context) -> None:
    known = {s.key.split(".")[0] for s in SETTINGS}
    for key in sorted(set(map(str, raw)) - known):
        context.fail(f"unknown setting {key!r}")


def _section(raw: dict[str, Any], name: str, context: Context) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        context.fail(f"{name} should be a mapping, got {value!r}")
        return {}
    allowed = keys_of(name)
    for key in sorted(set(map(str, value)) - set(allowed)):
        context.fail(f"unknown setting '{name}.{key}' (expected {', '.join(allowed)})")
    return value


def keys_of(section: str) -> tuple[str, ...]:
    """The keys a section may hold (``data`` -> ``path``, ``id_column``, ...)."""
    return tuple(s.key.split(".", 1)[1] for s in SETTINGS if s.key.startswith(section + "."))


def settings_table() -> str:
    """The README's settings table, in Markdown."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        shown = s.shown or f"`{_yaml(s.default)}`"
        rows.append(f"| `{s.key}` | {shown} | {s.meaning} |")
    return "\n".join(rows) + "\n"


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
