"""Read a text file whose fields are separated by runs of spaces or tabs (``whitespace``).

Exports from older systems and public logs (CDNOW's ``00001 19970101 1 11.77``) align columns
with spaces. pyarrow reads each line whole; Arrow kernels trim and split it on whitespace, so no
Python loop touches a row. Fields cannot be quoted, so a field cannot hold a space. A line with
more or fewer fields than the columns is an error naming its line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from generator.errors import DataError
from generator.model import RowLines

UNUSED = "\x1f"  # the unit separator, which text exports do not contain: one field per line


def read_whitespace(
    path: Path, names: tuple[str, ...], columns: list[str] | None
) -> tuple[pa.Table, RowLines, list[str]]:
    """Read ``path``; ``names`` name a file without a header line (else its line 1 does).

    Returns:
        The table (``columns`` only, when given), how to name its rows and the header.

    Raises:
        DataError: For lines with the wrong number of fields (listed with their line numbers).
    """
    lines = _lines(path)
    start = 0 if names else 1
    header = list(names) or [str(name) for name in _split(lines[:1])[0].as_py()]
    body = lines[start:]
    blank = np.asarray(pc.equal(pc.utf8_trim_whitespace(body), "").to_numpy(False), bool)
    numbers = np.flatnonzero(~blank) + start + 1
    fields = _split(body.filter(pa.array(~blank)))
    counts = np.asarray(pc.list_value_length(fields).to_numpy(False), dtype=np.int64)
    _check_counts(path, counts, numbers, len(header))
    wanted = columns if columns is not None else header
    table = pa.table({name: pc.list_element(fields, header.index(name)) for name in wanted})
    rows = RowLines("line", start + 1) if not blank.any() else RowLines("line", numbers=numbers)
    return table, rows, header


def whitespace_header(path: Path) -> list[str]:
    """The names on line 1 of a whitespace-separated file with a header."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return handle.readline().split()
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: line 1 is not UTF-8 text; save the file as UTF-8") from exc


def _check_counts(path: Path, counts: np.ndarray, numbers: np.ndarray, expected: int) -> None:
    wrong = np.flatnonzero(counts != expected)
    if not len(wrong):
        return
    shown = "; ".join(
        f"line {numbers[i]} has {counts[i]} fields, expected {expected}" for i in wrong[:20]
    )
    more = f"; and {len(wrong) - 20:,} more" if len(wrong) > 20 else ""
    noun = "problem" if len(wrong) == 1 else "problems"
    raise DataError(f"{path}: {len(wrong):,} {noun}: {shown}{more}")


def _lines(path: Path) -> pa.StringArray:
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=["line"], encoding="utf8"),
            parse_options=pacsv.ParseOptions(
                delimiter=UNUSED, quote_char=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={"line": pa.string()}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        reason = str(exc).splitlines()[0]
        raise DataError(f"{path}: cannot be read as UTF-8 text: {reason}") from exc
    return table.column("line").combine_chunks()


def _split(lines: pa.StringArray) -> pa.ListArray:
    return pc.utf8_split_whitespace(pc.utf8_trim_whitespace(lines))
