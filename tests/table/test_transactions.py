"""Transaction logs become one row per customer; numbers checked against pandas."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.analysis.run import load_table
from generator.config.settings import load_config
from generator.errors import ConfigError, DataError

LOG_CONFIG = """
title: Shop
data:
  path: {path}
  transactions: {{customer: customer, date: date, amount: amount, order: order{extra}}}
{data_extra}features: [recency, frequency, monetary]
describe: [tenure, average_order_value]
"""


def make_log(rows: int = 60_000, customers: int = 3_000, seed: int = 11) -> pd.DataFrame:
    """A seeded log: four kinds of customers, several lines per order, ISO dates."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 4, customers)
    weight = np.array([1.0, 4.0, 9.0, 2.0])[kind]
    who = rng.choice(customers, size=rows, p=weight / weight.sum())
    latest = np.array([330, 60, 20, 200])[kind][who]
    day = np.datetime64("2024-01-01") + (latest * rng.uniform(0, 1, rows)).astype(int)
    spend = np.array([20.0, 45.0, 35.0, 160.0])[kind][who]
    # About three lines per order: an order is a customer's purchases on one day.
    order = pd.Series(who).astype(str) + "-" + pd.Series(day).astype(str)
    return pd.DataFrame(
        {
            "customer": [f"K{c:05d}" for c in who],
            "date": pd.Series(day).dt.strftime("%Y-%m-%d"),
            "order": "O" + pd.Series(pd.factorize(order)[0]).astype(str),
            "amount": (spend * rng.lognormal(0, 0.3, rows)).round(2),
        }
    )


def expected_rfm(log: pd.DataFrame, as_of: str | None = None) -> pd.DataFrame:
    """What the aggregation must give, computed independently with pandas."""
    day = pd.to_datetime(log["date"])
    end = pd.Timestamp(as_of) if as_of else day.max() + pd.Timedelta(days=1)
    grouped = log.assign(day=day).groupby("customer")
    out = pd.DataFrame(
        {
            "recency": (end - grouped["day"].max()).dt.days.astype(float),
            "frequency": grouped["order"].nunique().astype(float),
            "monetary": grouped["amount"].sum(),
            "tenure": (end - grouped["day"].min()).dt.days.astype(float),
        }
    )
    out["average_order_value"] = out["monetary"] / out["frequency"]
    return out.sort_index()


def write_log(folder: Path, log: pd.DataFrame, extra: str = "", data_extra: str = "") -> Path:
    log.to_csv(folder / "log.csv", index=False)
    config = LOG_CONFIG.format(path="log.csv", extra=extra, data_extra=data_extra)
    (folder / "segments.yml").write_text(config, encoding="utf-8")
    return folder / "segments.yml"


def customers(config_path: Path) -> pd.DataFrame:
    frame = load_table(load_config(config_path)).frame
    return frame.set_index("customer").sort_index()


def test_rfm_per_customer_matches_pandas(tmp_path: Path) -> None:
    log = make_log()
    got = customers(write_log(tmp_path, log))
    want = expected_rfm(log)
    assert list(got.index) == list(want.index)
    pd.testing.assert_frame_equal(got[want.columns], want, check_names=False, rtol=1e-12)


def test_numeric_customers_and_orders_take_the_fast_path(tmp_path: Path) -> None:
    log = make_log(rows=20_000, customers=900)
    log["customer"] = log["customer"].str[1:]  # "00042": read as the number 42
    log["order"] = log["order"].str[1:]
    got = load_table(load_config(write_log(tmp_path, log))).frame.set_index("customer")
    want = expected_rfm(log).rename(index=int)
    pd.testing.assert_frame_equal(got[want.columns], want, check_names=False, rtol=1e-12)


