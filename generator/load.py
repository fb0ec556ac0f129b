"""Read the customer table from disk: the only stage besides ``write`` that touches files.

Values are read as text (or as the file's own numeric type for Parquet and Excel) and converted
later by ``validate`` against the config, so pandas never guesses a type or shifts a column.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from generator.config import Config
from generator.errors import DataError, collect
from generator.model import SourceInfo

READERS = (".csv", ".txt", ".tsv", ".parquet", ".xlsx")
MAX_STRUCTURE_PROBLEMS = 20


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(config: Config) -> tuple[pa.Table, SourceInfo]:
    """Read the configured table into an Arrow table with the file's own header.

    Returns:
        The table and facts about its source file.

    Raises:
        DataError: When the file is missing, empty, of an unknown type or malformed.
    """
    path = config.data_path
    if not path.is_file():
        raise DataError(f"{path}: data file not found (set data.path in {config.path.name})")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; expected a header row and customer rows")
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise DataError(
            f"{path}: unknown file type {suffix!r}; expected one of {', '.join(READERS)}"
        )
    if suffix == ".parquet":
        table, header = _read_parquet(path, config)
    elif suffix == ".xlsx":
        table = _read_excel(path)
        header = table.column_names
    else:
        table, header = _read_csv(path, "\t" if suffix == ".tsv" else config.delimiter, config)
    info = SourceInfo(path, file_sha256(path), table.num_rows, tuple(header))
    return table, info


def needed_columns(header: list[str], config: Config) -> list[str] | None:
    """The header's columns the config uses, in file order; None to read them all.

    Mirrors ``validate``'s matching (exact name or alias, else case- and space-insensitive) but
    keeps every candidate. When a configured column matches nothing, or the header repeats a
    name, everything is read so that ``validate`` can report the problem against the whole file.
    """
    if len(set(header)) != len(header):
        return None
    wanted = [config.id_column, *config.feature_columns, *config.describe]
    keep: set[str] = set()
    for column in wanted:
        candidates = [column, *config.rule_for(column).aliases]
        folded = {c.strip().casefold() for c in candidates}
        found = [h for h in header if h in candidates or h.strip().casefold() in folded]
        if not found:
            return None
        keep.update(found)
    return [h for h in header if h in keep]


def _read_csv(path: Path, delimiter: str, config: Config) -> tuple[pa.Table, list[str]]:
    header = _csv_header(path, delimiter)
    strings = {name: pa.string() for name in header}
    include = needed_columns(header, config)  # skip parsing the columns nobody uses
    bad: list[str] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        if len(bad) < MAX_STRUCTURE_PROBLEMS:
            where = f"line {row.number}" if row.number is not None else "a line"
            bad.append(
                f"{where} has {row.actual_columns} fields, expected {row.expected_columns} "
                f"(text {row.text[:60]!r})"
            )
        return "skip"

    def read(threads: bool) -> pa.Table:
        bad.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=threads, encoding="utf8"),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_bad_row, newlines_in_values=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=strings,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                include_columns=include,
            ),
        )

    table = _guarded(path, lambda: read(True))
    if bad:
        # Threaded reads do not know line numbers; read again on one thread to name them.
        _guarded(path, lambda: read(False))
        collect(DataError, str(path), bad, MAX_STRUCTURE_PROBLEMS)
    return table, header


def _csv_header(path: Path, delimiter: str) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: line 1 is not UTF-8 text (byte {exc.start + 1}); save the file as UTF-8"
        ) from exc
    if not text.strip():
        raise DataError(f"{path}: line 1 is blank; expected a header row")
    names = next(csv.reader([text], delimiter=delimiter))
    if len(names) == 1 and delimiter == ",":
        raise DataError(
            f"{path}: line 1 has a single column {names[0][:40]!r}; expected comma-separated "
            "columns (set data.delimiter for another separator)"
        )
    return names


def _guarded(path: Path, read: Callable[[], pa.Table]) -> pa.Table:
    try:
        return read()
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        message = str(exc).split("\n")[0]
        if "UTF8" in message or "utf8" in message or "UTF-8" in message:
            raise DataError(f"{path}: not UTF-8 text ({message}); save the file as UTF-8") from exc
        raise DataError(f"{path}: cannot be read as CSV: {message}") from exc


def _read_parquet(path: Path, config: Config) -> tuple[pa.Table, list[str]]:
    try:
        header = pq.read_schema(path).names
        return pq.read_table(path, columns=needed_columns(header, config)), header
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: cannot be read as Parquet: {exc}") from exc


def _read_excel(path: Path) -> pa.Table:
    import pandas as pd

    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
    except Exception as exc:
        raise DataError(f"{path}: cannot be read as Excel (.xlsx): {exc}") from exc
    frame.columns = [str(c) for c in frame.columns]
    return pa.Table.from_pandas(frame, preserve_index=False)
