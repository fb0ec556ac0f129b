"""How `init` reads a table as a whole: logs, dates as numbers, amounts, IDs, personal data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator.commands import choose
from generator.commands.init import inspect
from generator.commands.init_model import Layout
from generator.commands.logs import find_log, is_line_total
from generator.config.settings import Transactions
from generator.table.personal import personal_kind
from tests.e2e.real_tables import bank_churn, cdnow, online_retail, superstore


def text(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as `init` reads them: text, blanks as ""."""
    return frame.astype(str).replace({"nan": ""})


def test_a_log_with_a_unique_row_id_and_customer_names_is_a_log() -> None:
    log = find_log(text(superstore(lines=1_200, customers=120)), named=True)
    assert log == Transactions("Customer ID", "Order Date", "Sales", "Order ID", "")


def test_a_customer_table_whose_names_repeat_is_not_a_log() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "Customer ID": [f"C{i}" for i in range(300)],
            "Customer Name": rng.choice([f"Name {i}" for i in range(250)], 300),
            "Signup Date": "2024-01-05",
            "Total Spend": rng.lognormal(3, 1, 300).round(2),
        }
    )
    assert find_log(text(frame), named=True) is None


def test_the_headerless_cdnow_log_is_a_log_of_line_totals() -> None:
    frame = cdnow(customers=400).astype(str)
    frame["customer"] = frame["customer"].str.zfill(5)
    frame.columns = [f"column_{n}" for n in range(1, 5)]
    log = find_log(frame, named=False)
    assert log == Transactions("column_1", "column_2", "column_4", "", "")


@pytest.mark.parametrize(
    ("columns", "amount", "quantity"),
    [
        (("Sales", "Quantity"), "Sales", ""),  # a line total is never multiplied
        (("amount", "quantity"), "amount", ""),  # CDNOW with a header
        (("UnitPrice", "Quantity"), "UnitPrice", "Quantity"),
        (("Price", "Qty"), "Price", "Qty"),
        (("Sale Price", "Units"), "Sale Price", "Units"),
        (("Total Price", "Quantity"), "Total Price", ""),
        (("Quantity", "Unit Cost", "Line Total"), "Line Total", ""),
        (("Quantity", "Profit"), "", ""),  # neither a total nor a price: no spend
    ],
)
def test_amounts(columns: tuple[str, ...], amount: str, quantity: str) -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {"customer_id": rng.integers(1, 60, 600), "date": "2024-02-01"}
        | {
            c: (
                rng.integers(1, 9, 600)
                if c in ("Quantity", "Qty", "Units", "quantity")
                else rng.lognormal(2, 1, 600).round(2)
            )
            for c in columns
        }
    )
    log = find_log(text(frame), named=True)
    assert log is not None and (log.amount, log.quantity) == (amount, quantity)


@pytest.mark.parametrize(
    ("name", "total"),
    [
        ("Sales", True),
        ("TotalAmount", True),
        ("Consumer", False),
        ("UnitPrice", False),
        ("Line Cost", True),
        ("Discount", False),
    ],
)
def test_line_totals_by_name(name: str, total: bool) -> None:
    assert is_line_total(name) is total


@pytest.mark.parametrize(
    ("values", "dates"),
    [
        (["19970101", "19980630"], True),
        (["20240229", "19991231"], True),
        (["15634602", "15647311"], False),  # a bank's customer IDs
        (["20241301", "20240101"], False),  # month 13
        (["18991231", "19000101"], False),  # before the plausible years
        (["1997011", "19970101"], False),
    ],
)
def test_dates_written_as_yyyymmdd_numbers(values: list[str], dates: bool) -> None:
    assert choose.is_yyyymmdd(pd.Series(values)) is dates


def test_never_clustered_nor_profiled() -> None:
    frame = text(bank_churn(rows=800))
    days = np.datetime64("2018-01-01") + np.random.default_rng(3).integers(0, 900, 800)
    frame["Joined"] = pd.Series(days).dt.strftime("%Y%m%d")  # whole numbers in the file
    roles = {c: choose.judge(c, frame[c]) for c in frame.columns if c != "CustomerId"}
    assert (roles["RowNumber"].role, roles["RowNumber"].why) == (
        "skip",
        "row numbers (1 to 800), not a measure",
    )
    assert (roles["Surname"].role, roles["Surname"].why) == ("personal", "names")
    assert (roles["Email"].role, roles["Email"].why) == ("personal", "e-mail addresses")
    assert roles["Joined"].role == "date"
    starter = inspect(frame, Layout())
    chosen = {c for c, _ in (*starter.features, *starter.describe)}
    assert not chosen & {"RowNumber", "Surname", "Email", "CustomerId"}
    assert starter.personal == (("Surname", "names"), ("Email", "e-mail addresses"))
    assert dict(starter.since) == {"Joined": "days"}


