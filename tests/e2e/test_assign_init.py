import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.analysis.run import run_analysis
from generator.commands import init, init_yaml
from generator.commands.assign import nearest_segment
from generator.commands.init import inspect, looks_like_id
from generator.config.settings import load_config
from generator.errors import DataError
from generator.release.lockfile import lock_from, lock_json
from generator.release.sidecar import segment_numbers
from tests.conftest import INCOME, SPENDING, blobs, mall_frame, run_cli, write_mall


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A Mall project with a lock file, as `segments build` leaves it."""
    folder = tmp_path_factory.mktemp("mall")
    config_path = write_mall(folder, mall_frame())
    config = load_config(config_path)
    analysis = run_analysis(config)
    (folder / "segments.lock.json").write_text(lock_json(lock_from(analysis, config)))
    return config_path, analysis


def test_assign_reproduces_the_builds_labels(built, tmp_path: Path) -> None:
    config_path, analysis = built
    out = tmp_path / "scored.csv"
    result = run_cli(
        "assign", str(config_path.parent / "mall_customers.csv"), "--out", str(out),
        "--config", str(config_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{out}: 200 customers scored with the locked segments\n"
    scored = pd.read_csv(out)
    assert list(scored.columns) == ["CustomerID", "segment", "slug", "name"]
    assert scored["CustomerID"].tolist() == analysis.table.frame["CustomerID"].tolist()
    assert np.array_equal(scored["segment"].to_numpy(), segment_numbers(analysis))
    first = analysis.profiles[0]
    assert set(scored.loc[scored["segment"] == 1, "slug"]) == {first.slug}
    assert set(scored.loc[scored["segment"] == 1, "name"]) == {first.name}


def test_assign_needs_only_the_id_and_features(built, tmp_path: Path) -> None:
    config_path, _ = built
    new = pd.DataFrame(
        {"CustomerID": ["9001", "9002", "9003"], INCOME: [120, 20, 60], SPENDING: [90, 10, 50]}
    )
    new.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "scored.csv"
    result = run_cli(
        "assign", str(tmp_path / "new.csv"), "--out", str(out), "--config", str(config_path)
    )
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(out)["slug"].tolist() == [
        "high-income-high-spending",
        "low-income-low-spending",
        "medium-income-medium-spending",
    ]


def test_assign_validates_like_the_build(built, tmp_path: Path) -> None:
    config_path, _ = built
    (tmp_path / "new.csv").write_text(f"CustomerID,{INCOME},{SPENDING}\n1,10,50\n2,20,500\n")
    result = run_cli(
        "assign", str(tmp_path / "new.csv"), "--out", str(tmp_path / "s.csv"),
        "--config", str(config_path),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {tmp_path / 'new.csv'}: 1 problem: line 3, column 'Spending Score (1-100)': "
        "value 500 is not a number <= 100\n"
    )
    assert not (tmp_path / "s.csv").exists()


def test_assign_without_a_lock_says_what_to_do(tmp_path: Path) -> None:
    config_path = write_mall(tmp_path, mall_frame())
    result = run_cli(
        "assign", str(tmp_path / "mall_customers.csv"), "--out", str(tmp_path / "s.csv"),
        "--config", str(config_path),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {tmp_path / 'segments.lock.json'}: no segments lock file; build the site first "
        "(segments build) so there is a published model to score customers with\n"
    )


def test_nearest_segment_works_in_chunks(built, monkeypatch) -> None:
    config_path, analysis = built
    lock = lock_from(analysis, load_config(config_path))
    monkeypatch.setattr("generator.commands.assign.CHUNK_CELLS", 30)
    index = nearest_segment(lock, analysis.table.feature_matrix())
    assert np.array_equal(index, analysis.segmentation.labels)


def other_schema(seed: int = 11) -> pd.DataFrame:
    """A shop table: semicolons, a skewed spend, a name column, gaps and a constant."""
    x = blobs([70, 50, 40], [[5, 2, 30], [25, 8, 5], [12, 20, 60]], seed=seed, spread=2.0)
    rng = np.random.default_rng(seed)
    n = len(x)
    return pd.DataFrame(
        {
            "full name": [f"Person {i}" for i in range(n)],
            "Client No": [f"K-{i:05d}" for i in range(n)],
            "orders": np.abs(x[:, 0]).round(0),
            "spend (EUR)": np.round(np.exp(x[:, 1] / 5) * 10, 2),
            "days since last visit": np.abs(x[:, 2]).round(0),
            "store_id": rng.integers(1, 4, size=n),
            "channel": rng.choice(["web", "shop"], size=n),
            "email": [f"p{i}@example.com" if i % 7 else "" for i in range(n)],
            "country": "NL",
        }
    )


def test_init_writes_a_config_that_analyze_accepts(tmp_path: Path) -> None:
    other_schema().to_csv(tmp_path / "shop.csv", sep=";", index=False)
    config_path = tmp_path / "conf" / "segments.yml"
    result = run_cli("init", str(tmp_path / "shop.csv"), "--out", str(config_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"{config_path}: starter config for shop.csv (ID 'Client No', 3 features, scaling log); "
        f"next: segments analyze --config {config_path}\n"
        "Found a customer table: 160 rows, one per customer (Client No); features Orders, Spend, "
        "Days since\nlast visit; left out as personal data: full name, email.\n"
    )
    text = config_path.read_text()
    assert '  path: "../shop.csv"  # relative to this file' in text
    assert '  delimiter: ";"' in text
    assert "# Left out as personal data (never profiled or published" in text
    assert "#   full name: names\n#   email: e-mail addresses\n" in text
    assert "#   country: the same value on every row" in text
    assert "# 'spend (EUR)' is strongly right-skewed" in text
    assert '    label: "Spend"  # an amount of money\n' in text
    assert 'labels:  # how the pages name the columns above\n  "store_id": "Store ID"\n' in text
    config = load_config(config_path)
    assert config.feature_columns == ("orders", "spend (EUR)", "days since last visit")
    assert config.describe == ("store_id", "channel")
    analyzed = run_cli("analyze", "--json", "--config", str(config_path))
    assert analyzed.returncode == 0, analyzed.stderr
    assert json.loads(analyzed.stdout)["n_customers"] == 160


def test_init_writes_any_column_name_so_the_config_reads_it_back(tmp_path: Path) -> None:
    """Quotes, a colon, a hash, a line break and tabs in names: every line stays YAML."""
    rng = np.random.default_rng(4)
    spend, visits = 'Total "spend"\nQ1: net #2', "visits  per\tweek"
    frame = pd.DataFrame(
        {
            "id": range(200),
            spend: rng.lognormal(3, 1, 200).round(2),
            visits: rng.integers(1, 30, 200),
        }
    )
    frame.to_csv(tmp_path / "shop.csv", index=False)
    _, text = init.starter_config(tmp_path / "shop.csv", tmp_path / "segments.yml")
    (tmp_path / "segments.yml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "segments.yml")
    assert config.feature_columns == (spend, visits)
    assert (config.value.feature, config.value.additive) == (spend, True)
    assert '  # the most valuable: higher Total "spend" Q1: net #2\n' in text
    label = config.features[0].label  # the name with its line break as a space
    assert label == 'Total "spend" Q1: net #2'
    assert [dict(rule.when) for rule in config.playbook][:3] == [
        {label: "High"},
        {label: "Low"},
        {label: "Medium"},
    ]


def test_init_on_the_mall_table(tmp_path: Path) -> None:
    mall_frame().to_csv(tmp_path / "mall.csv", index=False)
    result = run_cli("init", str(tmp_path / "mall.csv"), "--out", str(tmp_path / "s.yml"))
    assert result.returncode == 0, result.stderr
    config = load_config(tmp_path / "s.yml")
    assert config.id_column == "CustomerID"
    # Behaviour (spending) and capacity (income) before demographics (age): the known answer.
    assert config.feature_columns == (INCOME, SPENDING)
    assert config.describe == ("Gender", "Age")
    assert config.scaling == "standard"
    assert [f.label for f in config.features] == ["Annual Income", "Spending Score"]
    assert config.value.feature == SPENDING
    # A 1-100 score does not add up over customers: no "share of the total" for it.
    assert (config.value.better, config.value.additive) == ("higher", False)


def test_init_does_not_overwrite_a_config(tmp_path: Path) -> None:
    mall_frame().to_csv(tmp_path / "mall.csv", index=False)
    (tmp_path / "s.yml").write_text("title: mine\n")
    result = run_cli("init", str(tmp_path / "mall.csv"), "--out", str(tmp_path / "s.yml"))
    assert result.returncode == 2
    assert (
        result.stderr
        == f"error: {tmp_path / 's.yml'}: already exists; pass --force to overwrite it\n"
    )
    assert (tmp_path / "s.yml").read_text() == "title: mine\n"


def test_init_numbers_the_rows_of_a_table_without_an_id() -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"fresh": rng.integers(1, 50, 200), "milk": rng.integers(1, 60, 200)})
    starter = inspect(frame.astype(str))
    assert starter.id_column == "" and starter.id_reason.startswith("no column is unique")
    assert [c for c, _ in starter.features] == ["fresh", "milk"]


def test_init_needs_a_numeric_column() -> None:
    frame = pd.DataFrame({"a": ["1", "1", "2"], "b": ["x", "y", "x"]})
    with pytest.raises(DataError, match="no numeric column varies; nothing to segment on"):
        inspect(frame)


def test_init_chooses_robust_scaling_for_skewed_signed_data() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "id": [str(i) for i in range(300)],
            "profit": (rng.lognormal(0, 1.2, 300) - 1).round(3).astype(str),
            "visits": rng.normal(10, 2, 300).round(2).astype(str),
        }
    )
    starter = inspect(frame)
    assert starter.scaling == "robust"
    assert starter.scaling_reason.startswith("'profit' is strongly skewed (skewness ")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("id", True),
        ("CustomerID", True),
        ("customer_id", True),
        ("clientId", True),
        ("Client No", True),
        ("member number", True),
        ("paid", False),
        ("valid", False),
        ("Annual Income (k$)", False),
        ("idle days", False),
    ],
)
def test_looks_like_id(name: str, expected: bool) -> None:
    assert looks_like_id(name) is expected


@pytest.mark.parametrize(
    ("column", "additive"),
    [
        ("Revenue", True),
        ("MntWines", True),
        ("monetary", True),
        ("Spending Score (1-100)", False),
        ("avg_spend", False),
        ("Spend per visit", False),
    ],
)
def test_init_marks_money_that_adds_up_as_additive(column: str, additive: bool) -> None:
    assert init_yaml.additive(column) is additive


@pytest.mark.parametrize(
    ("stem", "title"),
    [
        ("CC_GENERAL", "CC General"),
        ("marketing_campaign", "Marketing Campaign"),
        ("Mall_Customers", "Mall Customers"),
        ("Wholesale customers data", "Wholesale Customers Data"),
        ("onlineRetail-2011", "Online Retail 2011"),
        ("___", "Customer segments"),
    ],
)
def test_init_titles_read_like_titles(stem: str, title: str) -> None:
    assert init.readable_title(stem) == title