def test_an_order_shared_by_two_customers_counts_for_each(tmp_path: Path) -> None:
    log = make_log(rows=3_000, customers=100)
    log.loc[: len(log) // 2, "order"] = "O-shared"  # one order number across many customers
    got = customers(write_log(tmp_path, log))
    want = expected_rfm(log)
    pd.testing.assert_series_equal(got["frequency"], want["frequency"], check_names=False)


def test_as_of_and_purchase_days_without_orders(tmp_path: Path) -> None:
    log = make_log(rows=5_000, customers=300)
    config = write_log(tmp_path, log, data_extra="")
    text = config.read_text().replace(", order: order", ", as_of: 2025-06-30")
    config.write_text(text)
    got = customers(config)
    want = expected_rfm(log.assign(order=log["customer"] + log["date"]), "2025-06-30")
    pd.testing.assert_frame_equal(got[want.columns], want, check_names=False, rtol=1e-12)


def test_a_return_nets_out_of_spend_but_is_no_purchase(tmp_path: Path) -> None:
    log = make_log(rows=5_000, customers=300)
    rng = np.random.default_rng(3)
    sold = log.sample(400, random_state=3)
    returns = sold.assign(
        date=(
            pd.to_datetime(sold["date"]) + pd.to_timedelta(rng.integers(1, 40, 400), "D")
        ).dt.strftime("%Y-%m-%d"),
        order="R" + sold["order"],  # a return has an order number of its own
        amount=-(sold["amount"] * 0.5).round(2),
    )
    # One customer whose only lines are returns keeps them as purchases (nothing else is known).
    only = pd.DataFrame(
        {"customer": ["K99999"] * 2, "date": ["2024-03-01", "2024-05-01"], "order": ["R1", "R2"]}
    ).assign(amount=[-10.0, -5.0])
    both = pd.concat([log, returns, only], ignore_index=True)
    got = customers(write_log(tmp_path, both))
    want = expected_rfm(pd.concat([log, only], ignore_index=True), both_end(both))
    want["monetary"] = both.groupby("customer")["amount"].sum()
    want["average_order_value"] = want["monetary"] / want["frequency"]
    assert (got["frequency"] <= expected_rfm(both)["frequency"]).all()
    assert (got["frequency"] < expected_rfm(both)["frequency"]).sum() > 100
    pd.testing.assert_frame_equal(got[want.columns], want, check_names=False, rtol=1e-12)


def both_end(log: pd.DataFrame) -> str:
    """The as-of day the build uses: the day after the last date, returns included."""
    return str((pd.to_datetime(log["date"]).max() + pd.Timedelta(days=1)).date())


def test_as_of_before_the_last_purchase_is_refused(tmp_path: Path) -> None:
    config = write_log(tmp_path, make_log(rows=500, customers=20))
    config.write_text(config.read_text().replace(", order: order", ", as_of: 2024-01-05"))
    with pytest.raises(DataError) as caught:
        load_table(load_config(config))
    assert str(caught.value).startswith(
        f"{config}: data.transactions.as_of 2024-01-05 is before the last purchase in the log ("
    )
    assert str(caught.value).endswith("); expected a day on or after it")


def test_quantity_multiplies_the_amount(tmp_path: Path) -> None:
    log = make_log(rows=4_000, customers=200).assign(quantity=lambda f: (f.index % 3) + 1)
    got = customers(write_log(tmp_path, log, extra=", quantity: quantity"))
    want = log.assign(amount=log["amount"] * log["quantity"]).groupby("customer")["amount"].sum()
    np.testing.assert_allclose(got["monetary"], want.sort_index(), rtol=1e-12)


def test_headerless_whitespace_log_gives_the_same_customers(tmp_path: Path) -> None:
    log = make_log(rows=8_000, customers=400)
    config = write_log(tmp_path, log)
    # Aligned columns: runs of spaces, leading spaces, a blank line.
    lines = [f"  {c}   {d} {o}\t{a}" for c, d, o, a in log.itertuples(index=False)]
    text = "\n".join([*lines[:100], "", *lines[100:]]) + "\n"
    (tmp_path / "log.txt").write_text(text, encoding="utf-8")
    layout = (
        "  delimiter: whitespace\n  header: false\n  columns: [customer, date, order, amount]\n"
    )
    other = tmp_path / "ws.yml"
    other.write_text(
        config.read_text()
        .replace("path: log.csv", "path: log.txt")
        .replace("features:", layout + "features:")
    )
    pd.testing.assert_frame_equal(customers(other), customers(config))


def test_headerless_csv(tmp_path: Path) -> None:
    log = make_log(rows=3_000, customers=150)
    config = write_log(tmp_path, log)
    log.to_csv(tmp_path / "log.csv", index=False, header=False)
    text = config.read_text().replace(
        "features:", "  header: false\n  columns: [customer, date, order, amount]\nfeatures:"
    )
    config.write_text(text)
    got = customers(config)
    pd.testing.assert_frame_equal(got[["recency"]], expected_rfm(log)[["recency"]], rtol=1e-12)


@pytest.mark.parametrize(
    "pattern",
    ["%d/%m/%Y", "%m/%d/%Y %H:%M", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y"],
)
def test_common_date_formats(tmp_path: Path, pattern: str) -> None:
    log = make_log(rows=3_000, customers=150)
    shown = pd.to_datetime(log["date"]) + pd.Timedelta(hours=13, minutes=5)
    got = customers(write_log(tmp_path, log.assign(date=shown.dt.strftime(pattern))))
    pd.testing.assert_series_equal(got["tenure"], expected_rfm(log)["tenure"], check_names=False)


def test_bad_cells_of_the_log_are_named_by_line(tmp_path: Path) -> None:
    log = make_log(rows=50, customers=5).astype(str)
    log.loc[3, "date"] = "yesterday"
    log.loc[7, "amount"] = "ten"
    log.loc[9, "customer"] = ""
    config = write_log(tmp_path, log)
    with pytest.raises(DataError) as caught:
        load_table(load_config(config))
    assert str(caught.value) == (
        f"{tmp_path / 'log.csv'}: 3 problems: line 5, column 'date': value 'yesterday' is not "
        "a date such as 2024-01-31; line 9, column 'amount': value 'ten' is not a number; "
        "line 11, column 'customer': missing value; expected a customer ID "
        "(set data.missing: drop to leave out log rows with missing values)"
    )


def test_missing_drop_leaves_out_log_rows(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = make_log(rows=2_000, customers=100)
    log.loc[[4, 8], "amount"] = np.nan
    config = write_log(tmp_path, log, data_extra="")
    config.write_text(config.read_text().replace("data:\n", "data:\n  missing: drop\n"))
    with caplog.at_level(logging.INFO):
        table = load_table(load_config(config))
    want = expected_rfm(log.dropna())
    got = table.frame.set_index("customer").sort_index()
    pd.testing.assert_frame_equal(got[want.columns], want, check_names=False, rtol=1e-12)
    assert table.source.rows_dropped == 2
    made = f"made {len(want)} customers from 1,998 transactions (recency and tenure in days at"
    assert made in caplog.text
    assert "dropped 2 log rows with missing values (lines 6, 10)" in caplog.text


def test_features_must_be_columns_the_log_makes(tmp_path: Path) -> None:
    config = write_log(tmp_path, make_log(rows=100, customers=10))
    config.write_text(config.read_text().replace("[recency, frequency, monetary]", "[amount]"))
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value) == (
        f"{config}: 1 problem: features names 'amount', but data.transactions makes the "
        "columns recency, frequency, monetary, tenure, average_order_value"
    )


def test_rfm_features_get_persona_words(tmp_path: Path) -> None:
    config = load_config(write_log(tmp_path, make_log(rows=100, customers=10)))
    recency = config.features[0]
    assert (recency.label, dict(recency.words)) == (
        "Recency",
        {"Low": "Recent", "Medium": "Cooling", "High": "Lapsed"},
    )
    assert config.features[2].label == "Spend" and config.id_column == "customer"


def test_number_rows_gives_a_table_without_ids_row_numbers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"fresh": rng.gamma(2, 3, 300), "milk": rng.gamma(3, 2, 300)})
    frame.to_csv(tmp_path / "wholesale.csv", index=False)
    (tmp_path / "segments.yml").write_text(
        "data: {path: wholesale.csv, number_rows: true}\nfeatures: [fresh, milk]\n"
    )
    table = load_table(load_config(tmp_path / "segments.yml"))
    assert table.frame["row"].tolist() == list(range(1, 301))
    np.testing.assert_allclose(table.frame["milk"], frame["milk"])
    assert "refresh cannot compare customers one by one" in caplog.text


def test_the_as_of_day_of_a_log_is_remembered(tmp_path: Path) -> None:
    """The day after the last purchase, as the RFM columns count to it (the history's date)."""
    log = make_log(rows=500, customers=20)
    source = load_table(load_config(write_log(tmp_path, log))).source
    last = pd.to_datetime(log["date"]).max()
    assert source.as_of == (last + pd.Timedelta(days=1)).date()
