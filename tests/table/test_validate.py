import pickle
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from generator.analysis.run import load_table
from generator.config.settings import Config, load_config
from generator.errors import DataError
from generator.model import RowLines, SourceInfo
from generator.table.problems import CellIssue, ProblemList, show
from generator.table.validation import validate
from tests.conftest import write_config

CONFIG = """\
data: {path: t.csv, id_column: id%s}
features: [x, y]
describe: [g]
k: 2
columns:
  g: {aliases: [Genre], values: {M: Male, F: Female}, allowed: [Female, Male]}
  y: {min: 0}
"""


def make(tmp_path: Path, data: str = "") -> Config:
    return load_config(write_config(tmp_path, CONFIG % data))


def run(config: Config, columns: dict[str, list[object]], lines: RowLines | None = None):
    raw = pa.table(columns)
    source = SourceInfo(config.data_path, "", raw.num_rows, tuple(raw.column_names))
    if lines is not None:
        source = SourceInfo(source.path, "", raw.num_rows, source.columns, lines=lines)
    return validate(raw, source, config)


def good(**changes: list[object]) -> dict[str, list[object]]:
    columns: dict[str, list[object]] = {
        "id": ["10", "2", "3"],
        "x": ["1", "2.5", "3"],
        "y": ["4", "5", "6"],
        "g": ["M", "F", "Male"],
    }
    return {**columns, **changes}


def problems(config: Config, columns: dict[str, list[object]]) -> tuple[str, ...]:
    with pytest.raises(DataError) as info:
        run(config, columns)
    return tuple(info.value.details)


def test_typed_table_sorted_by_numeric_id(tmp_path: Path) -> None:
    table = run(make(tmp_path), good())
    assert table.frame["id"].tolist() == [2, 3, 10]
    assert table.frame["x"].dtype == np.float64 and table.frame["x"].tolist() == [2.5, 3.0, 1.0]
    assert list(table.frame["g"].cat.categories) == ["Female", "Male"]
    assert table.frame["g"].tolist() == ["Female", "Male", "Male"]
    assert table.source.rows_dropped == 0


def test_aliases_case_and_whitespace_in_headers_are_noted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    columns = good()
    renamed = {" ID ": columns["id"], "X": columns["x"], "y": columns["y"], "genre": columns["g"]}
    with caplog.at_level("INFO"):
        table = run(make(tmp_path), renamed)
    notes = (
        "read column 'id' from the file's column ' ID '",
        "read column 'x' from the file's column 'X'",
        "read column 'g' from the file's column 'genre'",
        "column 'g': mapped 'M' to 'Male' (1 cell), 'F' to 'Female' (1 cell)",
    )
    assert table.source.notes == notes
    assert [r.getMessage().split(": ", 1)[1] for r in caplog.records] == list(notes)


def test_two_headers_for_one_column_are_an_error(tmp_path: Path) -> None:
    columns = {**good(), "Genre": ["M", "M", "M"]}
    assert problems(make(tmp_path), columns) == (
        "columns 'g' and 'Genre' both match 'g'; expected one",
    )


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["10", "2", "3"], [2, 3, 10]),
        (["007", "7", "08"], ["007", "08", "7"]),
        (["b", "a", "c"], ["a", "b", "c"]),
        ([10, 2, 3], [2, 3, 10]),
    ],
    ids=["whole-numbers", "leading-zeros-stay-text", "text", "parquet-integers"],
)
def test_id_types(tmp_path: Path, ids: list[object], expected: list[object]) -> None:
    assert run(make(tmp_path), good(id=ids)).frame["id"].tolist() == expected


@pytest.mark.parametrize("token", ["", "  ", "NA", "n/a", "NaN", "null", "None", None])
def test_missing_number_markers(tmp_path: Path, token: str | None) -> None:
    assert problems(make(tmp_path), good(x=["1", token, "3"])) == (
        "line 3, column 'x': missing value; expected a number",
    )


