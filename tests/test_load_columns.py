"""``load`` reads only the columns the config uses (CSV and Parquet), and all when in doubt."""

from pathlib import Path

import pandas as pd
import pytest

from generator.config import load_config
from generator.errors import DataError
from generator.load import read_table
from generator.pipeline import load_table
from tests.conftest import MALL_CONFIG, ROOT

MALL = ROOT / "data" / "mall_customers.csv"


def _table_config(folder: Path, frame: pd.DataFrame, name: str) -> Path:
    if name.endswith(".parquet"):
        frame.to_parquet(folder / name, index=False)
    else:
        frame.to_csv(folder / name, index=False)
    text = MALL_CONFIG.read_text(encoding="utf-8").replace("mall_customers.csv", name)
    path = folder / "segments.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["wide.csv", "wide.parquet"])
def test_only_used_columns_are_read(tmp_path: Path, name: str) -> None:
    frame = pd.read_csv(MALL).rename(columns={"Gender": "genre", "CustomerID": " customerid "})
    frame.insert(1, "Notes", "free text")
    frame["Store"] = "North"
    config = load_config(_table_config(tmp_path, frame, name))
    raw, source = read_table(config)
    assert raw.column_names == [
        " customerid ",
        "genre",
        "Age",
        "Annual Income (k$)",
        "Spending Score (1-100)",
    ]
    assert source.columns == tuple(frame.columns)
    assert load_table(config).n_customers == 200


def test_a_missing_column_still_lists_the_whole_header(tmp_path: Path) -> None:
    frame = pd.read_csv(MALL).drop(columns=["Age"]).assign(Notes="x")
    config = load_config(_table_config(tmp_path, frame, "t.csv"))
    with pytest.raises(DataError, match=r"missing column 'Age' \(the file has .*'Notes'\)"):
        load_table(config)
