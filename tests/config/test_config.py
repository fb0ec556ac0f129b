from pathlib import Path

import pytest

from generator.config.settings import default_label, load_config
from generator.errors import ConfigError
from tests.conftest import MALL_CONFIG, write_config


def test_mall_config_loads_with_defaults() -> None:
    config = load_config(MALL_CONFIG)
    assert config.feature_columns == ("Annual Income (k$)", "Spending Score (1-100)")
    assert [f.label for f in config.features] == ["Income", "Spending"]
    assert config.describe == ("Age", "Gender")
    assert (config.k, config.k_min, config.k_max) == (None, 2, 10)
    assert config.scaling == "standard"
    assert (config.delimiter, config.missing) == (",", "error")
    assert dict(config.columns)["Gender"].aliases == ("Genre",)
    assert config.data_path == (MALL_CONFIG.parent / "mall_customers.csv").resolve()
    assert len(config.playbook) == 6


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        "data: {path: x.csv}\nfeatures: [a, a]\nk: 1\nscaling: cubic\n"
        "k_min: 5\nk_max: 3\ncolour: red\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.details == (
        "unknown setting 'colour'",
        "data.id_column should be a non-empty string, got ''",
        "features has the column 'a' twice",
        "features has the label 'a' twice",
        "k should be 'auto' or an integer from 2 to 1000000, got 1",
        "scaling should be one of standard, robust, log, got 'cubic'",
        "k_max=3 should be >= k_min=5",
    )
    assert str(info.value).startswith(f"{path}: 7 problems: unknown setting 'colour'; ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "expected a mapping of settings at the top level"),
        ("a: [1,\n", "not valid YAML at line 2, column 1"),
        ("k: 3\ntitle: x\nk: 4\n", "the key 'k' appears twice in one mapping at line 3, column 1"),
        (
            "a: &a [x, x]\nb: &b [*a, *a]\nk: [*b, *b]\n",
            "aliases (*name) are not allowed at line 2, column 8",
        ),
        ("k: " + "[" * 30 + "]" * 30 + "\n", "nested deeper than 20 levels at line 1, column 23"),
        ("k: !!python/name:os.system x\n", "not valid YAML at line 1, column 4"),
        (
            "data: {path: t.csv, id_column: id}\nfeatures: [x]\nplaybook:\n  - when: {y: Top}\n"
            "    actions: [Go.]\n",
            "2 problems: playbook rule 1: 'y' is not a feature label or column; "
            "playbook rule 1: level 'Top' should be one of None, Low, Mixed, Medium, High",
        ),
        (
            "data: {path: t.csv, id_column: id}\nfeatures: [x]\nn_init: 3\n",
            "1 problem: n_init should be an integer >= 10, got 3",
        ),
    ],
)
def test_config_errors_name_the_file_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: {message}"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "none.yml")


@pytest.mark.parametrize(
    ("column", "label"),
    [
        ("Annual Income (k$)", "Annual Income"),
        ("Spending Score (1-100)", "Spending Score"),
        ("age", "age"),
        ("(x)", "(x)"),
    ],
)
def test_default_label(column: str, label: str) -> None:
    assert default_label(column) == label


def test_config_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = write_config(tmp_path, "title: x\n" + "#" * 1_000_000 + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: 1,000,010 bytes, more than the 1,000,000 a config may have"
