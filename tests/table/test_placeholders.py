"""Customer IDs that stand for no customer: left out with their reason, or named in an error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from generator.analysis.run import load_table
from generator.config.settings import ColumnRule, load_config
from generator.errors import DataError
from generator.model import LeftOut
from generator.table.placeholders import id_cells
from tests.conftest import write_config
from tests.table.test_transactions import expected_rfm, make_log, write_log


@pytest.mark.parametrize(
    ("cell", "placeholder"),
    [
        ("(blank)", True),
        (" (Blank) ", True),
        ("UNKNOWN", True),
        ("[unknown]", True),
        ("guest", True),
        ("Anonymous", True),
        ("-", True),
        ("#N/A", True),
        ("(null)", True),
        ("C00017", False),
        ("blanket", False),
        ("0", False),  # once: the customer numbered 0
    ],
)
def test_placeholder_tokens(cell: str, placeholder: bool) -> None:
    ids = id_cells("id", pa.array(["C1", cell, "C2"]), ColumnRule())
    assert ids.placeholder.tolist() == [False, placeholder, False]
    assert not ids.missing.any()


def test_blank_and_na_are_missing_not_placeholders() -> None:
    ids = id_cells("id", pa.array(["", "NA", "n/a", "None", "C1"]), ColumnRule())
    assert ids.missing.tolist() == [True, True, True, True, False]
    assert not ids.placeholder.any() and ids.left_out == ()


def test_a_zero_on_two_rows_of_a_table_is_a_placeholder_one_zero_is_not() -> None:
    ids = id_cells("id", pa.array(["0", "1", "0", "-1", "2"]), ColumnRule())
    assert ids.placeholder.tolist() == [True, False, True, False, False]
    assert ids.left_out == (LeftOut("placeholder", 2, ("0",)),)
    stored = id_cells("id", pa.array([0, 1, 0, 5], pa.int64()), ColumnRule())
    assert stored.placeholder.tolist() == [True, False, True, False]


def test_in_a_log_a_zero_is_only_a_candidate() -> None:
    ids = id_cells("id", pa.array(["0", "1", "0", "(blank)"]), ColumnRule(), log=True)
    assert ids.placeholder.tolist() == [False, False, False, True]
    assert ids.sentinel.tolist() == [True, False, True, False]


def test_the_value_mapping_applies_to_the_id_and_empties_a_placeholder() -> None:
    rule = ColumnRule(values=(("99999", ""), ("C-OLD", "C1")))
    ids = id_cells("id", pa.array(["99999", "C-OLD", "C1", "99999"]), rule)
    assert ids.text.to_pylist() == ["", "C1", "C1", ""]
    assert ids.placeholder.tolist() == [True, False, False, True]
    assert ids.left_out == (LeftOut("mapped", 2),)


TABLE = """\
data: {path: table.csv, id_column: id%s}
features: [x, y]
k: 2
"""


def customers(rows: int = 60, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": [f"C{i:03d}" for i in range(rows)],
            "x": rng.normal(size=rows),
            "y": rng.normal(size=rows),
        }
    )


def test_placeholder_ids_of_a_table_stop_the_build_naming_them(tmp_path: Path) -> None:
    frame = customers()
    frame.loc[[3, 9, 40], "id"] = ["unknown", "unknown", "(blank)"]
    path = write_config(tmp_path, TABLE % "", frame)
    with pytest.raises(DataError) as caught:
        load_table(load_config(path))
    assert str(caught.value) == (
        f"{tmp_path / 'table.csv'}: 2 problems: line 5, column 'id': value 'unknown' is a "
        "placeholder for unknown customers, not a customer ID (2 rows hold it); line 42, column "
        "'id': value '(blank)' is a placeholder for unknown customers, not a customer ID (set "
        "data.missing: drop to drop rows with missing values or placeholder IDs)"
    )


def test_placeholder_ids_of_a_table_are_left_out_with_drop(tmp_path: Path) -> None:
    frame = customers()
    frame.loc[[3, 9, 40], "id"] = ["unknown", "unknown", "(blank)"]
    path = write_config(tmp_path, TABLE % ", missing: drop", frame)
    table = load_table(load_config(path))
    assert table.n_customers == 57 and table.source.rows_dropped == 3
    assert table.source.left_out == (LeftOut("placeholder", 3, ("unknown", "(blank)")),)


def test_an_id_mapped_to_empty_is_left_out_not_ignored(tmp_path: Path) -> None:
    frame = customers()
    frame.loc[[3, 9], "id"] = "99999"
    config = TABLE % ", missing: drop" + "columns: {id: {values: {'99999': ''}}}\n"
    path = write_config(tmp_path, config, frame)
    table = load_table(load_config(path))
    assert table.n_customers == 58 and "99999" not in set(table.frame["id"])
    assert table.source.left_out == (LeftOut("mapped", 2),)


def anonymous_log(share: float, token: str = "(blank)") -> pd.DataFrame:
    """A log whose anonymous lines (``share`` of them) carry ``token`` as the customer."""
    log = make_log(rows=4_000, customers=200, seed=3)
    rng = np.random.default_rng(4)
    log.loc[rng.uniform(size=len(log)) < share, "customer"] = token
    return log


def test_a_placeholder_customer_of_a_log_is_left_out_and_counted(tmp_path: Path) -> None:
    log = anonymous_log(0.15)
    path = write_log(tmp_path, log)
    path.write_text(path.read_text().replace("data:\n", "data:\n  missing: drop\n"))
    table = load_table(load_config(path))
    known = log[log["customer"] != "(blank)"]
    want = expected_rfm(known)
    got = table.frame.set_index("customer").sort_index()
    assert list(got.index) == list(want.index)
    np.testing.assert_allclose(got["monetary"], want["monetary"], rtol=1e-12)
    anonymous = int((log["customer"] == "(blank)").sum())
    assert table.source.left_out == (LeftOut("placeholder", anonymous, ("(blank)",)),)
    assert table.source.log_lines == len(known) and table.source.log_no_id == 0


def test_a_placeholder_customer_of_a_log_stops_the_build_without_drop(tmp_path: Path) -> None:
    log = anonymous_log(0.15)
    path = write_log(tmp_path, log)
    with pytest.raises(DataError) as caught:
        load_table(load_config(path))
    first = int(np.flatnonzero(log["customer"] == "(blank)")[0]) + 2
    anonymous = int((log["customer"] == "(blank)").sum())
    assert str(caught.value) == (
        f"{tmp_path / 'log.csv'}: 1 problem: line {first}, column 'customer': value '(blank)' is "
        f"a placeholder for unknown customers, not a customer ID ({anonymous:,} lines hold it) "
        "(set data.missing: drop to leave out log rows with missing values or placeholder "
        "customer IDs)"
    )


def test_an_id_on_implausibly_many_lines_stops_the_build(tmp_path: Path) -> None:
    log = anonymous_log(0.12, token="K99999")
    path = write_log(tmp_path, log)
    with pytest.raises(DataError) as caught:
        load_table(load_config(path))
    count = int((log["customer"] == "K99999").sum())
    assert f"value 'K99999' is on {count:,} of 4,000 lines ({count / 4000:.0%})" in str(
        caught.value
    )
    assert "map it to empty under columns: (with data.missing: drop)" in str(caught.value)
    # Mapped to itself, it is one customer; mapped to empty, its lines are left out.
    config = path.read_text()
    path.write_text(config + "columns: {customer: {values: {K99999: K99999}}}\n")
    assert "K99999" in set(load_table(load_config(path)).frame["customer"])
    path.write_text(
        config.replace("data:\n", "data:\n  missing: drop\n")
        + "columns: {customer: {values: {K99999: ''}}}\n"
    )
    table = load_table(load_config(path))
    assert "K99999" not in set(table.frame["customer"])
    assert table.source.left_out == (LeftOut("mapped", count),)


def test_a_zero_on_implausibly_many_lines_is_a_placeholder(tmp_path: Path) -> None:
    log = make_log(rows=4_000, customers=200, seed=3)
    # Zero-padded whole-number IDs, as CDNOW writes them; unknown customers are 00000.
    log["customer"] = (log["customer"].str.lstrip("K").astype(int) + 1).map("{:05d}".format)
    rng = np.random.default_rng(4)
    log.loc[rng.uniform(size=len(log)) < 0.2, "customer"] = "00000"
    log.loc[rng.uniform(size=len(log)) < 0.01, "customer"] = "guest"
    path = write_log(tmp_path, log)
    path.write_text(path.read_text().replace("data:\n", "data:\n  missing: drop\n"))
    table = load_table(load_config(path))
    stand_ins = log["customer"].isin(["00000", "guest"])
    assert 0 not in set(table.frame["customer"])
    assert table.n_customers == log.loc[~stand_ins, "customer"].nunique()
    assert table.source.left_out == (
        LeftOut("placeholder", int(stand_ins.sum()), ("guest", "00000")),
    )
