"""Read a delimited text file as all-text columns, checking its structure first.

pyarrow parses the file (fast, multi-threaded). Every value stays text, so no column is guessed
and no row shifts silently: a row with an extra or a missing field is an error naming its line.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from generator.errors import DataError, collect
from generator.model import RowLines

BLOCK = 1 << 20
# Column names are labels on a page; longer ones are a broken file, not a header.
MAX_NAME = 1000
SEPARATORS = {",": "','", ";": "';'", "\t": '"\\t"', "|": "'|'"}
NOT_TEXT = {
    b"\xff\xfe": "is UTF-16 text; save it as UTF-8",
    b"\xfe\xff": "is UTF-16 text; save it as UTF-8",
    b"PK\x03\x04": "is a zip file (such as .xlsx), not CSV text; give an Excel file the .xlsx name",
    b"PAR1": "is a Parquet file, not CSV text; give it the .parquet name",
}


@dataclass(frozen=True)
class TextFacts:
    """What one cheap pass over the bytes tells about the file's lines and quotes."""

    lines: int
    odd_quotes: bool


def read_header(path: Path, delimiter: str) -> list[str]:
    """The column names on line 1 (after checking the file is text with a usable header).

    Raises:
        DataError: For a file that is not UTF-8 text or has no usable header.
    """
    _check_is_text(path)
    return _header(path, delimiter)


def read_csv(
    path: Path,
    delimiter: str,
    facts: TextFacts,
    header: list[str],
    columns: list[str] | None,
    named: bool = False,
) -> tuple[pa.Table, RowLines]:
    """Read ``path`` as text columns named by its ``header`` row (only ``columns``, if given).

    ``named``: the file has no header line; ``header`` names its columns (``data.columns``).

    Returns:
        The table and how to name its rows (``line N`` of the file).

    Raises:
        DataError: For rows with the wrong number of fields (all listed, with their lines) or a
            quote that never closes.
    """
    if columns is not None and facts.odd_quotes and header[-1] not in columns:
        columns = [*columns, header[-1]]  # where an unclosed quote would show (see below)
    fast = _read_threaded(path, delimiter, header, columns, named)
    table, bad = (fast, []) if fast is not None else _parse(path, delimiter, header, columns, named)
    lines = _row_lines(path, delimiter, facts, table.num_rows + len(bad), named)
    problems = [_structure_problem(row, lines, named) for row in bad]
    collect(DataError, str(path), problems)
    _check_quotes_closed(path, table.column(header[-1]) if facts.odd_quotes else None, lines)
    return table, lines


def _check_is_text(path: Path) -> None:
    with path.open("rb") as handle:
        start = handle.read(64)
    for magic, problem in NOT_TEXT.items():
        if start.startswith(magic):
            raise DataError(f"{path}: the file {problem}")
    if _looks_utf16(start):
        raise DataError(
            f"{path}: the file is UTF-16 text without a byte order mark; save it as UTF-8"
        )


def _looks_utf16(start: bytes) -> bool:
    """Text of ASCII characters in UTF-16 has a NUL in every other byte (LE: odd, BE: even)."""
    pairs = len(start) // 2
    if pairs < 2:
        return False
    odd, even = start[1 : 2 * pairs : 2], start[0 : 2 * pairs : 2]
    little = odd.count(0) == pairs and even.count(0) == 0
    return little or (even.count(0) == pairs and odd.count(0) == 0)


def _header(path: Path, delimiter: str) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            names = next(csv.reader(handle, delimiter=delimiter), [])
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    long = [i for i, name in enumerate(names) if len(name) > MAX_NAME]
    if long:
        raise DataError(
            f"{path}: line 1, column {long[0] + 1}: a column name of {len(names[long[0]]):,} "
            f"characters; expected at most {MAX_NAME:,}"
        )
    if not "".join(names).strip():
        raise DataError(f"{path}: line 1 is blank; expected a header row")
    if len(names) == 1:
        raise DataError(
            f"{path}: line 1 has a single column {names[0][:40]!r}; expected columns separated "
            f"by {SEPARATORS.get(delimiter, repr(delimiter))}{_separator_hint(names[0])}"
        )
    return names


