"""Bad inputs through the real CLI: each case is files to write plus the exact stderr expected.

``BAD_INPUTS`` is one table on purpose: another test can write the same cases next to a built
site, run ``segments build`` instead of ``validate``, and check ``docs/`` and ``site/`` are
unchanged (every case must exit 2 whatever the command). ``write_case`` writes a case into a
folder and returns its config path; ``expected_stderr`` fills in the folder.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli

CONFIG = """\
data: {path: table.csv, id_column: id%(data)s}
features: [income, spend]
describe: [age, gender]
k: %(k)s
columns:
  gender: {aliases: [Genre], values: {M: Male, F: Female}, allowed: [Female, Male]}
  age: {min: 0, max: 120}
  spend: {min: 1, max: 100}
%(extra)s"""

HEADER = "id,gender,age,income,spend\n"
ROWS = [
    "1,Male,19,15,39\n",
    "2,Female,21,15,81\n",
    "3,F,20,16,6\n",
    "4,M,23,16,77\n",
    "5,Female,31,17,40\n",
    "6,Male,22,17,76\n",
]
GOOD = HEADER + "".join(ROWS)


def config(data: str = "", k: str = "2", extra: str = "") -> str:
    """The base config, with extra ``data:`` keys (", key: value"), k and extra YAML."""
    return CONFIG % {"data": data, "k": k, "extra": extra}


def rows(*replace: tuple[int, str]) -> str:
    """The good table with data row ``n`` (1-based) replaced by the given text."""
    lines = list(ROWS)
    for n, text in replace:
        lines[n - 1] = text
    return HEADER + "".join(lines)


def xlsx(cells: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in cells:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parquet(columns: dict[str, list[object]]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


PARQUET_GOOD: dict[str, list[object]] = {
    "id": [1, 2, 3, 4, 5, 6],
    "gender": ["Male", "Female", "F", "M", "Female", "Male"],
    "age": [19, 21, 20, 23, 31, 22],
    "income": [15.0, 15.0, 16.0, 16.0, 17.0, 17.0],
    "spend": [39, 81, 6, 77, 40, 76],
}
XLSX_GOOD = [line.strip().split(",") for line in GOOD.splitlines()]


@dataclass(frozen=True)
class Case:
    """One bad input: the files of a project folder and the exact stderr of the CLI.

    ``stderr`` uses ``{dir}`` for the folder; the data file is ``table.csv`` unless the config
    names another.
    """

    name: str
    data: bytes | str
    stderr: str
    config: str = field(default_factory=config)
    data_name: str = "table.csv"

    def files(self) -> dict[str, bytes]:
        data = self.data.encode() if isinstance(self.data, str) else self.data
        return {"segments.yml": self.config.encode(), self.data_name: data}


def err(text: str) -> str:
    return f"error: {text}\n"


T = "{dir}/table.csv"

BAD_INPUTS = [
    # --- encodings ------------------------------------------------------------------------
    Case(
        "latin1-value",
        rows((3, "3,F,20,caf\xe9,6\n")).encode("latin-1"),
        err(
            f"{T}: line 4 is not UTF-8 text (byte 0xe9 after '3,F,20,caf'); save the file as UTF-8"
        ),
    ),
    Case(
        "latin1-header",
        "id,g\xe9nder,age,income,spend\n1,M,1,1,1\n".encode("latin-1"),
        err(f"{T}: line 1 is not UTF-8 text (byte 0xe9 after 'id,g'); save the file as UTF-8"),
    ),
    Case("utf16", GOOD.encode("utf-16"), err(f"{T}: the file is UTF-16 text; save it as UTF-8")),
    Case(
        "utf16-without-bom",
        GOOD.encode("utf-16-le"),
        err(f"{T}: the file is UTF-16 text without a byte order mark; save it as UTF-8"),
    ),
    Case(
        "utf16-big-endian-without-bom",
        GOOD.encode("utf-16-be"),
        err(f"{T}: the file is UTF-16 text without a byte order mark; save it as UTF-8"),
    ),
    # --- issue 15: values whose square overflows, NUL and control characters, uint64 IDs ----
    Case(
        "float32-overflows",  # issue 21: passed validate, then build exited 1 (float32 trees)
        rows((2, "2,Female,21,1e100,81\n")),
        err(
            f"{T}: 1 problem: line 3, column 'income': value '1e100' is too large; expected a "
            "number within ±1e+38"
        ),
    ),
    Case(
        "square-overflows",
        rows((2, "2,Female,21,1e308,81\n")),
        err(
            f"{T}: 1 problem: line 3, column 'income': value '1e308' is too large; expected a "
            "number within ±1e+38"
        ),
    ),
    Case(
        "nul-in-an-id",
        rows((1, "1\0,Male,19,15,39\n")),
        err(
            f"{T}: 1 problem: line 2, column 'id': value '1\\x00' holds a control character; "
            "expected printable text"
        ),
    ),
    Case(
        "nul-in-a-category",
        rows((2, "2,Fem\0ale,21,15,81\n")),
        err(
            f"{T}: 2 problems: line 3, column 'gender': value 'Fem\\x00ale' is not one of "
            "Female, Male; line 3, column 'gender': value 'Fem\\x00ale' holds a control "
            "character; expected printable text"
        ),
    ),
    Case(
        "bidi-override-in-a-category",  # issue 21, Low: U+202E reversed what a page shows
        rows((2, "2,Fe\u202emale,21,15,81\n")),
        err(
            f"{T}: 2 problems: line 3, column 'gender': value 'Fe\\u202emale' is not one of "
            "Female, Male; line 3, column 'gender': value 'Fe\\u202emale' holds an invisible "
            "bidi or zero-width character; expected printable text"
        ),
    ),
    Case(
        "zero-width-in-an-id",
        rows((1, "1\u200b,Male,19,15,39\n")),
        err(
            f"{T}: 1 problem: line 2, column 'id': value '1\\u200b' holds an invisible bidi or "
            "zero-width character; expected printable text"
        ),
    ),
    Case(
        "uint64-id-beyond-int64",
        parquet({**PARQUET_GOOD, "id": pa.array([1, 2, 3, 2**63, 5, 2**64 - 1], pa.uint64())}),
        err(
            "{dir}/table.parquet: 2 problems: row 4, column 'id': value 9223372036854775808 "
            "does not fit a 64-bit ID; store IDs of 2^63 or more as text; row 6, column 'id': "
            "value 18446744073709551615 does not fit a 64-bit ID; store IDs of 2^63 or more as "
            "text"
        ),
        config().replace("table.csv", "table.parquet"),
        "table.parquet",
    ),
    Case(
        "cut-utf8-at-end",
        GOOD.encode() + b"7,Male,22,17,7\xc3",
        err(
            f"{T}: line 8 is not UTF-8 text (byte 0xc3 after '7,Male,22,17,7'); "
            "save the file as UTF-8"
        ),
    ),
    Case(
        "xlsx-named-csv",
        xlsx(XLSX_GOOD),
        err(
            f"{T}: the file is a zip file (such as .xlsx), not CSV text; give an Excel file the "
            ".xlsx name"
        ),
    ),
    # --- delimiters -----------------------------------------------------------------------
    Case(
        "semicolons",
        GOOD.replace(",", ";"),
        err(
            f"{T}: line 1 has a single column 'id;gender;age;income;spend'; expected columns "
            "separated by ',' (it looks separated by ';': set data.delimiter: ';')"
        ),
    ),
    Case(
        "tabs",
        GOOD.replace(",", "\t"),
        err(
            f"{T}: line 1 has a single column 'id\\tgender\\tage\\tincome\\tspend'; expected "
            'columns separated by \',\' (it looks separated by "\\t": set data.delimiter: "\\t")'
        ),
    ),
    Case(
        "commas-but-semicolon-configured",
        GOOD,
        err(
            f"{T}: line 1 has a single column 'id,gender,age,income,spend'; expected columns "
            "separated by ';' (it looks separated by ',': set data.delimiter: ',')"
        ),
        config(", delimiter: ';'"),
    ),
    # --- row structure --------------------------------------------------------------------
    Case(
        "extra-and-missing-field",
        rows((2, "2,Female,21,15,81,9\n"), (5, "5,Female,31\n")),
        err(
            f"{T}: 2 problems: line 3 has 6 fields, expected 5 (text '2,Female,21,15,81,9'); "
            "line 6 has 3 fields, expected 5 (text '5,Female,31')"
        ),
    ),
    Case(
        "extra-field-after-blank-line-and-multiline-value",
        HEADER + '1,"Ma\nle",19,15,39\n\n2,Female,21,15,81\n3,F,20,16,6,1\n',
        err(f"{T}: 1 problem: line 6 has 6 fields, expected 5 (text '3,F,20,16,6,1')"),
    ),
    Case(
        "crlf-missing-field",
        rows((4, "4,M,23\n")).replace("\n", "\r\n"),
        err(f"{T}: 1 problem: line 5 has 3 fields, expected 5 (text '4,M,23')"),
    ),
    Case(
        "whitespace-line",
        rows((3, "   \n")),
        err(f"{T}: 1 problem: line 4 has 1 field, expected 5 (text '   ')"),
    ),
    Case(
        "unclosed-quote",
        rows((5, '5,Female,31,17,"40\n')),
        err(f'{T}: line 6 opens a quoted field that never closes; expected a closing quote (")'),
    ),
    # --- header ---------------------------------------------------------------------------
    Case(
        "missing-column",
        GOOD.replace("spend", "spent"),
        err(
            f"{T}: 1 problem: missing column 'spend' (the file has 'id', 'gender', 'age', "
            "'income', 'spent')"
        ),
    ),
    Case(
        "ambiguous-header",
        "id,gender,age,income,Income,spend\n1,M,1,1,1,1\n",
        err(f"{T}: 1 problem: columns 'income' and 'Income' both match 'income'; expected one"),
    ),
    Case(
        "alias-and-name-both-present",
        "id,gender,Genre,age,income,spend\n1,M,M,1,1,1\n",
        err(f"{T}: 1 problem: columns 'gender' and 'Genre' both match 'gender'; expected one"),
    ),
    Case("blank-first-line", "\n" + GOOD, err(f"{T}: line 1 is blank; expected a header row")),
    # --- types ----------------------------------------------------------------------------
    Case(
        "not-numbers",
        rows((1, "1,Male,19,abc,39\n"), (4, '4,M,23,"1,000",77\n'), (6, "6,Male,22,17,12.5.1\n")),
        err(
            f"{T}: 3 problems: line 2, column 'income': value 'abc' is not a number; "
            "line 5, column 'income': value '1,000' is not a number; "
            "line 7, column 'spend': value '12.5.1' is not a number"
        ),
    ),
    Case(
        "not-finite",
        rows((2, "2,Female,21,inf,81\n"), (3, "3,F,20,1e999,6\n")),
        err(
            f"{T}: 2 problems: line 3, column 'income': value 'inf' is not a finite number; "
            "line 4, column 'income': value '1e999' is not a finite number"
        ),
    ),
    Case(
        "category-not-allowed",
        rows((2, "2,female,21,15,81\n"), (6, "6,X,22,17,76\n")),
        err(
            f"{T}: 2 problems: line 3, column 'gender': value 'female' is not one of Female, "
            "Male; line 7, column 'gender': value 'X' is not one of Female, Male"
        ),
    ),
    # --- ranges and duplicates ------------------------------------------------------------
    Case(
        "out-of-range",
        rows((1, "1,Male,-1,15,0\n"), (2, "2,Female,121,15,101\n")),
        err(
            f"{T}: 4 problems: line 2, column 'spend': value 0 is not a number >= 1; "
            "line 2, column 'age': value -1 is not a number >= 0; "
            "line 3, column 'spend': value 101 is not a number <= 100; "
            "line 3, column 'age': value 121 is not a number <= 120"
        ),
    ),
    Case(
        "duplicate-ids",
        rows((3, "1,F,20,16,6\n"), (5, "1,Female,31,17,40\n"), (6, "4,Male,22,17,76\n")),
        err(
            f"{T}: 3 problems: line 4, column 'id': value 1 repeats the ID on line 2; expected "
            "unique IDs; line 6, column 'id': value 1 repeats the ID on line 2; expected unique "
            "IDs; line 7, column 'id': value 4 repeats the ID on line 5; expected unique IDs "
            "(if this is a transaction log, see data.transactions)"
        ),
    ),
    # --- missing values -------------------------------------------------------------------
    Case(
        "missing-values",
        rows((2, "2,,21,15,81\n"), (4, "4,M,23,NA,\n"), (5, ",Female,31,17,40\n")),
        err(
            f"{T}: 3 problems: line 5, column 'income': missing value; expected a number; "
            "line 5, column 'spend': missing value; expected a number; line 6, column 'id': "
            "missing value; "
            "expected a customer ID (set data.missing: drop to drop rows with missing values)"
        ),
    ),
    Case(
        "drop-leaves-too-few",
        rows((2, "2,,21,15,81\n"), (4, "4,M,23,NA,\n"), (5, ",Female,31,17,40\n")),
        "INFO: {dir}/table.csv: dropped 2 rows with missing values (lines 5, 6)\n"
        + err(f"{T}: 1 problem: n_customers=4 should be >= k=5"),
        config(", missing: drop", k="5"),
    ),
    Case(
        "drop-leaves-nothing",
        HEADER + "1,F,1,,1\n2,M,1,1,\n",
        "INFO: {dir}/table.csv: dropped 2 rows with missing values (lines 2, 3)\n"
        + err(f"{T}: no customer rows left after dropping rows with missing values"),
        config(", missing: drop"),
    ),
    Case(
        "drop-still-rejects-bad-values",
        rows((2, "2,,21,15,81\n"), (3, "3,F,20,abc,6\n")),
        # The gap is in a describe-only column: that customer stays.
        err(f"{T}: 1 problem: line 4, column 'income': value 'abc' is not a number"),
        config(", missing: drop"),
    ),
    # --- degenerate shapes ----------------------------------------------------------------
    Case(
        "empty-file",
        "",
        err(f"{T}: the file is empty; expected a header row and customer rows"),
    ),
    Case("header-only", HEADER, err(f"{T}: the file has a header but no customer rows")),
    Case(
        "header-and-blank-lines",
        HEADER + "\n\r\n\n",
        err(f"{T}: the file has a header but no customer rows"),
    ),
    Case(
        "constant-feature",
        GOOD.replace(",15,", ",5,").replace(",16,", ",5,").replace(",17,", ",5,"),
        err(
            f"{T}: 1 problem: column 'income' has the same value (5) for every customer; a "
            "feature must vary to separate segments"
        ),
    ),
    Case(
        "fewer-customers-than-k",
        GOOD,
        err(f"{T}: 1 problem: n_customers=6 should be >= k=7"),
        config(k="7"),
    ),
    Case(
        "too-few-to-search-k",
        HEADER + "".join(ROWS[1:3]),
        err(f"{T}: 1 problem: n_customers=2 should be > k_min=2 to search for k"),
        config(k="auto"),
    ),
    Case(
        "too-many-problems",
        HEADER + "".join(f"{i},Male,x,{i},{i}\n" for i in range(1, 26)),
        err(
            f"{T}: 25 problems: "
            + "; ".join(f"line {i}, column 'age': value 'x' is not a number" for i in range(2, 22))
            + "; and 5 more"
        ),
    ),
    # --- Excel and Parquet ----------------------------------------------------------------
    Case(
        "xlsx-bad-value-and-blank-row",
        xlsx([*XLSX_GOOD[:3], [None] * 5, [3, "F", "old", 16, 6], *XLSX_GOOD[4:]]),
        err("{dir}/table.xlsx: 1 problem: row 5, column 'age': value 'old' is not a number"),
        config().replace("table.csv", "table.xlsx"),
        "table.xlsx",
    ),
    Case(
        "xlsx-cell-beyond-header",
        xlsx([*XLSX_GOOD[:3], [3, "F", 20, 16, 6, None, "note"]]),
        err("{dir}/table.xlsx: 1 problem: row 4 has 7 fields, expected 5"),
        config().replace("table.csv", "table.xlsx"),
        "table.xlsx",
    ),
    Case(
        "xlsx-empty-sheet",
        xlsx([]),
        err("{dir}/table.xlsx: row 1 of the first sheet is blank; expected a header row"),
        config().replace("table.csv", "table.xlsx"),
        "table.xlsx",
    ),
    Case(
        "xlsx-that-is-text",
        GOOD,
        err("{dir}/table.xlsx: cannot be read as Excel (.xlsx): File is not a zip file"),
        config().replace("table.csv", "table.xlsx"),
        "table.xlsx",
    ),
    Case(
        "parquet-null-and-inf",
        parquet({**PARQUET_GOOD, "income": [15.0, None, 16.0, float("inf"), 17.0, 17.0]}),
        err(
            "{dir}/table.parquet: 2 problems: row 2, column 'income': missing value; expected a "
            "number; row 4, column 'income': value inf is not a finite number (set data.missing: "
            "drop to drop rows with missing values)"
        ),
        config().replace("table.csv", "table.parquet"),
        "table.parquet",
    ),
    Case(
        "parquet-list-column",
        parquet({**PARQUET_GOOD, "spend": [[1], [2], [3], [4], [5], [6]]}),
        err(
            "{dir}/table.parquet: column 'spend' holds list<element: int64> values; expected "
            "numbers or text"
        ),
        config().replace("table.csv", "table.parquet"),
        "table.parquet",
    ),
    Case(
        "parquet-that-is-text",
        GOOD,
        err(
            "{dir}/table.parquet: cannot be read as Parquet: Parquet magic bytes not found in "
            "footer. Either the file is corrupted or this is not a parquet file."
        ),
        config().replace("table.csv", "table.parquet"),
        "table.parquet",
    ),
    Case(
        "unknown-extension",
        GOOD,
        err(
            "{dir}/table.xls: unknown file type '.xls'; expected one of .csv, .txt, .tsv, "
            ".parquet, .xlsx"
        ),
        config().replace("table.csv", "table.xls"),
        "table.xls",
    ),
    Case(
        "data-file-not-found",
        GOOD,
        err("{dir}/other.csv: data file not found (set data.path in segments.yml)"),
        config().replace("table.csv", "other.csv"),
    ),
    # --- bad config values ----------------------------------------------------------------
    Case(
        "bad-missing-and-delimiter",
        GOOD,
        err(
            "{dir}/segments.yml: 2 problems: data.delimiter should be one character or "
            "'whitespace', got ';;'; data.missing should be one of error, drop, got 'skip'"
        ),
        config(", delimiter: ';;', missing: skip"),
    ),
    Case(
        "misspelt-settings",
        GOOD,
        err(
            "{dir}/segments.yml: 2 problems: unknown setting 'data.delimeter' (expected table, "
            "sql, path, transactions, number_rows, id_column, delimiter, header, columns, since, "
            "as_of, missing); columns.age: unknown setting 'maximum' (expected "
            "aliases, values, allowed, min, max)"
        ),
        config(", delimeter: ';'").replace("{min: 0, max: 120}", "{min: 0, maximum: 120}"),
    ),
    Case(
        "contradictory-column-rules",
        GOOD,
        err(
            "{dir}/segments.yml: 3 problems: columns.age: min 120 should be <= max 0; "
            "columns.gender: values maps 'F' to 'Woman', which is not in allowed; "
            "columns: the name 'income' is given for age, income"
        ),
        config(extra="  income: {}\n")
        .replace("{min: 0, max: 120}", "{min: 120, max: 0, aliases: [income]}")
        .replace("F: Female", "F: Woman"),
    ),
    Case(
        "yaml-booleans-in-values",
        GOOD,
        err(
            "{dir}/segments.yml: 1 problem: columns.gender: YAML reads True as true/false; put "
            "quotes around yes/no/on/off"
        ),
        config().replace("M: Male", "yes: Male"),
    ),
]


def write_case(case: Case, folder: Path) -> Path:
    """Write the case's files into ``folder``; return the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in case.files().items():
        (folder / name).write_bytes(content)
    return folder / "segments.yml"


def expected_stderr(case: Case, folder: Path) -> str:
    return case.stderr.replace("{dir}", str(folder.resolve()))


def test_there_are_at_least_30_distinct_cases() -> None:
    assert len(BAD_INPUTS) >= 30
    assert len({case.name for case in BAD_INPUTS}) == len(BAD_INPUTS)
    assert len({case.files()[case.data_name] for case in BAD_INPUTS} | {b""}) > 30


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[case.name for case in BAD_INPUTS])
def test_validate_rejects_bad_input(case: Case, tmp_path: Path) -> None:
    config_path = write_case(case, tmp_path)
    result = run_cli("validate", "--config", str(config_path))
    assert (result.returncode, result.stderr) == (2, expected_stderr(case, tmp_path))
    assert result.stdout == ""
