"""Each setting is declared once: the parser, Config's defaults and the README come from it."""

import dataclasses
from pathlib import Path

import pytest

from generator.config.engine import ENGINE_KEYS, EngineSettings
from generator.config.schema import SETTINGS
from generator.config.settings import Config, Privacy, Value, load_config, settings_table
from generator.errors import ConfigError
from tests.conftest import ROOT, write_config

MINIMAL = "data: {path: t.csv, id_column: id}\nfeatures: [x]\n"


def test_the_readme_shows_the_declared_settings_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, (
        "README.md's settings table differs from generator/config/schema.py; paste the output "
        "of `python -c 'from generator.config.settings import settings_table as t; print(t())'`"
    )


def test_every_setting_is_a_config_field_and_its_default_applies(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, MINIMAL))
    fields = {f.name for f in dataclasses.fields(Config)} | {
        f.name for f in dataclasses.fields(Privacy)
    }
    for setting in SETTINGS:
        if setting.key in ENGINE_KEYS:  # gathered into Config.engine, checked below
            continue
        if setting.key.startswith("value"):  # one Value: see the test below
            continue
        assert setting.attribute in fields, setting.key
        holder = config.privacy if setting.key.startswith("privacy.") else config
        if setting.key not in {"data.path", "data.id_column", "features"}:
            assert getattr(holder, setting.attribute) == setting.default, setting.key
    assert config.engine == EngineSettings()
    assert config.value == Value() and config.map_axes is None  # nothing is "most valuable"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("value: {feature: x, better: lower, additive: true}\n", Value("x", "lower", True)),
        ("value_feature: x\n", Value("x")),  # the older spelling
    ],
)
def test_value_has_a_feature_and_a_direction(tmp_path: Path, text: str, value: Value) -> None:
    assert load_config(write_config(tmp_path, MINIMAL + text)).value == value


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("value: {feature: y}\n", "value.feature should name a feature, got 'y'"),
        ("value: {better: up}\n", "value.better should be one of higher, lower, got 'up'"),
        ("value: {additive: 1}\n", "value.additive should be true or false, got 1"),
        (
            "map: [x, x]\n",
            "map should be a list of two different features (columns or labels), got ['x', 'x']",
        ),
    ],
)
def test_value_and_map_problems_name_the_setting(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, MINIMAL + text))
    assert problem in info.value.details


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "privacy: {min_group: 5}\n",
            "unknown setting 'privacy.min_group' (expected individual_points, min_group_size)",
        ),
        (
            "data: {path: t.csv, id_column: id, sep: ';'}\n",
            "unknown setting 'data.sep' (expected table, sql, path, transactions, number_rows, "
            "id_column, delimiter, header, columns, since, as_of, missing)",
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
