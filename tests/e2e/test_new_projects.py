"""`segments new` + `segments build` with zero edits on tables shaped like real ones (issue 20).

Each case runs the real CLI and MkDocs on a seeded table from ``tests/e2e/real_tables.py`` and
checks what a new user would: what `new` says it found, the customers and features against
pandas, and the published words.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from generator.analysis.run import load_table
from generator.config.settings import Transactions, load_config
from tests.conftest import ROOT, run_cli
from tests.e2e.real_tables import (
    bank_churn,
    cdnow,
    cdnow_text,
    cdnow_truth,
    online_retail,
    online_retail_truth,
    superstore,
    superstore_truth,
)

pytestmark = pytest.mark.e2e
ENV = {"SEGMENTS_CACHE": str(ROOT / ".segments-cache"), "SOURCE_DATE_EPOCH": "1700000000"}
RFM = ("recency", "frequency", "monetary")


def new(folder: Path, table: Path) -> tuple[Path, str]:
    """The project `new` makes from ``table``, and what it printed (one line per paragraph)."""
    result = run_cli("new", str(folder / "project"), "--data", str(table), cwd=folder, env=ENV)
    assert result.returncode == 0, result.stderr
    return folder / "project", " ".join(result.stdout.split("\n", 1)[1].split())


def build(project: Path) -> str:
    result = run_cli("build", cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    return result.stderr


def summary(project: Path) -> dict:
    return json.loads((project / "docs" / "downloads" / "segments.json").read_text())


def published(project: Path) -> dict[str, str]:
    """Every text file of docs/ and site/ (pages, chart data, search index)."""
    files = [*(project / "docs").rglob("*"), *(project / "site").rglob("*")]
    kinds = (".md", ".json", ".csv", ".html", ".txt")
    return {str(f.relative_to(project)): f.read_text() for f in files if f.suffix in kinds}


def headline(project: Path) -> str:
    page = (project / "docs" / "data.md").read_text()
    found = re.search(r"^\*\*(.+)\*\*$", page, re.M)
    assert found, page
    return re.sub(r"</?code>", "", found.group(1)).replace("\\_", "_").replace("\\-", "-")


def customers(project: Path, id_type: type = str) -> pd.DataFrame:
    table = load_table(load_config(project / "data" / "segments.yml"))
    frame = table.frame
    return frame.set_index(frame[table.id_column].astype(id_type)).sort_index()


def assert_rfm(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.index) == list(want.index)
    for column in RFM:
        np.testing.assert_allclose(got[column], want[column], rtol=1e-9, err_msg=column)


def test_a_log_with_a_unique_row_id_and_customer_names(tmp_path: Path) -> None:
    log = superstore()
    log.to_csv(tmp_path / "Sample - Superstore.csv", index=False)
    project, said = new(tmp_path, tmp_path / "Sample - Superstore.csv")
    assert said == (
        "Found a transaction log: 6,000 lines, 600 customers (Customer ID), dates (Order Date), "
        "amounts (Sales), orders (Order ID); left out as personal data: Customer Name, Postal "
        "Code."
    )
    config = load_config(project / "data" / "segments.yml")
    assert config.transactions == Transactions("Customer ID", "Order Date", "Sales", "Order ID")
    assert config.feature_columns == RFM
    build(project)
    assert summary(project)["n_customers"] == log["Customer ID"].nunique() == 600
    assert_rfm(customers(project), superstore_truth(log))
    assert headline(project) == (
        "6,000 lines read from Sample - Superstore.csv, from 600 customers; no line was left out."
    )
    names = set(log["Customer Name"])
    for name, text in published(project).items():
        assert not any(person in text for person in names), name


def test_a_headerless_whitespace_log_with_yyyymmdd_whole_number_dates(tmp_path: Path) -> None:
    log = cdnow()
    (tmp_path / "CDNOW_master.txt").write_text(cdnow_text(log))
    project, said = new(tmp_path, tmp_path / "CDNOW_master.txt")
    lines, people = len(log), log["customer"].nunique()
    assert said == (
        f"Found a transaction log: {lines:,} lines, {people:,} customers (customer), dates "
        "(date), amounts (amount)."
    )
    config = load_config(project / "data" / "segments.yml")
    assert (config.header, config.delimiter) == (False, "whitespace")
    # The amount is the line's total: never multiplied by the number of CDs.
    assert config.transactions == Transactions("customer", "date", "amount")
    build(project)
    got = summary(project)
    assert got["n_customers"] == people and got["features"] == list(RFM)
    want = cdnow_truth(log)
    assert_rfm(customers(project, int), want)
    spend = sum(s["means"]["monetary"] * s["size"] for s in got["segments"])
    assert spend == pytest.approx(want["monetary"].sum(), rel=1e-5)
    title = (project / "site" / "index.html").read_text()
    assert "<title>Summary - CDNOW Master</title>" in title
    assert headline(project) == (
        f"{lines:,} lines read from CDNOW_master.txt, from {people:,} customers; no line was "
        "left out."
    )
    for text in published(project).values():
        assert "Column 1" not in text and "column_1" not in text


def test_an_invoice_log_whose_anonymous_lines_say_blank(tmp_path: Path) -> None:
    log = online_retail()
    log.to_csv(tmp_path / "online_retail.csv", index=False)
    project, said = new(tmp_path, tmp_path / "online_retail.csv")
    anonymous = int((log["CustomerID"] == "(blank)").sum())
    known = online_retail_truth(log)
    assert said == (
        f"Found a transaction log: 12,000 lines, {len(known)} customers (CustomerID), dates "
        "(InvoiceDate), unit prices (UnitPrice) times quantities (Quantity), orders (InvoiceNo); "
        f"{anonymous:,} lines whose customer ID stands for unknown customers left out ('(blank)')."
    )
    config = load_config(project / "data" / "segments.yml")
    assert config.missing == "drop"
    build(project)
    assert summary(project)["n_customers"] == len(known)
    got = customers(project)
    for column in ("frequency", "monetary"):
        np.testing.assert_allclose(got[column], known.sort_index()[column], rtol=1e-9)
    assert headline(project) == (
        f"12,000 lines read from online_retail.csv: {anonymous:,} with the placeholder customer ID "
        f"(blank) left out; {12_000 - anonymous:,} lines from {len(known)} customers."
    )
    data = (project / "docs" / "data.md").read_text()
    assert "Every customer segmented has a unique customer ID" in data


def test_a_table_with_a_surname_an_email_and_row_numbers(tmp_path: Path) -> None:
    table = bank_churn()
    rare = ["Quenby", "Ashdown", "Fairweather"]  # each a surname of one customer
    table.loc[[7, 70, 700], "Surname"] = rare
    table.to_csv(tmp_path / "Churn_Modelling.csv", index=False)
    project, said = new(tmp_path, tmp_path / "Churn_Modelling.csv")
    assert said == (
        "Found a customer table: 3,000 rows, one per customer (CustomerId); features Credit "
        "score, Balance, Estimated salary; outcome Exited (1); left out as personal data: Surname, "
        "Email."
    )
    config = load_config(project / "data" / "segments.yml")
    used = {*config.feature_columns, *config.describe}
    assert not used & {"RowNumber", "CustomerId", "Surname", "Email"}
    text = (project / "data" / "segments.yml").read_text()
    assert "#   RowNumber: row numbers (1 to 3,000), not a measure\n" in text
    assert "#   Surname: names\n#   Email: e-mail addresses\n" in text
    assert [(o.column, o.positive) for o in config.outcomes] == [("Exited", "1")]
    assert (
        '  "Exited": "1"  # 20% of the customers with a value; per segment, never clustered on\n'
        in text
    )
    build(project)
    assert summary(project)["n_customers"] == 3_000
    exited = table["Exited"].mean()
    for segment in summary(project)["segments"]:
        assert segment["outcomes"]["Exited"]["overall"] == round(exited, 6)
    values = re.compile(
        "|".join(rf"\b{re.escape(v)}\b" for v in {*table["Surname"], *table["Email"]})
    )
    for name, page in published(project).items():
        assert not values.search(page), name
    # Configured anyway: a warning, and a surname fewer than 10 customers share is "Other".
    (project / "data" / "segments.yml").write_text(text.replace('  - "Geography"', '  - "Surname"'))
    warned = build(project)
    assert "column 'Surname' looks like personal data (names)" in warned
    pages = published(project)
    assert any("Hargrave" in page for page in pages.values())
    assert not any(name in page for name in rare for page in pages.values())


def test_segments_new_on_the_shipped_mall_table_gives_the_mall_report(tmp_path: Path) -> None:
    project, said = new(tmp_path, ROOT / "data" / "mall_customers.csv")
    assert said == (
        "Found a customer table: 200 rows, one per customer (CustomerID); features Annual Income, "
        "Spending Score."
    )
    build(project)
    got = summary(project)
    assert sorted(s["size"] for s in got["segments"]) == [22, 23, 35, 39, 81]


def git(*args: str, cwd: Path) -> None:
    identity = ("-c", "user.name=Analyst", "-c", "user.email=analyst@example.com")
    result = subprocess.run(["git", *identity, *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def workflow_build(clone: Path) -> str:
    """The Pages workflow's build job, as its `run:` steps say (pip install excepted: offline)."""
    pages = yaml.safe_load((clone / ".github" / "workflows" / "pages.yml").read_text())
    steps = [s for s in pages["jobs"]["build"]["steps"] if "run" in s]
    assert steps[0]["run"] == "python -m pip install -r requirements.txt"
    assert (clone / "requirements.txt").is_file()
    (build_step,) = [s for s in steps if "segments build" in s["run"]]
    env = {**os.environ, **ENV, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env["SITE_URL"] = "https://analyst.github.io/report/"  # what configure-pages would give
    env.pop("SOURCE_DATE_EPOCH")  # the step sets it from the commit
    result = subprocess.run(
        ["bash", "-e", "-c", build_step["run"]], cwd=clone, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_a_project_that_moves_builds_and_publishes_no_outside_path(tmp_path: Path) -> None:
    exports = tmp_path / "exports-2024"
    exports.mkdir()
    superstore(lines=1_200, customers=150).to_csv(exports / "orders.csv", index=False)
    project, _ = new(tmp_path, exports / "orders.csv")
    assert (
        '  path: "orders.csv"  # relative to this file\n'
        in (project / "data" / "segments.yml").read_text()
    )
    shutil.rmtree(exports)  # the source file is gone ...
    moved = tmp_path / "shared" / "report"
    moved.parent.mkdir()
    shutil.move(project, moved)  # ... and the project moved
    build(moved)
    for name, text in published(moved).items():
        assert "exports-2024" not in text and str(tmp_path) not in text, name
    # Committed to a fresh repository and cloned elsewhere, the Pages workflow builds it.
    git("init", "-q", "-b", "main", cwd=moved)
    git("add", "-A", cwd=moved)
    git("commit", "-q", "-m", "report", cwd=moved)
    clone = tmp_path / "runner" / "work"
    git("clone", "-q", str(moved), str(clone), cwd=tmp_path)
    assert not (clone / "site").exists()
    workflow_build(clone)
    index = (clone / "site" / "index.html").read_text()
    assert '<link rel="canonical" href="https://analyst.github.io/report/index.html">' in index
    assert summary(clone)["n_customers"] == 150
    assert (clone / "docs").is_dir() and not (clone / "site" / "data").exists()
