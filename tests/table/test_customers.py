"""Tables reshaped before validation: dates and years as durations (data.since), settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.analysis.run import load_table
from generator.config.settings import load_config
from generator.errors import ConfigError, DataError
from tests.conftest import MALL_CONFIG


def table(tmp_path: Path, extra: str) -> Path:
    rng = np.random.default_rng(3)
    joined = np.datetime64("2020-01-01") + rng.integers(0, 900, 120)
    pd.DataFrame(
        {
            "id": range(1, 121),
            "joined": pd.Series(joined).dt.strftime("%d-%m-%Y"),
            "born": rng.integers(1950, 2000, 120),
            "spend": rng.gamma(2, 50, 120).round(2),
        }
    ).to_csv(tmp_path / "t.csv", index=False)
    text = "data:\n  path: t.csv\n  id_column: id\n" + extra + "features: [joined, born, spend]\n"
    (tmp_path / "segments.yml").write_text(text)
    return tmp_path / "segments.yml"


def test_since_turns_dates_into_days_and_years_into_years(tmp_path: Path) -> None:
    config = table(tmp_path, "  since: {joined: days, born: years}\n")
    frame = load_table(load_config(config)).frame
    raw = pd.read_csv(tmp_path / "t.csv")
    joined = pd.to_datetime(raw["joined"], format="%d-%m-%Y")
    as_of = joined.max() + pd.Timedelta(days=1)
    np.testing.assert_array_equal(frame["joined"], (as_of - joined).dt.days.astype(float))
    np.testing.assert_array_equal(frame["born"], as_of.year - raw["born"].astype(float))


def test_since_counts_to_as_of(tmp_path: Path) -> None:
    config = table(tmp_path, "  since: {joined: days, born: years}\n  as_of: 2030-06-30\n")
    frame = load_table(load_config(config)).frame
    raw = pd.read_csv(tmp_path / "t.csv")
    joined = pd.to_datetime(raw["joined"], format="%d-%m-%Y")
    days = (pd.Timestamp("2030-06-30") - joined).dt.days.astype(float)
    np.testing.assert_array_equal(frame["joined"], days)
    np.testing.assert_array_equal(frame["born"], 2030 - raw["born"].astype(float))


def test_a_bad_date_is_named_by_line(tmp_path: Path) -> None:
    config = table(tmp_path, "  since: {joined: days}\n")
    text = (tmp_path / "t.csv").read_text().splitlines()
    text[3] = text[3].replace(text[3].split(",")[1], "someday")
    (tmp_path / "t.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(DataError) as caught:
        load_table(load_config(config))
    assert str(caught.value) == (
        f"{tmp_path / 't.csv'}: 1 problem: line 4, column 'joined': value 'someday' is not a "
        "date such as 2024-01-31"
    )


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("  header: false\n", "data.header is false, so data.columns should name the file's "
         "columns in order"),
        ("  columns: [a, b]\n", "data.columns names the columns of a file without a header; set "
         "data.header: false"),
        ("  since: {born: years}\n", "data.since counts years only, so data.as_of should say to "
         "which date"),
        ("  since: {born: months}\n", "data.since should map columns to days or years, got "
         "{'born': 'months'}"),
        ("  number_rows: true\n", "data.number_rows numbers the rows of a table without an ID; "
         "remove data.id_column"),
        ("  delimiter: tabs\n", "data.delimiter should be one character or 'whitespace', got "
         "'tabs'"),
    ],
)  # fmt: skip
def test_reading_settings_are_checked(tmp_path: Path, extra: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(table(tmp_path, extra))
    assert problem in caught.value.details


def test_the_as_of_day_is_remembered(tmp_path: Path) -> None:
    """The release history dates an entry by it when SOURCE_DATE_EPOCH is unset."""
    config = table(tmp_path, "  since: {joined: days}\n")
    joined = pd.to_datetime(pd.read_csv(tmp_path / "t.csv")["joined"], format="%d-%m-%Y")
    as_of = (joined.max() + pd.Timedelta(days=1)).date()
    assert load_table(load_config(config)).source.as_of == as_of
    config = table(tmp_path, "  since: {joined: days}\n  as_of: 2030-06-30\n")
    assert load_table(load_config(config)).source.as_of.isoformat() == "2030-06-30"
    assert load_table(load_config(MALL_CONFIG)).source.as_of is None  # no dates: no as-of day
