"""CSV for downloads: stable formatting and safe against spreadsheet formula injection."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell as text; text starting like a formula gets a leading apostrophe (OWASP)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"{value:.6g}" if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells that start like a formula get a leading apostrophe (vectorised).

    Numbers are left alone: a spreadsheet reads ``-5`` as a number, never as a formula.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            text = values.astype(str)
            risky = values.map(lambda v: isinstance(v, str)) & text.str.startswith(FORMULA_START)
            out[column] = values.where(~risky, "'" + text)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text with LF line ends and safe cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([safe_cell(_plain(v)) for v in row])
    return out.getvalue()


def _plain(value: object) -> object:
    """Numpy scalars to Python scalars, so formatting is the same for every source."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value
