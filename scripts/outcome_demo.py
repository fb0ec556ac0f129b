"""A telecom-like customer table with a churn outcome, for the README's outcome screenshot.

2,000 seeded customers: tenure in months, monthly charges, a contract, an internet service and
``Churn`` Yes/No (one in four overall, far more among new month-to-month fibre customers). The
project is made as a new user makes it, with ``segments new`` (which proposes ``Churn`` as an
outcome) and no edits, then built with the real CLI.

Usage: ``python scripts/outcome_demo.py FOLDER`` builds the project in FOLDER and prints its site/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1735689600"  # 2025-01-01


def table(n: int = 2_000, seed: int = 15) -> pd.DataFrame:
    """The customers: churn rises with month-to-month contracts, fibre and short tenure."""
    rng = np.random.default_rng(seed)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.55, 0.21, 0.24])
    long = contract != "Month-to-month"
    tenure = np.where(long, rng.integers(12, 73, n), rng.integers(0, 40, n))
    internet = rng.choice(["DSL", "Fiber optic", "No"], n, p=[0.34, 0.44, 0.22])
    base = np.select([internet == "Fiber optic", internet == "DSL"], [70.0, 45.0], 20.0)
    monthly = np.round(base + rng.gamma(2.0, 8.0, n), 2).clip(18.25, 118.75)
    risk = -1.1 + 1.4 * (~long) + 0.8 * (internet == "Fiber optic") - 0.045 * tenure
    churn = np.where(rng.random(n) < 1 / (1 + np.exp(-risk)), "Yes", "No")
    return pd.DataFrame(
        {
            "customerID": [f"{1000 + i}-TLC" for i in rng.permutation(8_000)[:n]],
            "gender": rng.choice(["Female", "Male"], n),
            "tenure": tenure,
            "Contract": contract,
            "InternetService": internet,
            "MonthlyCharges": monthly,
            "Churn": churn,
        }
    )


def build(folder: Path) -> Path:
    """Make the project in ``folder`` (afresh) with ``segments new``, build it; returns site/."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    table().to_csv(folder / "telecom.csv", index=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    run = [sys.executable, "-m", "generator", "--quiet"]
    made = [*run, "new", "telecom", "--data", "telecom.csv"]
    subprocess.run(made, cwd=folder, env=env, check=True)
    project = folder / "telecom"
    subprocess.run([*run, "build"], cwd=project, env=env, check=True)
    return project / "site"


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
