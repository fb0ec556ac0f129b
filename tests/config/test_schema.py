"""Each setting is declared once: the parser, Config's defaults and the README come from it."""

import dataclasses
from pathlib import Path

import pytest

from generator.config.engine import ENGINE_KEYS, EngineSettings
from generator.config.schema import SETTINGS, settings_table
from generator.config.settings import Config, Privacy, load_config
from generator.errors import ConfigError
from tests.conftest import ROOT, write_config

MINIMAL = "data: {path: t.csv, id_column: id}\nfeatures: [x]\n"


def test_the_readme_shows_the_declared_settings_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, (
        "README.md's settings table differs from generator/config/schema.py; paste the output "
        "of `python -c 'from generator.config.schema import settings_table as t; print(t())'`"
    )


def test_every_setting_is_a_config_field_and_its_default_applies(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, MINIMAL))
    fields = {f.name for f in dataclasses.fields(Config)} | {
        f.name for f in dataclasses.fields(Privacy)
    }
    for setting in SETTINGS:
        if setting.key in ENGINE_KEYS:  # gathered into Config.engine, checked below
            continue
        assert setting.attribute in fields, setting.key
        holder = config.privacy if setting.key.startswith("privacy.") else config
        if setting.key not in {"data.path", "data.id_column", "features", "value_feature"}:
            assert getattr(holder, setting.attribute) == setting.default, setting.key
    assert config.value_feature == "x"
    assert config.engine == EngineSettings()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "privacy: {min_group: 5}\n",
            "unknown setting 'privacy.min_group' (expected individual_points, min_group_size)",
        ),
        (
            "data: {path: t.csv, id_column: id, sep: ';'}\n",
            "unknown setting 'data.sep' "
            "(expected table, sql, path, id_column, delimiter, missing)",
        ),
        ("privacy: true\n", "privacy should be a mapping, got True"),
        ("personas: [a]\n", "personas should be a mapping, got ['a']"),
    ],
)
def test_sections_accept_only_declared_keys(tmp_path: Path, text: str, problem: str) -> None:
    body = MINIMAL if text.startswith(("privacy", "personas")) else "features: [x]\n"
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, body + text))
    assert problem in info.value.details
