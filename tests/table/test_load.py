import hashlib
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from generator.analysis.run import load_table
from generator.config.settings import load_config
from generator.errors import DataError
from generator.table.excel import cell_text
from generator.table.read import read_table, scan_file
from tests.conftest import write_config

CONFIG = "data: {path: %s, id_column: id%s}\nfeatures: [x]\n"


def read(tmp_path: Path, content: bytes, name: str = "t.csv", data: str = ""):
    (tmp_path / name).write_bytes(content)
    return read_table(load_config(write_config(tmp_path, CONFIG % (name, data))))


@pytest.mark.parametrize(
    "content",
    [
        b"id,x\n1,2\n3,4\n",
        b"\xef\xbb\xbfid,x\n1,2\n3,4\n",
        b"id,x\r\n1,2\r\n3,4\r\n",
        b"\xef\xbb\xbfid,x\r\n1,2\r\n3,4",
        b"id,x\r1,2\r3,4\r",
    ],
    ids=["lf", "bom", "crlf", "bom-crlf-no-final-newline", "cr"],
)
def test_bom_and_line_endings_do_not_leak_into_names_or_values(
    tmp_path: Path, content: bytes
) -> None:
    table, info = read(tmp_path, content)
    assert table.column_names == ["id", "x"]
    assert table.to_pydict() == {"id": ["1", "3"], "x": ["2", "4"]}
    assert info.rows_read == 2 and info.columns == ("id", "x")


def test_values_stay_text_so_nothing_is_guessed(tmp_path: Path) -> None:
    table, _ = read(tmp_path, b'id,x\n007,"1,5"\n2, 3 \n')
    assert table.to_pydict() == {"id": ["007", "2"], "x": ["1,5", " 3 "]}


def test_delimiter_from_config(tmp_path: Path) -> None:
    table, _ = read(tmp_path, b"id;x\n1;2,5\n", data=", delimiter: ';'")
    assert table.to_pydict() == {"id": ["1"], "x": ["2,5"]}


@pytest.mark.parametrize(
    ("content", "rows", "lines"),
    [
        (b"id,x\n1,2\n3,4\n5,6\n", [0, 2], [2, 4]),
        (b"id,x\n\n1,2\n\r\n3,4\n5,6\n\n\n", [0, 1, 2], [3, 5, 6]),
        (b'id,x\n1,"a\nb\n\nc"\n3,4\n"5\n",6\n7,8\n', [0, 1, 2, 3], [2, 6, 7, 9]),
        (b'id,x\r\n1,"a\r\nb"\r\n3,4\r\n', [0, 1], [2, 4]),
    ],
    ids=["plain", "blank-lines", "multi-line-values", "crlf-multi-line"],
)
def test_rows_are_named_by_their_line_in_the_file(
    tmp_path: Path, content: bytes, rows: list[int], lines: list[int]
) -> None:
    _, info = read(tmp_path, content)
    assert info.lines.of(np.array(rows)).tolist() == lines
    assert info.lines.name(rows[-1]) == f"line {lines[-1]}"


@pytest.mark.parametrize(
    ("content", "lines", "odd"),
    [
        (b"a\nb\nc", 3, False),
        (b"a\nb\nc\n", 3, False),
        (b"a\nb\nc\r\n\r\n\n", 3, False),
        (b'a\n"b\nc"\n', 3, False),
        (b'a\n"b\n', 2, True),
    ],
)
def test_scan_counts_lines_without_trailing_breaks(
    tmp_path: Path, content: bytes, lines: int, odd: bool
) -> None:
    (tmp_path / "t.csv").write_bytes(content)
    sha256, facts = scan_file(tmp_path / "t.csv")
    assert (facts.lines, facts.odd_quotes) == (lines, odd)
    assert sha256 == hashlib.sha256(content).hexdigest()


def test_structure_errors_list_every_bad_row(tmp_path: Path) -> None:
    body = b"id,x\n" + b"".join(b"%d,1,9\n" % i for i in range(30))
    with pytest.raises(DataError) as info:
        read(tmp_path, body)
    assert len(info.value.details) == 30
    assert info.value.details[29] == "line 31 has 3 fields, expected 2 (text '29,1,9')"
    assert str(info.value).endswith("; and 10 more")


def test_not_utf8_names_the_line_even_far_into_the_file(tmp_path: Path) -> None:
    body = b"id,x\n" + b"1,2\n" * 400_000 + b"9,\xff\n"
    with pytest.raises(DataError, match=r"line 400002 is not UTF-8 text \(byte 0xff after '9,'\)"):
        read(tmp_path, body)


def test_parquet_keeps_its_own_types_and_names_rows_from_one(tmp_path: Path) -> None:
    pd.DataFrame({"id": [1, 2], "x": [0.5, 1.5]}).to_parquet(tmp_path / "t.parquet")
    table, info = read(tmp_path, (tmp_path / "t.parquet").read_bytes(), "t.parquet")
    assert table.column("x").to_pylist() == [0.5, 1.5]
    assert info.lines.name(0) == "row 1"


