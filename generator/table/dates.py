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
    if date_format:
        chosen, parsed = date_format, _parse(text, date_format)
    else:
        chosen, parsed = _detect(column, text, missing)
    bad = np.asarray(parsed.is_null().to_numpy(zero_copy_only=False), dtype=bool) & ~missing
    expected = f"a date like {chosen}" if date_format else EXAMPLE
    issues = _issue(column, array, bad, f"value {{value}} is not {expected}")
    return Converted(_numpy(pc.cast(parsed, pa.date32())), missing, issues, expected)


def _parse(text: pa.Array, date_format: str) -> pa.Array:
    try:
        return pc.strptime(text, format=date_format, unit="s", error_is_null=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise DataError(f"data.transactions.date_format {date_format!r}: {exc}") from exc


def _detect(column: str, text: pa.Array, missing: np.ndarray) -> tuple[str, pa.Array]:
    """The first format that reads every present date (else the one that reads the most).

    Formats are tried on a sample first, so the whole column is parsed about once.
    """
    head = np.flatnonzero(~missing[:5000])[:1000]
    sample = text.take(pa.array(head, pa.int64()))
    candidates = [f for f in FORMATS if _parse(sample, f).null_count == 0] or list(FORMATS)
    best: tuple[int, str, pa.Array] | None = None
    for pattern in candidates:
        parsed = _parse(text, pattern)
        failures = parsed.null_count - int(missing.sum())
        if failures == 0:
            _note_ambiguity(column, pattern, candidates, text, missing)
            return pattern, parsed
        if best is None or failures < best[0]:
            best = (failures, pattern, parsed)
    assert best is not None
    return best[1], best[2]


def _note_ambiguity(
    column: str, chosen: str, candidates: list[str], text: pa.Array, missing: np.ndarray
) -> None:
    """Say so when day/month and month/day both read every date (no day above 12)."""
    swapped = {"%d/%m/%Y": "%m/%d/%Y", "%m/%d/%Y": "%d/%m/%Y"}.get(chosen.split(" ")[0])
    if swapped is None:
        return
    other = chosen.replace(chosen.split(" ")[0], swapped)
    if other in candidates and _parse(text, other).null_count == int(missing.sum()):
        log.info(
            "column %r: every date reads as %s and as %s; read as %s "
            "(set data.transactions.date_format to choose)",
            column,
            chosen,
            other,
            chosen,
        )


def _numpy(days: pa.Array) -> np.ndarray:
    """date32 as datetime64[D], NaT where null."""
    return np.asarray(days.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
