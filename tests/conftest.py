"""Shared fixtures: the Mall config, small synthetic tables and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
MALL_CONFIG = ROOT / "data" / "segments.yml"


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess (``python -m generator``)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


# How `make test` spreads the suite over pytest-xdist workers (`--dist loadfile`): a module's
# tests stay together on one worker (its module fixtures, often a built site, are made once).
# Modules start longest first (SLOW_FIRST, measured with --durations; `--no-loadscope-reorder`
# keeps this order), so that the workers finish together instead of one waiting for the last
# long module. (`--dist loadgroup` would keep the browser suite on one worker, but with
# pytest 9 and xdist 3.8 it spreads a group's tests over every worker.)
SLOW_FIRST = (
    "tests/e2e/test_faults.py",
    "tests/engine/test_spark.py",
    "tests/engine/test_duckdb_cli.py",
    "tests/engine/test_postgres.py",
    "tests/e2e/test_new_projects.py",
    "tests/e2e/test_refreshes.py",
    "tests/engine/test_duckdb_whole.py",
    "tests/audit/",
    "tests/browser/",
    "tests/e2e/test_install.py",
    "tests/e2e/test_owndata.py",
    "tests/e2e/test_build.py",
    "tests/engine/",
    "tests/report/test_privacy.py",
    "tests/report/test_data_counts.py",
    "tests/e2e/",
)


def _rank(nodeid: str) -> int:
    return next((i for i, p in enumerate(SLOW_FIRST) if nodeid.startswith(p)), len(SLOW_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On xdist workers, start the longest modules first (see SLOW_FIRST); else a no-op."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: _rank(item.nodeid))  # stable: file order kept within a rank


@pytest.fixture(scope="session", autouse=True)
def _no_build_date() -> Iterator[None]:
    """Tests start without SOURCE_DATE_EPOCH (make exports one); tests that need it set it."""
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    yield
    if saved is not None:
        os.environ["SOURCE_DATE_EPOCH"] = saved


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli


def blobs(
    n_per: list[int], centers: list[list[float]], seed: int = 0, spread: float = 3.0
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    parts = [rng.normal(c, spread, size=(n, len(c))) for n, c in zip(n_per, centers, strict=True)]
    return np.vstack(parts)


def write_config(
    folder: Path, text: str, table: pd.DataFrame | None = None, name: str = "table.csv"
) -> Path:
    """Write a config (and optionally its table) into ``folder``; return the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    if table is not None:
        table.to_csv(folder / name, index=False)
    path = folder / "segments.yml"
    path.write_text(text, encoding="utf-8")
    return path


SYNTH_CONFIG = """
title: Web shop
data: {path: table.csv, id_column: client}
features: [visits, basket, recency]
describe: [region, tenure]
k: auto
k_min: 2
k_max: 6
random_state: 7
playbook:
  - when: {basket: High}
    actions: [Upsell bundles.]
  - when: {}
    actions: [Watch and learn.]
"""


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    """A 3-feature table with another schema and four clear clusters; returns its config."""
    x = blobs([60, 50, 40, 30], [[5, 20, 90], [30, 80, 10], [60, 40, 50], [10, 90, 80]], seed=3)
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "client": [f"C{i:04d}" for i in range(len(x))],
            "visits": x[:, 0].round(1),
            "basket": x[:, 1].round(1),
            "recency": x[:, 2].round(1),
            "region": rng.choice(["North", "South", "East"], size=len(x)),
            "tenure": rng.integers(1, 20, size=len(x)),
        }
    )
    return write_config(tmp_path, SYNTH_CONFIG, frame)


GOLDEN = ROOT / "tests" / "golden"


def assert_golden(name: str, actual: str) -> None:
    """Compare with ``tests/golden/NAME``; ``UPDATE_GOLDEN=1 pytest`` rewrites the files."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run UPDATE_GOLDEN=1 pytest to create it"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        import difflib

        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"golden/{name}",
                "actual",
            )
        )
        pytest.fail(f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n{diff}")


MALL_CSV = ROOT / "data" / "mall_customers.csv"
SPENDING = "Spending Score (1-100)"
INCOME = "Annual Income (k$)"


def mall_frame() -> pd.DataFrame:
    return pd.read_csv(MALL_CSV)


def merged(base: str, extra: str) -> str:
    """``base`` YAML with the top-level settings of ``extra`` replacing its own (a repeated key
    is an error)."""
    keys = {line.split(":")[0] for line in extra.splitlines() if line[:1].isalpha() and ":" in line}
    kept, skipping = [], False
    for line in base.splitlines(keepends=True):
        if line[:1].isalpha():
            skipping = line.split(":")[0] in keys
        if not skipping:
            kept.append(line)
    return "".join(kept) + extra


def write_mall(folder: Path, frame: pd.DataFrame, extra: str = "") -> Path:
    """The shipped Mall config (``extra`` YAML replacing its settings) beside ``frame``."""
    text = merged(MALL_CONFIG.read_text(), extra)
    return write_config(folder, text, frame, "mall_customers.csv")


def refreshed_mall(seed: int = 1) -> pd.DataFrame:
    """The issue's refresh: rows shuffled, 10% of spending changed, 20 new and 10 removed."""
    rng = np.random.default_rng(seed)
    frame = mall_frame().sample(frac=1, random_state=seed).iloc[10:].reset_index(drop=True)
    changed = rng.choice(len(frame), size=len(frame) // 10, replace=False)
    nudged = frame.loc[changed, SPENDING] + rng.integers(-10, 11, size=len(changed))
    frame.loc[changed, SPENDING] = nudged.clip(1, 100)
    new = frame.sample(20, random_state=seed + 1).copy()
    new["CustomerID"] = np.arange(1001, 1021)
    new[SPENDING] = (new[SPENDING] + rng.integers(-5, 6, size=20)).clip(1, 100)
    return pd.concat([frame, new]).sample(frac=1, random_state=seed + 2)


def new_cluster(frame: pd.DataFrame, n: int = 40, seed: int = 5) -> pd.DataFrame:
    """``frame`` plus a genuinely new group: very high income, medium spending."""
    rng = np.random.default_rng(seed)
    extra = pd.DataFrame(
        {
            "CustomerID": np.arange(2001, 2001 + n),
            "Gender": rng.choice(["Female", "Male"], size=n),
            "Age": rng.integers(30, 60, size=n),
            INCOME: rng.normal(140, 5, size=n).round(),
            SPENDING: rng.normal(50, 5, size=n).round().clip(1, 100),
        }
    )
    return pd.concat([frame, extra], ignore_index=True)
