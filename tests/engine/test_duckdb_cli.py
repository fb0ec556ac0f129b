"""The real CLI on DuckDB: build, refresh (the What-changed comparison) and assign."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli
from tests.engine.parity import mall_project

pytest.importorskip("duckdb")
pytestmark = pytest.mark.e2e
ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def _refresh(folder: Path) -> None:
    """Five customers leave and one joins."""
    table = folder / "data" / "mall_customers.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    table.write_text("\n".join([*lines[:-5], "201,Male,30,40,50"]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The Mall project built, then refreshed, once in memory and once on DuckDB."""
    root = tmp_path_factory.mktemp("cli")
    projects = (mall_project(root / "local", "local"), mall_project(root / "duck", "duckdb"))
    for folder in projects:
        env = {**ENV, "SEGMENTS_CACHE": str(folder / "cache")}
        assert run_cli("build", cwd=folder, env=env).returncode == 0
        _refresh(folder)
        result = run_cli("build", cwd=folder, env=env)
        assert result.returncode == 0, result.stderr
    return projects


def test_the_refresh_compares_customers_on_the_engine_as_in_memory(both) -> None:
    local, duck = both
    lock = {f: json.loads((f / "data" / "segments.lock.json").read_text()) for f in both}
    assert lock[duck]["comparison"] == lock[local]["comparison"]
    assert lock[duck]["comparison"]["common"] == 195
    assert (duck / "docs" / "changes.md").read_text() == (local / "docs" / "changes.md").read_text()


def test_labels_stay_on_the_engine_side(both) -> None:
    local, duck = both
    sidecar = duck / "data" / "segments.assignments.parquet"
    assert sidecar.is_dir() and not (duck / "data" / "segments.assignments.csv").exists()
    written = pq.read_table(sidecar).to_pandas()  # IDs as text, as the CSV sidecar has them
    got = written.set_index(written["CustomerID"].astype(int))["segment"].sort_index()
    expected = pd.read_csv(local / "data" / "segments.assignments.csv")
    assert got.tolist() == expected.set_index("CustomerID")["segment"].sort_index().tolist()


def test_assign_scores_every_customer_of_the_file(both, tmp_path: Path) -> None:
    _, duck = both
    out = tmp_path / "scored.csv"
    table = duck / "data" / "mall_customers.csv"
    result = run_cli("assign", str(table), "--out", str(out), cwd=duck, env=ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{out}: 196 customers scored with the locked segments\n"
