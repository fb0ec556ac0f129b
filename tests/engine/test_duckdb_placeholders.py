"""Placeholder customer IDs on DuckDB: left out or named exactly as a table in memory is."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.analysis.run import load_table
from generator.config.settings import load_config
from generator.errors import DataError
from generator.model import LeftOut
from tests.conftest import write_config

pytest.importorskip("duckdb")  # the default suite installs it (dev extra); see Makefile

CONFIG = """\
engine: ENGINE
data: {path: table.parquet, id_column: id, missing: MISSING}
features: [x, y]
k: 2
"""


def table(ids: list[object]) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame({"id": ids, "x": rng.normal(size=len(ids)), "y": rng.normal(size=len(ids))})


def loaded(folder: Path, frame: pd.DataFrame, engine: str, missing: str, extra: str = ""):
    config = CONFIG.replace("ENGINE", engine).replace("MISSING", missing) + extra
    path = write_config(folder / engine, config)
    frame.to_parquet(folder / engine / "table.parquet", index=False)
    return load_table(load_config(path))


TEXT_IDS = [f"C{i:03d}" for i in range(80)]
TEXT_IDS[5] = TEXT_IDS[17] = "unknown"
TEXT_IDS[30] = "(Blank)"
TEXT_IDS[44] = "guest"


@pytest.mark.parametrize(
    ("ids", "extra", "left_out"),
    [
        (TEXT_IDS, "", (LeftOut("placeholder", 4, ("unknown", "(Blank)", "guest")),)),
        # A zero on two rows stands for no one; stored integers are read as stored.
        ([0, 0, *range(1, 79)], "", (LeftOut("placeholder", 2, ("0",)),)),
        ([-1, *range(0, 79)], "", ()),  # one -1 and one 0: two customers
        (
            TEXT_IDS[:5] + ["99999"] * 3 + TEXT_IDS[8:],
            "columns: {id: {values: {'99999': ''}}}\n",
            (LeftOut("placeholder", 3, ("(Blank)", "guest", "unknown")), LeftOut("mapped", 3)),
        ),
    ],
    ids=["tokens", "repeated-zero", "single-zeros", "mapped-to-empty"],
)
def test_duckdb_leaves_out_what_memory_leaves_out(
    tmp_path: Path, ids: list[object], extra: str, left_out: tuple[LeftOut, ...]
) -> None:
    frame = table(ids)
    local = loaded(tmp_path, frame, "local", "drop", extra)
    duck = loaded(tmp_path, frame, "duckdb", "drop", extra)
    assert local.source.left_out == duck.source.left_out == left_out
    assert local.n_customers == duck.n_customers == 80 - sum(p.count for p in left_out)
    assert local.source.rows_dropped == duck.source.rows_dropped
    assert set(duck.frame["id"].astype(str)) <= set(local.frame["id"].astype(str))


def test_duckdb_names_the_placeholders_when_missing_is_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        loaded(tmp_path, table(TEXT_IDS), "duckdb", "error")
    assert str(caught.value) == (
        f"{tmp_path / 'duckdb' / 'table.parquet'}: 1 problem: column 'id': 4 rows hold a "
        "placeholder for unknown customers, not a customer ID ('unknown' (2 rows), '(Blank)' "
        "(1 row), 'guest' (1 row)); expected a customer ID (set data.missing: drop to drop rows "
        "with missing values or placeholder IDs)"
    )
    with pytest.raises(DataError) as local:
        loaded(tmp_path, table(TEXT_IDS), "local", "error")
    assert "value 'unknown' is a placeholder for unknown customers" in str(local.value)
