"""From the tables analysts really have to a built site: logs, tables without IDs, `segments new`.

Every case runs the real CLI and the real MkDocs build on a seeded synthetic table.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from generator.config.settings import load_config
from tests.conftest import ROOT, run_cli
from tests.table.test_transactions import expected_rfm, make_log

pytestmark = pytest.mark.e2e
ENV = {"SEGMENTS_CACHE": str(ROOT / ".segments-cache"), "SOURCE_DATE_EPOCH": "1700000000"}


def marketing(rows: int = 2_240, seed: int = 5) -> pd.DataFrame:
    """Shaped like the public marketing-campaign table: birth years, kid counts, codes, dates,
    spend per product, purchases per channel with their total, a few gaps in income."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 3, rows)
    income = np.array([30_000, 55_000, 80_000])[kind] * rng.lognormal(0, 0.15, rows)
    wines = np.array([30, 300, 700])[kind] * rng.lognormal(0, 0.4, rows)
    meat = np.array([20, 150, 450])[kind] * rng.lognormal(0, 0.4, rows)
    web = rng.poisson(np.array([2, 5, 6])[kind])
    store = rng.poisson(np.array([3, 7, 9])[kind])
    joined = np.datetime64("2012-07-30") + rng.integers(0, 700, rows)
    frame = pd.DataFrame(
        {
            "ID": rng.permutation(np.arange(1, rows + 1) * 7),
            "Year_Birth": rng.integers(1945, 2000, rows),
            "Education": rng.choice(["Graduation", "PhD", "Master", "Basic"], rows),
            "Income": income.round(),
            "Kidhome": rng.integers(0, 3, rows),
            "Teenhome": rng.integers(0, 3, rows),
            "Dt_Customer": pd.Series(joined).dt.strftime("%d-%m-%Y"),
            "Recency": rng.integers(0, 100, rows),
            "MntWines": wines.round(),
            "MntMeatProducts": meat.round(),
            "NumWebPurchases": web,
            "NumStorePurchases": store,
            "NumPurchasesTotal": web + store,
            "Channel": rng.integers(1, 4, rows),
            "Complain": (rng.uniform(size=rows) < 0.01).astype(int),
        }
    )
    for column, gaps in (("Income", 24), ("MntMeatProducts", 5)):
        frame[column] = frame[column].astype(object)
        frame.loc[rng.choice(rows, gaps, replace=False), column] = ""
    return frame


def build(folder: Path) -> None:
    result = run_cli("--quiet", "build", cwd=folder, env=ENV)
    assert result.returncode == 0, result.stderr
    assert (folder / "site" / "index.html").is_file()


def new(folder: Path, table: Path) -> Path:
    result = run_cli("new", str(folder / "project"), "--data", str(table), cwd=folder, env=ENV)
    assert result.returncode == 0, result.stderr
    return folder / "project"


def summary(project: Path) -> dict:
    return json.loads((project / "docs" / "downloads" / "segments.json").read_text())


def test_marketing_table_through_segments_new_with_no_edit(tmp_path: Path) -> None:
    marketing().to_csv(tmp_path / "marketing_campaign.csv", sep="\t", index=False)
    project = new(tmp_path, tmp_path / "marketing_campaign.csv")
    config = load_config(project / "data" / "segments.yml")
    # Behaviour first; the purchases total is left out beside its parts; dates give tenure;
    # a feature with a few gaps stays, with data.missing: drop.
    assert config.feature_columns == (
        "Recency", "MntWines", "MntMeatProducts", "NumWebPurchases", "NumStorePurchases",
    )  # fmt: skip
    assert config.missing == "drop"
    assert dict(config.since) == {"Dt_Customer": "days", "Year_Birth": "years"}
    assert {"Channel", "Dt_Customer", "NumPurchasesTotal"} <= set(config.describe)
    assert dict(config.rule_for("Channel").values) == {
        "1": "Channel 1", "2": "Channel 2", "3": "Channel 3"
    }  # fmt: skip
    text = (project / "data" / "segments.yml").read_text()
    assert "the sum of 'NumWebPurchases' and 'NumStorePurchases'" in text
    assert "#   Income: numeric, spending capacity, 24 empty cells" in text
    build(project)
    assert summary(project)["n_customers"] == 2_240 - 5
    mkdocs = yaml.safe_load(
        (project / "mkdocs.yml").read_text().replace("!ENV", "").replace("[SITE_URL, ", "[")
    )
    assert mkdocs["site_name"] == "Marketing Campaign"
    index = (project / "site" / "index.html").read_text()
    assert "<title>Summary - Marketing Campaign</title>" in index
    for name in (".github/workflows/pages.yml", ".gitignore", "README.md", "requirements.txt"):
        assert (project / name).is_file()


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return make_log(rows=60_000, customers=3_000, seed=21)


@pytest.mark.parametrize("layout", ["csv", "headerless-whitespace"])
def test_a_transaction_log_builds_a_site(tmp_path: Path, log: pd.DataFrame, layout: str) -> None:
    if layout == "csv":
        log.to_csv(tmp_path / "orders.csv", index=False)
        table = tmp_path / "orders.csv"
    else:
        table = tmp_path / "orders.txt"
        lines = [f"{c}  {d}   {o} {a}" for c, d, o, a in log.itertuples(index=False)]
        table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = new(tmp_path, table)
    config = load_config(project / "data" / "segments.yml")
    assert config.transactions is not None and config.transactions.order
    assert config.feature_columns == ("recency", "frequency", "monetary")
    build(project)
    got = summary(project)
    assert got["n_customers"] == log["customer"].nunique()
    want = expected_rfm(log)
    sizes = sum(s["size"] for s in got["segments"])
    assert sizes == len(want)
    words = {"Recent", "Cooling", "Lapsed", "Infrequent", "Repeat", "Frequent"}
    assert all(
        set(s["name"].replace(",", " ").split()) & (words | {"Spend"}) for s in got["segments"]
    )


def test_a_table_without_ids_builds_with_numbered_rows(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    kind = rng.integers(0, 3, 440)
    frame = pd.DataFrame(
        {
            "Channel": rng.integers(1, 3, 440),
            "Region": rng.integers(1, 4, 440),
            "Fresh": (np.array([3_000, 12_000, 30_000])[kind] * rng.lognormal(0, 0.3, 440)).round(),
            "Milk": (np.array([1_500, 6_000, 2_000])[kind] * rng.lognormal(0, 0.3, 440)).round(),
            "Grocery": (np.array([2_000, 9_000, 3_000])[kind] * rng.lognormal(0, 0.3, 440)).round(),
        }
    )
    frame.to_csv(tmp_path / "wholesale.csv", index=False)
    project = new(tmp_path, tmp_path / "wholesale.csv")
    config = load_config(project / "data" / "segments.yml")
    assert config.number_rows and config.id_column == "row"
    assert config.feature_columns == ("Fresh", "Milk", "Grocery")
    result = run_cli("build", cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "refresh cannot compare customers one by one" in result.stderr
    assert summary(project)["n_customers"] == 440
