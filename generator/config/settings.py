"""The one typed, frozen config, read from ``data/segments.yml`` and validated in one place.

Every field and its default is documented in the README ("The config file"). All problems in a
config are reported together, so an analyst fixes them in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# ColumnRule is re-exported: callers know it as generator.config.settings.ColumnRule.
from generator.config.columns import ColumnRule as ColumnRule
from generator.config.columns import parse_columns

# The same for the engine settings (engine, duckdb, spark, data.table, data.sql).
from generator.config.engine import EngineSettings as EngineSettings
from generator.config.engine import parse_engine

# The same for the playbook and the persona overrides.
from generator.config.personas import LEVELS as LEVELS
from generator.config.personas import PersonaOverride as PersonaOverride
from generator.config.personas import PlaybookRule as PlaybookRule
from generator.config.personas import parse_personas, parse_playbook
from generator.errors import ConfigError, collect

SCALINGS = ("standard", "robust", "log")
MISSING = ("error", "drop")
DATA_KEYS = ("path", "table", "sql", "id_column", "delimiter", "missing")
DEFAULT_CONFIG = Path("data/segments.yml")


@dataclass(frozen=True)
class Feature:
    """A numeric column the segments are built on."""

    column: str
    label: str


@dataclass(frozen=True)
class Privacy:
    """What the published site may reveal about individual customers."""

    individual_points: bool = False
    min_group_size: int = 10


@dataclass(frozen=True)
class Config:
    """The whole validated configuration; paths are absolute."""

    path: Path
    title: str
    data_path: Path
    id_column: str
    delimiter: str
    features: tuple[Feature, ...]
    describe: tuple[str, ...]
    k: int | None
    k_min: int
    k_max: int
    random_state: int
    n_init: int
    scaling: str
    sample_size: int
    playbook: tuple[PlaybookRule, ...]
    privacy: Privacy
    columns: tuple[tuple[str, ColumnRule], ...] = ()
    missing: str = "error"
    site_url: str = ""
    value_feature: str = ""
    personas: tuple[tuple[str, PersonaOverride], ...] = ()
    engine: EngineSettings = field(default_factory=EngineSettings)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def feature_columns(self) -> tuple[str, ...]:
        """The clustered columns, in config order."""
        return tuple(f.column for f in self.features)

    def rule_for(self, column: str) -> ColumnRule:
        """The reading rule of ``column`` (an empty rule when the config gives none)."""
        return dict(self.columns).get(column, ColumnRule())

    def analysis_dict(self) -> dict[str, Any]:
        """The settings that change the analysis (used to key caches and locks)."""
        return {
            "features": [f.column for f in self.features],
            "describe": list(self.describe),
            "k": self.k,
            "k_min": self.k_min,
            "k_max": self.k_max,
            "random_state": self.random_state,
            "n_init": self.n_init,
            "scaling": self.scaling,
            "sample_size": self.sample_size,
            # Only named off the default, so local locks and caches keep their hashes.
            **({"engine": self.engine.name} if not self.engine.is_local else {}),
        }


def default_label(column: str) -> str:
    """A short label from a column name: ``Annual Income (k$)`` becomes ``Annual Income``."""
    label = re.sub(r"\s*\([^)]*\)", "", column).strip()
    return label or column


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
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return _Parser(path, raw).parse()


class _Parser:
    """Collects every problem while building the config, then raises them together."""

    KNOWN = frozenset(
        {
            *("title", "data", "features", "describe", "k", "k_min", "k_max", "random_state"),
            *("n_init", "scaling", "sample_size", "playbook", "privacy", "columns", "site_url"),
            "value_feature",
            "personas",
            *("engine", "duckdb", "spark"),
        }
    )

    def __init__(self, path: Path, raw: dict[str, Any]) -> None:
        self.path = path
        self.raw = raw
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def parse(self) -> Config:
        for key in sorted(set(map(str, self.raw)) - self.KNOWN):
            self.fail(f"unknown setting {key!r}")
        data = self._mapping("data")
        for key in sorted(set(map(str, data)) - set(DATA_KEYS)):
            self.fail(f"unknown setting 'data.{key}' (expected {', '.join(DATA_KEYS)})")
        features = self._features()
        labels = {f.label for f in features} | {f.column for f in features}
        engine = parse_engine(self.raw, data, self.fail)
        k_min = self._int("k_min", 2, 2)
        k_max = self._int("k_max", 10, 2)
        if k_max < k_min:
            self.fail(f"k_max={k_max} should be >= k_min={k_min}")
        config = Config(
            path=self.path.resolve(),
            title=self._str(self.raw, "title", "Customer segments"),
            data_path=self._data_path(data, engine),
            id_column=self._str(data, "id_column", "", "data.id_column"),
            delimiter=self._delimiter(data),
            features=features,
            describe=self._describe(features),
            k=self._k(),
            k_min=k_min,
            k_max=k_max,
            random_state=self._int("random_state", 42, 0),
            n_init=self._int("n_init", 10, 10),
            scaling=self._choice("scaling", "standard", SCALINGS),
            sample_size=self._int("sample_size", 20_000, 1_000),
            playbook=parse_playbook(self.raw.get("playbook", []), labels, self.fail),
            privacy=self._privacy(),
            columns=parse_columns(self.raw.get("columns", {}), self.fail),
            missing=self._missing(data),
            site_url=self._str(self.raw, "site_url", ""),
            value_feature=self._value_feature(features),
            personas=parse_personas(self._mapping("personas"), self.fail),
            engine=engine,
            raw=self.raw,
        )
        collect(ConfigError, str(self.path), self.problems)
        return config

    def _data_path(self, data: dict[str, Any], engine: EngineSettings) -> Path:
        """``data.path`` made absolute; the config's folder when a table or query is the source."""
        if engine.table or engine.sql:
            return self.path.parent.resolve()
        return (self.path.parent / self._str(data, "path", "", "data.path")).resolve()

    def _mapping(self, key: str) -> dict[str, Any]:
        value = self.raw.get(key, {})
        if not isinstance(value, dict):
            self.fail(f"{key} should be a mapping, got {value!r}")
            return {}
        return value

    def _str(self, where: dict[str, Any], key: str, default: str, name: str = "") -> str:
        value = where.get(key, default)
        if not isinstance(value, str) or (not value and not default and name):
            self.fail(f"{name or key} should be a non-empty string, got {value!r}")
            return default
        return value

    def _int(self, key: str, default: int, minimum: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(f"{key} should be an integer >= {minimum}, got {value!r}")
            return default
        return value

    def _choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.raw.get(key, default)
        if value not in choices:
            self.fail(f"{key} should be one of {', '.join(choices)}, got {value!r}")
            return default
        return str(value)

    def _delimiter(self, data: dict[str, Any]) -> str:
        value = data.get("delimiter", ",")
        if not isinstance(value, str) or len(value) != 1 or value in '"\r\n':
            self.fail(f"data.delimiter should be one character, got {value!r}")
            return ","
        return value

    def _k(self) -> int | None:
        value = self.raw.get("k", "auto")
        if value == "auto":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            self.fail(f"k should be 'auto' or an integer >= 2, got {value!r}")
            return None
        return value

    def _features(self) -> tuple[Feature, ...]:
        raw = self.raw.get("features")
        if not isinstance(raw, list) or not 1 <= len(raw) <= 20:
            self.fail(f"features should be a list of 1 to 20 numeric columns, got {raw!r}")
            return ()
        features = []
        for item in raw:
            if isinstance(item, str) and item:
                features.append(Feature(item, default_label(item)))
            elif isinstance(item, dict) and isinstance(item.get("column"), str):
                label = item.get("label", default_label(item["column"]))
                features.append(Feature(item["column"], str(label)))
            else:
                self.fail(f"features entry should be a column name or {{column, label}}: {item!r}")
        for kind in ("column", "label"):
            names = [getattr(f, kind) for f in features]
            for name in sorted({n for n in names if names.count(n) > 1}):
                self.fail(f"features has the {kind} {name!r} twice")
        return tuple(features)

    def _value_feature(self, features: tuple[Feature, ...]) -> str:
        """The feature whose high values make a segment "most valuable" (default: the last)."""
        default = features[-1].column if features else ""
        value = self.raw.get("value_feature", default)
        by_label = {f.label: f.column for f in features}
        if value in by_label:
            return by_label[value]
        if features and value not in {f.column for f in features}:
            self.fail(f"value_feature should name a feature, got {value!r}")
            return default
        return str(value)

    def _describe(self, features: tuple[Feature, ...]) -> tuple[str, ...]:
        raw = self.raw.get("describe", [])
        if not isinstance(raw, list) or not all(isinstance(c, str) and c for c in raw):
            self.fail(f"describe should be a list of column names, got {raw!r}")
            return ()
        clash = sorted(set(raw) & {f.column for f in features})
        if clash:
            self.fail(f"describe repeats feature columns {clash}")
        return tuple(raw)

    def _privacy(self) -> Privacy:
        raw = self._mapping("privacy")
        points = raw.get("individual_points", False)
        size = raw.get("min_group_size", 10)
        if not isinstance(points, bool):
            self.fail(f"privacy.individual_points should be true or false, got {points!r}")
            points = False
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            self.fail(f"privacy.min_group_size should be an integer >= 1, got {size!r}")
            size = 10
        return Privacy(points, size)

    def _missing(self, data: dict[str, Any]) -> str:
        value = data.get("missing", "error")
        if value not in MISSING:
            self.fail(f"data.missing should be one of {', '.join(MISSING)}, got {value!r}")
            return "error"
        return str(value)