def test_an_order_id_is_an_identifier_not_a_category() -> None:
    orders = pd.Series([f"CA-2017-{100_000 + n // 2}" for n in range(600)])
    column = choose.judge("Order ID", orders)
    assert (column.role, column.why) == ("skip", "an identifier (300 values), not a measure")


@pytest.mark.parametrize(
    ("name", "values", "kind"),
    [
        ("Surname", None, "names"),
        ("Customer Name", None, "names"),
        ("Product Name", None, ""),
        ("e-mail", None, "e-mail addresses"),
        ("PhoneService", None, ""),
        ("Mobile", None, "phone numbers"),
        ("Postal Code", None, "postal codes"),
        ("Street", None, "street addresses"),
        ("ip", None, "IP addresses"),
        ("contact", ["ana@example.com", "bo@example.org"], "e-mail addresses"),
        ("contact", ["+1 555-123-4567", "(555) 987-6543"], "phone numbers"),
        ("where", ["12 Main St", "9 Oak Road"], "street addresses"),
        ("host", ["10.0.0.1", "192.168.1.20"], "IP addresses"),
        ("who", ["Claire Gute", "Darrin Van Huff"], "names"),
        ("notes", ["2024-01-31", "2024-02-01"], ""),
        ("city", ["Los Angeles"] * 5 + ["New York"] * 5, ""),
        ("code", ["12345", "67890"], ""),
    ],
)
def test_personal_data(name: str, values: list[str] | None, kind: str) -> None:
    assert personal_kind(name, None if values is None else pd.Series(values)) == kind


def test_the_decision_in_one_paragraph() -> None:
    from generator.commands.init_yaml import decision

    starter = inspect(text(superstore(lines=1_200, customers=120)), Layout())
    assert decision(starter) == (
        "a transaction log: 1,200 lines, 120 customers (Customer ID), dates (Order Date), "
        "amounts (Sales), orders (Order ID); left out as personal data: Customer Name, Postal Code"
    )
    retail = text(online_retail(lines=3_000, customers=200))
    blank = int((retail["CustomerID"] == "(blank)").sum())
    assert decision(inspect(retail, Layout())) == (
        "a transaction log: 3,000 lines, 200 customers (CustomerID), dates (InvoiceDate), unit "
        "prices (UnitPrice) times quantities (Quantity), orders (InvoiceNo); "
        f"{blank:,} lines whose customer ID stands for unknown customers left out ('(blank)')"
    )


def test_a_customer_table_whose_stand_ins_repeat_keeps_its_id() -> None:
    frame = text(bank_churn(rows=400)).drop(columns=["Surname", "Email"])
    frame.loc[[3, 30, 300], "CustomerId"] = "unknown"
    frame.loc[[4, 40], "CustomerId"] = "0"
    starter = inspect(frame, Layout())
    assert starter.id_column == "CustomerId"
    assert starter.id_reason == "unique for every customer, and its name looks like an ID"
    assert starter.placeholders == (("unknown", 3), ("0", 2))
    assert starter.missing == (
        "'CustomerId' holds IDs that stand for unknown customers, not for one: 'unknown' on 3 "
        "rows, '0' on 2 rows; those rows are left out"
    )


def test_a_customer_table_with_stand_ins_or_a_repeated_id_is_not_a_log() -> None:
    rng = np.random.default_rng(4)
    ids = [f"C{i}" for i in range(500)]
    ids[10:40] = ["(blank)"] * 30  # stand-ins repeat in a table too
    ids[41] = ids[42]  # a mistake, for validation to name
    frame = pd.DataFrame(
        {"Customer ID": ids, "Signup Date": "2024-01-05", "Spend": rng.lognormal(3, 1, 500)}
    )
    assert find_log(text(frame), named=True) is None


@pytest.mark.parametrize(
    ("name", "values", "positive"),
    [
        ("Churn", ["Yes", "No", "No", ""], "Yes"),
        ("Exited", ["1", "0", "0"], "1"),
        ("Response", ["0", "1"], "1"),
        ("Complain", ["False", "True"], "True"),
        ("Attrition_Flag", ["Existing Customer", "Attrited Customer"], "Attrited Customer"),
        ("default payment next month", ["1", "0"], "1"),
        ("Response", ["1", "2", "3"], None),  # a score, not an outcome
        ("Income", ["1", "0"], None),  # not an outcome's name
        ("Churn", ["Early", "Late"], None),  # neither value says which is the outcome
    ],
)
def test_outcomes_by_name_and_values(name: str, values: list[str], positive: str | None) -> None:
    found = choose.outcome(name, pd.Series(values))
    assert (found[0] if found else None) == positive


def test_an_outcome_is_proposed_never_clustered_nor_described() -> None:
    frame = text(bank_churn(rows=600))
    starter = inspect(frame, Layout())
    assert [(c, v) for c, v, _ in starter.outcomes] == [("Exited", "1")]
    assert "Exited" not in {c for c, _ in (*starter.features, *starter.describe)}
