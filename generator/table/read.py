"""Read the customer table from disk: the only stage besides ``write`` that touches files.

Values are read as text (or as the file's own numeric type for Parquet) and converted later by
``validate`` against the config, so pandas never guesses a type or shifts a column. CSV goes
through ``table.delimited`` and Excel through ``table.excel``; this module picks by file extension.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from generator.config.settings import Config
from generator.config.sources import WHITESPACE
from generator.errors import DataError
from generator.model import RowLines, SourceInfo
from generator.table.columns import used_columns
from generator.table.delimited import BLOCK, TextFacts, read_csv, read_header
from generator.table.excel import read_excel
from generator.table.whitespace import read_whitespace, whitespace_header

READERS = (".csv", ".txt", ".tsv", ".parquet", ".xlsx")


# A row this long is not a customer: a file without line breaks, or one cell gone wrong.
MAX_LINE_BYTES = 16 << 20


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    return scan_file(path)[0]


def check_data_file(path: Path, hint: str = "") -> None:
    """Refuse a data path that is missing or no regular file, in one line.

    A folder, a FIFO or a device is named as such: reading a FIFO would wait for ever.

    Raises:
        DataError: Naming the path and what it is.
    """
    if path.is_file():
        return
    if not path.exists():
        raise DataError(f"{path}: data file not found{hint}")
    kind = "a folder" if path.is_dir() else "a pipe" if path.is_fifo() else "not a regular file"
    raise DataError(f"{path}: the data path is {kind}; expected a table file (.csv, .parquet...)")


def read_table(config: Config) -> tuple[pa.Table, SourceInfo]:
    """Read the configured table into an Arrow table with the file's own header.

    Returns:
        The table and facts about its source file.

    Raises:
        DataError: When the file is missing, empty, of an unknown type or malformed.
    """
    path = config.data_path
    check_data_file(path, f" (set data.path in {config.path.name})")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; expected a header row and customer rows")
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise DataError(
            f"{path}: unknown file type {suffix!r}; expected one of {', '.join(READERS)}"
        )
    sha256, facts = scan_file(path)
    notes: tuple[str, ...] = ()
    if suffix == ".parquet":
        header = _parquet_header(path)
        table = _read_parquet(path, used_columns(header, config))
        lines = RowLines("row", 1)
    elif suffix == ".xlsx":
        table, lines, notes = read_excel(path)
        header = table.column_names
    else:
        table, lines, header = _read_text(path, config, facts)
    return table, SourceInfo(path, sha256, table.num_rows, tuple(header), notes, lines=lines)


def _read_text(
    path: Path, config: Config, facts: TextFacts
) -> tuple[pa.Table, RowLines, list[str]]:
    """A delimited or whitespace-separated text file, with a header line or configured names."""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else config.delimiter
    names = config.layout.names
    if delimiter == WHITESPACE:
        header = list(names) or whitespace_header(path)
        return read_whitespace(path, names, used_columns(header, config))
    header = list(names) or read_header(path, delimiter)
    used = used_columns(header, config)
    table, lines = read_csv(path, delimiter, facts, header, used, named=bool(names))
    return table, lines, header


def scan_file(path: Path) -> tuple[str, TextFacts]:
    """One pass over the bytes: the SHA-256, the number of lines and whether quotes pair up.

    Line breaks at the very end of the file do not start a line. A line longer than
    ``MAX_LINE_BYTES`` stops the read here, before any parser holds it in memory.
    """
    digest = hashlib.sha256()
    breaks = trailing = quotes = run = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
            first = block.find(b"\n")
            if first >= 0 and run + first > MAX_LINE_BYTES:  # the line this block ends
                _too_long(path, breaks + 1)
            breaks += block.count(b"\n")
            run = run + len(block) if first < 0 else len(block) - block.rfind(b"\n") - 1
            if run > MAX_LINE_BYTES:  # the line still open at the block's end
                _too_long(path, breaks + 1)
            quotes += block.count(b'"')
            body = block.rstrip(b"\r\n")
            tail = block[len(body) :].count(b"\n")
            trailing = trailing + tail if not body else tail
    return digest.hexdigest(), TextFacts(breaks - trailing + 1, quotes % 2 == 1)


def _too_long(path: Path, line: int) -> None:
    if path.suffix.lower() in (".parquet", ".xlsx"):
        return  # binary formats have no lines
    raise DataError(
        f"{path}: line {line:,} is longer than {MAX_LINE_BYTES:,} bytes, the most a row may "
        "have; is the file missing its line breaks, or a quote left open?"
    )


def _parquet_header(path: Path) -> list[str]:
    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _not_parquet(path, exc) from exc


def _read_parquet(path: Path, columns: list[str] | None) -> pa.Table:
    try:
        return pq.read_table(path, columns=columns)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _not_parquet(path, exc) from exc


def _not_parquet(path: Path, exc: Exception) -> DataError:
    # pyarrow names the file again ("Could not open Parquet input source '...': why").
    reason = str(exc).split(f"'{path}': ", 1)[-1]
    return DataError(f"{path}: cannot be read as Parquet: {reason}")
