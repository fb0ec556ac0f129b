"""Read dates in the common formats of shop and warehouse exports, with Arrow's ``strptime``.

Without a configured format, the first of ``FORMATS`` that reads every date of the column wins;
day-first comes before month-first, and when both read every date (no day above 12) a note says
which was taken. Times of day are dropped: a purchase counts on its day.
"""

from __future__ import annotations

import logging

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator.errors import DataError
from generator.table.convert import Converted, _issue, _missing_text, _text

log = logging.getLogger(__name__)
FORMATS = (
    *("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d"),
    *("%Y/%m/%d", "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y"),
    *("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d-%m-%Y"),
)
EXAMPLE = "a date such as 2024-01-31"


def to_days(column: str, array: pa.Array, date_format: str = "") -> Converted:
    """Parse dates (datetime64[D]; NaT where missing or bad), reporting every bad cell."""
    if pa.types.is_timestamp(array.type) or pa.types.is_date(array.type):
        days = pc.cast(array, pa.date32()) if pa.types.is_timestamp(array.type) else array
        missing = np.asarray(days.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        return Converted(_numpy(days), missing, (), EXAMPLE)
    text = _text(column, array)
    missing = _missing_text(text, tokens=True)
    present = text.filter(pa.array(~missing))
    chosen = date_format or _detect(column, present)
    parsed = _parse(text, chosen)
    bad = np.asarray(parsed.is_null().to_numpy(zero_copy_only=False), dtype=bool) & ~missing
    expected = f"a date like {chosen}" if date_format else EXAMPLE
    issues = _issue(column, array, bad, f"value {{value}} is not {expected}")
    return Converted(_numpy(pc.cast(parsed, pa.date32())), missing, issues, expected)


def _parse(text: pa.Array, date_format: str) -> pa.Array:
    try:
        return pc.strptime(text, format=date_format, unit="s", error_is_null=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise DataError(f"data.transactions.date_format {date_format!r}: {exc}") from exc


def _detect(column: str, present: pa.Array) -> str:
    """The first format that reads every date; else the one that reads the most."""
    if len(present) == 0:
        return FORMATS[0]
    sample = present.slice(0, 1000)
    failures = {f: _parse(sample, f).null_count for f in FORMATS}
    whole = [f for f in FORMATS if failures[f] == 0 and _parse(present, f).null_count == 0]
    if len(whole) > 1 and {"%d/%m/%Y", "%m/%d/%Y"} <= {f.split(" ")[0] for f in whole}:
        log.info(
            "column %r: every date reads as day/month and as month/day; read as %s "
            "(set data.transactions.date_format to choose)",
            column,
            whole[0],
        )
    return whole[0] if whole else min(FORMATS, key=lambda f: failures[f])


def _numpy(days: pa.Array) -> np.ndarray:
    """date32 as datetime64[D], NaT where null."""
    return np.asarray(days.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
