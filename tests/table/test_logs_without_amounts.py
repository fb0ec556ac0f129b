"""A log without amounts (visits, logins) is a log: recency and frequency per customer, no spend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.analysis.run import load_table
from generator.commands.init import inspect
from generator.config.settings import Transactions, load_config
from generator.errors import ConfigError
from tests.conftest import write_config

CONFIG = """\
data:
  path: table.csv
  transactions: {customer: user_id, date: visit_date}
features: [recency, frequency]
describe: [tenure]
"""


def visits(rows: int = 3_000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    day = np.datetime64("2024-01-01") + rng.integers(0, 300, rows)
    return pd.DataFrame(
        {
            "event_id": np.arange(1, rows + 1),  # unique, and no customer
            "user_id": rng.integers(1, 250, rows),
            "visit_date": pd.Series(day).astype(str),
            "page": rng.choice(["home", "cart", "shop"], rows),
        }
    )


def test_init_reads_it_as_a_log_with_no_spend() -> None:
    starter = inspect(visits().astype(str))
    assert starter.log == Transactions("user_id", "visit_date")
    assert [c for c, _ in starter.features] == ["recency", "frequency"]
    assert [c for c, _ in starter.describe] == ["tenure"]


def test_recency_and_frequency_per_customer(tmp_path: Path) -> None:
    log = visits()
    table = load_table(load_config(write_config(tmp_path, CONFIG, log)))
    got = table.frame.set_index("user_id").sort_index()
    day = pd.to_datetime(log["visit_date"])
    grouped = log.assign(day=day).groupby("user_id")
    assert list(got.columns) == ["recency", "frequency", "tenure"]
    np.testing.assert_array_equal(got["frequency"], grouped["day"].nunique())
    end = day.max() + pd.Timedelta(days=1)
    np.testing.assert_array_equal(got["recency"], (end - grouped["day"].max()).dt.days)


def test_spend_needs_an_amount(tmp_path: Path) -> None:
    path = write_config(tmp_path, CONFIG.replace("[recency, frequency]", "[recency, monetary]"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: 1 problem: features names 'monetary', but data.transactions makes the "
        "columns recency, frequency, tenure"
    )