def _separator_hint(text: str) -> str:
    """Suggest the separator the header line seems to use."""
    counts = {sep: text.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0:
        return " (set data.delimiter for another separator)"
    return f" (it looks separated by {SEPARATORS[best]}: set data.delimiter: {SEPARATORS[best]})"


def _read_threaded(
    path: Path, delimiter: str, header: list[str], columns: list[str] | None, named: bool
) -> pa.Table | None:
    """The fast read on Arrow's threads; None when the file has a problem to report.

    No Python callback runs on Arrow's threads: a worker still calling one after a failed read
    could outlive the command, and a thread entering Python during interpreter shutdown aborts
    the process ("terminate called without an active exception", exit -6). A bad file is read
    again on this thread, which also numbers the bad rows.
    """
    try:
        return _read(path, delimiter, header, columns, None, named)
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None


def _parse(
    path: Path, delimiter: str, header: list[str], columns: list[str] | None, named: bool = False
) -> tuple[pa.Table, list[pacsv.InvalidRow]]:
    """Parse on this thread, ``columns`` (all when None) as text; the table and malformed rows."""
    bad: list[pacsv.InvalidRow] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        bad.append(row)
        return "skip"

    try:
        table = _read(path, delimiter, header, columns, on_bad_row, named)
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        message = str(exc).split("\n")[0]
        if "UTF8" in message:
            raise _not_utf8(path) from exc
        raise DataError(f"{path}: cannot be read as CSV: {message}") from exc
    return table, bad


def _read(
    path: Path,
    delimiter: str,
    header: list[str],
    columns: list[str] | None,
    on_bad_row: Callable[[pacsv.InvalidRow], str] | None,
    named: bool = False,
) -> pa.Table:
    """Pyarrow's reader; threaded exactly when no Python callback is given.

    ``named``: the file has no header line and ``header`` names its columns.
    """
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            use_threads=on_bad_row is None,
            encoding="utf8",
            column_names=header if named else None,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, invalid_row_handler=on_bad_row, newlines_in_values=True
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=columns,
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _structure_problem(row: pacsv.InvalidRow, lines: RowLines, named: bool = False) -> str:
    # pyarrow numbers records from 1 with the header (if any) as record 1, skipping blank lines.
    first = 1 if named else 2
    where = lines.name(row.number - first) if row.number is not None else "a line"
    noun = "field" if row.actual_columns == 1 else "fields"
    return (
        f"{where} has {row.actual_columns} {noun}, expected {row.expected_columns} "
        f"(text {row.text[:60]!r})"
    )


def _not_utf8(path: Path) -> DataError:
    """Find the first byte that is not UTF-8 and name its line and the text before it."""
    line, pending, before = 1, b"", b""
    with path.open("rb") as handle:
        for block in chain(iter(lambda: handle.read(BLOCK), b""), [b""]):
            data = pending + block
            try:
                _, used = codecs.utf_8_decode(data, "strict", not block)
            except UnicodeDecodeError as exc:
                line += data.count(b"\n", 0, exc.start)
                text = (before + data[: exc.start]).rsplit(b"\n", 1)[-1][-20:]
                return DataError(
                    f"{path}: line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x} after "
                    f"{text.decode('utf-8', 'replace')!r}); save the file as UTF-8"
                )
            line += data.count(b"\n", 0, used)
            pending, before = data[used:], (before + data[:used])[-20:]
    return DataError(f"{path}: the file is not UTF-8 text; save it as UTF-8")


def _row_lines(
    path: Path, delimiter: str, facts: TextFacts, records: int, named: bool = False
) -> RowLines:
    """Row ``i`` is line ``i + 2`` (``i + 1`` with no header) unless blank lines intervene."""
    first = 1 if named else 2
    if facts.lines == records + first - 1:
        return RowLines("line", first)
    return RowLines("line", first, records_in=path, delimiter=delimiter, header=not named)


def _check_quotes_closed(path: Path, last_column: pa.ChunkedArray | None, lines: RowLines) -> None:
    """A quote that never closes swallows the rest of the file into the last field.

    ``last_column`` is the file's last column, read only when the file has an odd number of
    quotes (else None).
    """
    if last_column is None or len(last_column) == 0:
        return
    last = last_column[len(last_column) - 1].as_py()
    if isinstance(last, str) and "\n" in last:
        raise DataError(
            f"{path}: {lines.name(len(last_column) - 1)} opens a quoted field that never "
            'closes; expected a closing quote (")'
        )