def test_missing_values_dropped_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    n = 12
    columns = {
        "id": [str(i) for i in range(n)],
        "x": ["" if i % 2 else str(i) for i in range(n)],
        "y": [str(i) for i in range(n)],
        "g": ["" if i == 0 else "M" for i in range(n)],
    }
    with caplog.at_level("INFO"):
        table = run(make(tmp_path, ", missing: drop"), columns)
    # A gap in the describe-only column g keeps its customer (id 0) in the segmentation.
    note = "dropped 6 rows with missing values (lines 3, 5, 7, 9, 11 and 1 more)"
    assert caplog.records[0].getMessage().endswith(note)
    assert table.source.rows_dropped == 6 and note in table.source.notes
    assert table.frame["id"].tolist() == [0, 2, 4, 6, 8, 10]
    assert table.frame["g"].isna().tolist() == [True] + [False] * 5


def test_every_problem_at_once_ordered_by_line_then_column(tmp_path: Path) -> None:
    columns = good(id=["1", "1", ""], x=["a", "2", ""], y=["-1", "5", "x"], g=["M", "Q", "F"])
    assert problems(make(tmp_path), columns) == (
        "line 2, column 'x': value 'a' is not a number",
        "line 2, column 'y': value -1 is not a number >= 0",
        "line 3, column 'id': value 1 repeats the ID on line 2; expected unique IDs",
        "line 3, column 'g': value 'Q' is not one of Female, Male",
        "line 4, column 'id': missing value; expected a customer ID",
        "line 4, column 'x': missing value; expected a number",
        "line 4, column 'y': value 'x' is not a number",
    )


def test_problems_use_the_sources_row_names(tmp_path: Path) -> None:
    lines = RowLines("row", 2, numbers=np.array([2, 5, 9]))
    with pytest.raises(DataError) as info:
        run(make(tmp_path), good(x=["1", "2", "z"]), lines)
    assert list(info.value.details) == ["row 9, column 'x': value 'z' is not a number"]


def test_message_shows_the_first_problems_and_keeps_them_all(tmp_path: Path) -> None:
    n = 1000
    columns = {"id": [str(i) for i in range(n)], "x": ["?"] * n, "y": ["1"] * n, "g": ["M"] * n}
    with pytest.raises(DataError) as info:
        run(make(tmp_path), columns)
    assert str(info.value).startswith(f"{tmp_path / 't.csv'}: 1000 problems: line 2, column 'x'")
    assert str(info.value).endswith("; and 980 more")
    assert len(info.value.details) == n
    assert list(info.value.details)[-1] == "line 1001, column 'x': value '?' is not a number"


def test_problem_list_formats_lazily_in_row_order(tmp_path: Path) -> None:
    # A blank line after the header and one inside the data: records no longer map onto lines.
    table = tmp_path / "t.csv"
    table.write_text("a,b\n\nx,1\ny,2\n\nz,3\nw,4\n")
    issues = [
        CellIssue("b", np.array([3, 1]), ["p", "q"], "value {value} is bad"),
        CellIssue("a", np.array([1]), None, "missing value; expected a number"),
    ]
    listed = ProblemList(issues, RowLines(records_in=table))
    assert len(listed) == 3
    assert listed[0] == "line 4, column 'b': value 'q' is bad"
    assert listed[1:] == [
        "line 4, column 'a': missing value; expected a number",
        "line 7, column 'b': value 'p' is bad",
    ]
    assert pickle.loads(pickle.dumps(RowLines(records_in=table))).name(2) == "line 6"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("abc", "'abc'"),
        (5.0, "5"),
        (2.5, "2.5"),
        (np.int64(3), "3"),
        ("x" * 50, repr("x" * 40 + "...")),
    ],
)
def test_show(value: object, shown: str) -> None:
    assert show(value) == shown


def test_an_extreme_outlier_is_named_before_k_auto_isolates_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.conftest import INCOME, mall_frame, write_mall

    frame = mall_frame()
    frame.loc[17, INCOME] = 1e12
    config = load_config(write_mall(tmp_path, frame))
    with caplog.at_level("WARNING"):
        load_table(config)
    assert caplog.messages == [
        f"{config.data_path}: column 'Annual Income (k$)' has 1 value far from the rest (over "
        "1,000 median absolute deviations from the median 62); k-means may give them a segment "
        "of their own: check them, or try scaling: robust or log"
    ]
    assert "1000000000000" not in caplog.text  # no customer's value in a build log
