"""Read the first sheet of an Excel workbook (.xlsx) as text columns.

openpyxl reads cell by cell in Python; that is its cost whatever reads it, and a sheet holds at
most 1,048,576 rows. Reading it directly (not through pandas) keeps the header exactly as typed
(pandas renames a repeated ``Age`` to ``Age.1``) and keeps each row's sheet row number.
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from generator.errors import DataError, collect
from generator.model import RowLines

log = logging.getLogger(__name__)
# A full sheet (1,048,576 rows) of short cells unzips to about a gigabyte.
MAX_UNZIPPED = 2 << 30
MAX_RATIO = 200


def read_excel(path: Path) -> tuple[pa.Table, RowLines, tuple[str, ...]]:
    """Read the first sheet: row 1 is the header, blank rows are skipped.

    Returns:
        The table (text or null cells), the sheet row number of each data row, and notes.

    Raises:
        DataError: When the file is not a readable workbook, the sheet has no header, or a row
            has values beyond the header's columns.
    """
    from openpyxl import load_workbook

    _check_unzipped_size(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise DataError(f"{path}: cannot be read as Excel (.xlsx): {exc}") from exc
    try:
        sheet = book.worksheets[0]
        notes = _sheet_notes(book.sheetnames)
        header, rows, numbers = _rows(path, sheet.iter_rows(values_only=True))
    finally:
        book.close()
    for note in notes:
        log.info("%s: %s", path, note)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    arrays = [pa.array([cell_text(v) for v in column], pa.string()) for column in columns]
    table = pa.Table.from_arrays(arrays, names=header)
    return table, RowLines("row", 2, numbers=np.asarray(numbers, dtype=np.int64)), notes


def _check_unzipped_size(path: Path) -> None:
    """Refuse a workbook that would unzip to far more than it weighs (a zip bomb) or too much.

    Sheets compress about ten times; a part that claims over ``MAX_RATIO`` times its packed
    size, or a workbook over ``MAX_UNZIPPED`` bytes, would take gigabytes of memory to read.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: cannot be read as Excel (.xlsx): {exc}") from exc
    total = sum(part.file_size for part in parts)
    bomb = [
        p for p in parts if p.file_size > (1 << 20) and p.file_size > MAX_RATIO * p.compress_size
    ]
    if bomb or total > MAX_UNZIPPED:
        part = bomb[0] if bomb else max(parts, key=lambda p: p.file_size)
        raise DataError(
            f"{path}: the workbook unzips to {total:,} bytes ({part.filename} alone "
            f"{part.file_size:,} from {part.compress_size:,}); expected at most "
            f"{MAX_UNZIPPED:,} bytes and {MAX_RATIO} times compression; save it as CSV"
        )


def _sheet_notes(names: list[str]) -> tuple[str, ...]:
    if len(names) == 1:
        return ()
    return (f"read the first sheet {names[0]!r} of {len(names)}",)


def _rows(
    path: Path, cells: Iterator[tuple[Any, ...]]
) -> tuple[list[str], list[tuple[Any, ...]], list[int]]:
    """Split the sheet into header names, data rows (cut to the header's width) and row numbers."""
    first = next(cells, None)
    if first is None or all(v is None for v in first):
        raise DataError(f"{path}: row 1 of the first sheet is blank; expected a header row")
    width = max(i for i, v in enumerate(first) if v is not None) + 1
    header = ["" if v is None else str(v) for v in first[:width]]
    rows, numbers, problems = [], [], []
    for number, row in enumerate(cells, start=2):
        if all(v is None for v in row):
            continue
        extra = [v for v in row[width:] if v is not None]
        if extra:
            fields = max(i for i, v in enumerate(row) if v is not None) + 1
            problems.append(f"row {number} has {fields} fields, expected {width}")
        rows.append(tuple(row[:width]) + (None,) * (width - len(row)))
        numbers.append(number)
    collect(DataError, str(path), problems)
    return header, rows, numbers


def cell_text(value: object) -> str | None:
    """A cell as the text an analyst would type: ``19`` not ``19.0``, dates as ISO dates."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)
