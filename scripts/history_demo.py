"""A Mall project refreshed three times, for the History page's screenshot.

Release 1 is the shipped table. Then, a quarter apart: 12 new high-income, high-spending
customers twice (and 5 low spenders leaving each time), and finally 30 customers of a new kind
(very high income, middling spending), who make a new segment. Every build is the real CLI
(``segments build``) with its own SOURCE_DATE_EPOCH.

Usage: ``python scripts/history_demo.py FOLDER`` builds the project in FOLDER and prints it.
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
INCOME, SPENDING = "Annual Income (k$)", "Spending Score (1-100)"
FIRST_EPOCH = 1_704_067_200  # 2024-01-01
QUARTER = 91 * 86_400


def tables() -> list[pd.DataFrame]:
    """The four tables, oldest first."""
    rng = np.random.default_rng(7)
    mall = pd.read_csv(ROOT / "data" / "mall_customers.csv")
    found = [mall]
    next_id = 1001
    for _ in range(2):
        table = found[-1].copy()
        rich = table[(table[INCOME] > 70) & (table[SPENDING] > 60)].sample(12, random_state=1)
        newcomers = rich.assign(
            CustomerID=range(next_id, next_id + 12),
            **{SPENDING: (rich[SPENDING] + rng.integers(-3, 4, 12)).clip(1, 100)},
        )
        next_id += 12
        low = table.index[(table[INCOME] < 40) & (table[SPENDING] < 40)]
        table = table.drop(rng.choice(low, 5, replace=False))
        found.append(pd.concat([table, newcomers], ignore_index=True))
    n = 30
    new_kind = pd.DataFrame(
        {
            "CustomerID": range(next_id, next_id + n),
            "Gender": rng.choice(["Female", "Male"], n),
            "Age": rng.integers(30, 60, n),
            INCOME: rng.normal(150, 5, n).round(),
            SPENDING: rng.normal(50, 5, n).round().clip(1, 100),
        }
    )
    found.append(pd.concat([found[-1], new_kind], ignore_index=True))
    return found


def build(folder: Path) -> Path:
    """Build every release in ``folder`` (made afresh); returns its site/."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copy(ROOT / "data" / "segments.yml", folder / "data" / "segments.yml")
    for i, table in enumerate(tables()):
        table.to_csv(folder / "data" / "mall_customers.csv", index=False)
        epoch = str(FIRST_EPOCH + i * QUARTER)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": epoch}
        command = [sys.executable, "-m", "generator", "--quiet", "build"]
        subprocess.run(command, cwd=folder, env=env, check=True)
    return folder / "site"


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