def test_excel_reads_the_first_sheet_as_text_with_sheet_row_numbers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["id", "x", "x"], [1, 2.0, "a"], [None, None], [2, 2.5, None]]:
        sheet.append(row)
    book.create_sheet("Notes")
    book.save(tmp_path / "t.xlsx")
    with caplog.at_level("INFO"):
        table, info = read(tmp_path, (tmp_path / "t.xlsx").read_bytes(), "t.xlsx")
    assert table.column_names == ["id", "x", "x"]  # not renamed to x.1: ambiguity stays visible
    assert table.column(1).to_pylist() == ["2", "2.5"]
    assert info.lines.of(np.array([0, 1])).tolist() == [2, 4]
    assert info.notes == ("read the first sheet 'Sheet' of 2",)
    assert "read the first sheet 'Sheet' of 2" in caplog.text


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, None), ("a", "a"), (19, "19"), (19.0, "19"), (2.5, "2.5"), (True, "TRUE")],
)
def test_excel_cells_read_as_typed(value: object, text: str | None) -> None:
    assert cell_text(value) == text


WIDE = b'id,notes,x,region\n1,"a, b",2,N\n3,c,4,S\n'


@pytest.mark.parametrize("name", ["t.csv", "t.parquet"])
def test_only_the_configured_columns_are_read(tmp_path: Path, name: str) -> None:
    if name.endswith(".parquet"):
        frame = pd.read_csv(io.BytesIO(WIDE), dtype=str)
        frame.to_parquet(tmp_path / name, index=False)
        table, info = read_table(load_config(write_config(tmp_path, CONFIG % (name, ""))))
    else:
        table, info = read(tmp_path, WIDE, name)
    assert table.column_names == ["id", "x"]
    assert info.columns == ("id", "notes", "x", "region")


def test_an_alias_is_read_and_a_missing_column_error_lists_the_whole_header(
    tmp_path: Path,
) -> None:
    aliased = "\ncolumns: {x: {aliases: [X Value]}}"
    (tmp_path / "t.csv").write_bytes(b"id,notes,X Value\n1,a,2\n")
    table, _ = read_table(load_config(write_config(tmp_path, CONFIG % ("t.csv", "") + aliased)))
    assert table.column_names == ["id", "X Value"]
    (tmp_path / "t.csv").write_bytes(b"id,notes,y\n1,a,2\n")
    with pytest.raises(DataError, match=r"missing column 'x' \(the file has 'id', 'notes', 'y'\)"):
        load_table(load_config(write_config(tmp_path, CONFIG % ("t.csv", ""))))


def test_an_unclosed_quote_in_a_column_not_used_is_still_found(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="line 3 opens a quoted field that never closes"):
        read(tmp_path, b'id,x,notes\n1,2,a\n3,4,"b\n5,6,c\n')


def _read_error(tmp_path: Path, content: bytes, name: str = "t.csv") -> str:
    with pytest.raises(DataError) as info:
        read(tmp_path, content, name)
    return str(info.value)


@pytest.mark.parametrize("tail", [b"", b"\n2,3\n"])
def test_a_line_over_16_mib_stops_before_any_parser_holds_it(tmp_path: Path, tail: bytes) -> None:
    content = b"id,x\n1,2\n3," + b"9" * (17 << 20) + tail
    assert _read_error(tmp_path, content) == (
        f"{tmp_path / 't.csv'}: line 3 is longer than 16,777,216 bytes, the most a row may "
        "have; is the file missing its line breaks, or a quote left open?"
    )


def test_a_long_column_name(tmp_path: Path) -> None:
    for size in (5000, 200_000):  # 200,000: beyond the csv module's default field limit
        content = b"id,x," + b"y" * size + b"\n1,2,3\n"
        assert _read_error(tmp_path, content) == (
            f"{tmp_path / 't.csv'}: line 1, column 3: a column name of {size:,} characters; "
            "expected at most 1,000"
        )


def test_an_xlsx_that_unzips_to_gigabytes_is_refused_unread(tmp_path: Path) -> None:
    import zipfile

    book = openpyxl.Workbook()
    book.active.append(["id", "x"])
    book.active.append([1, "A" * 100])
    saved = io.BytesIO()
    book.save(saved)
    # openpyxl cuts cells at Excel's 32,767 characters; a hostile file need not.
    bomb = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for part in source.infolist():
            data = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"A" * 100, b"A" * (8 << 20))
            out.writestr(part.filename, data)
    message = _read_error(tmp_path, bomb.getvalue(), "t.xlsx")
    assert message.startswith(f"{tmp_path / 't.xlsx'}: the workbook unzips to ")
    assert "(xl/worksheets/sheet1.xml alone 8,3" in message
    assert message.endswith(
        "expected at most 2,147,483,648 bytes and 200 times compression; save it as CSV"
    )
