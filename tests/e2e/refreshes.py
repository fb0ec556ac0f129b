"""A seeded customer table refreshed release after release, for the history tests.

Four well-separated groups of 200 customers (income, spend): A low/low, B high/low, C low/high,
D high/high. Then, release by release: A grows by 100 new customers twice (and three of C's
customers move into A's corner), D splits in two (half its customers move down-left, half
up-right), B's customers all leave (B retires), and the last table is the one before, byte for
byte (an unchanged rebuild).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from tests.conftest import ROOT

CONFIG = """
title: Web shop
data: {path: customers.csv, id_column: customer}
features:
  - {column: income, label: Income}
  - {column: spend, label: Spending}
k: auto
k_min: 2
k_max: 7
random_state: 42
value: {feature: spend, additive: true}
privacy: {individual_points: false, min_group_size: 10}
playbook:
  - when: {}
    actions: [Look closer.]
"""
# 2024-01-01, then one release a quarter (91 days).
FIRST_EPOCH = 1_704_067_200
QUARTER = 91 * 86_400
MOVED_FROM_C = 3  # under min_group_size: the cell of their flow must stay hidden


def make_project(folder: Path) -> Path:
    """A project folder (mkdocs.yml, the generator linked, the config); returns it."""
    (folder / "data").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    (folder / "data" / "segments.yml").write_text(CONFIG, encoding="utf-8")
    return folder


def _group(ids: range, centre: tuple[float, float], seed: int) -> pd.DataFrame:
    xy = np.random.default_rng(seed).normal(centre, 4, size=(len(ids), 2)).round(1)
    return pd.DataFrame({"customer": list(ids), "income": xy[:, 0], "spend": xy[:, 1]})


def releases() -> list[pd.DataFrame]:
    """The six tables, in build order (the last equals the fifth)."""
    a = _group(range(1000, 1200), (20, 20), 1)
    b = _group(range(2000, 2200), (80, 20), 2)
    c = _group(range(3000, 3200), (20, 80), 3)
    d = _group(range(4000, 4200), (80, 80), 4)
    first = pd.concat([a, b, c, d])
    a2 = pd.concat([a, _group(range(1200, 1300), (20, 20), 5)])
    c2 = c.copy()
    c2.loc[c2.index[:MOVED_FROM_C], ["income", "spend"]] = [21.0, 19.0]
    a3 = pd.concat([a2, _group(range(1300, 1400), (20, 20), 6)])
    d4 = d.copy()
    for half, centre, seed in ((slice(0, 100), (65, 65), 7), (slice(100, 200), (95, 95), 8)):
        moved = _group(range(100), centre, seed)[["income", "spend"]].to_numpy()
        d4.iloc[half, [1, 2]] = moved
    split = pd.concat([a3, b, c2, d4])
    retired = pd.concat([a3, c2, d4])
    return [first, pd.concat([a2, b, c2, d]), pd.concat([a3, b, c2, d]), split, retired, retired]


def write_release(folder: Path, table: pd.DataFrame, seed: int) -> None:
    """The table as the project's customer file, rows shuffled by ``seed``."""
    table.sample(frac=1, random_state=seed).to_csv(folder / "data" / "customers.csv", index=False)
