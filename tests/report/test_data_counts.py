"""The data page counts what was read truthfully: a log's lines and customers, and why lines left.

Also: the published config names no folder outside the project (the file name at most).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT, run_cli
from tests.table.test_transactions import make_log

pytestmark = pytest.mark.e2e
ENV = {"SEGMENTS_CACHE": str(ROOT / ".segments-cache")}
LOG = """\
title: Shop
data:
  path: PATH
  missing: drop
  transactions: {customer: customer, date: date, amount: amount, order: order}
features: [recency, frequency, monetary]
describe: [tenure]
k: 3
"""


def generate(folder: Path, config: str) -> str:
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "data" / "segments.yml").write_text(config, encoding="utf-8")
    result = run_cli("generate", "--config", "data/segments.yml", cwd=folder, env=ENV)
    assert result.returncode == 0, result.stderr
    return (folder / "docs" / "data.md").read_text(encoding="utf-8")


def headline(page: str) -> str:
    """The page's bold first sentence as plain text."""
    found = re.search(r"^\*\*(.+)\*\*$", page, re.M)
    assert found, page
    return re.sub(r"</?code>", "", found.group(1)).replace("\\_", "_")


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    """30,000 lines; 2,000 without a customer, 1,500 with the stand-in "(blank)", 12 undated."""
    frame = make_log(rows=30_000, customers=3_600, seed=9)
    rng = np.random.default_rng(9)
    rows = rng.permutation(len(frame))
    frame.loc[rows[:2_000], "customer"] = ""
    frame.loc[rows[2_000:3_500], "customer"] = "(blank)"
    frame.loc[rows[3_500:3_512], "date"] = ""
    return frame


def test_a_logs_lines_and_customers_are_counted_by_reason(tmp_path: Path, log) -> None:
    (tmp_path / "data").mkdir()
    log.to_csv(tmp_path / "data" / "orders.csv", index=False)
    page = generate(tmp_path, LOG.replace("PATH", "orders.csv"))
    used = log[~log["customer"].isin(["", "(blank)"]) & (log["date"] != "")]
    assert headline(page) == (
        "30,000 lines read from orders.csv: 2,000 without a customer ID left out; 1,500 with the "
        "placeholder customer ID (blank) left out; 12 with a missing value left out; "
        f"{len(used):,} lines from {used['customer'].nunique():,} customers."
    )
    assert "rows read were left out" not in page
    assert "A placeholder such as <code>(blank)</code> stands for customers nobody" in page


def test_few_lines_left_out_are_not_counted_exactly(tmp_path: Path, log) -> None:
    (tmp_path / "data").mkdir()
    log = log.copy()
    anonymous = log["customer"].isin(["", "(blank)"])
    log.loc[anonymous, "customer"] = (
        log.loc[~anonymous, "customer"]
        .sample(int(anonymous.sum()), replace=True, random_state=1)
        .to_numpy()
    )
    undated = np.flatnonzero(log["date"] == "")
    log.loc[undated[5:], "date"] = "2024-03-01"  # 5 lines left out
    log.to_csv(tmp_path / "data" / "orders.csv", index=False)
    page = generate(tmp_path, LOG.replace("PATH", "orders.csv"))
    customers = log.loc[log["date"] != "", "customer"].nunique()
    assert headline(page) == (
        f"{customers:,} customers segmented from the lines of orders.csv (fewer than 10 lines "
        "were left out; the exact number is hidden for privacy)."
    )
    assert "30,000" not in page


def test_the_published_config_names_no_folder_outside_the_project(tmp_path: Path) -> None:
    project = tmp_path / "private" / "report"
    (project / "data").mkdir(parents=True)
    (tmp_path / "exports").mkdir()
    shutil.copy(ROOT / "data" / "mall_customers.csv", tmp_path / "exports" / "mall.csv")
    config = (ROOT / "data" / "segments.yml").read_text()
    config = config.replace("path: mall_customers.csv", "path: ../../../exports/mall.csv")
    assert "../../../exports/mall.csv" in config
    generate(project, config)
    methodology = (project / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert "  path: mall.csv" in methodology
    for page in (project / "docs").rglob("*"):
        if page.is_file() and page.suffix in (".md", ".json", ".csv"):
            text = page.read_text(encoding="utf-8")
            assert "exports" not in text and str(tmp_path) not in text, page
