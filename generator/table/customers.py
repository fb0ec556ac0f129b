"""One row per customer before validation: a transaction log aggregated, or rows numbered.

Most tables already have one row per customer and an ID column; they pass through unchanged.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import numpy as np
import pyarrow as pa

from generator.config.settings import ROW_ID, Config
from generator.errors import DataError, collect
from generator.model import SourceInfo
from generator.runtime.timing import stage
from generator.table.columns import resolve_columns
from generator.table.convert import to_numbers
from generator.table.dates import to_days
from generator.table.problems import ProblemList
from generator.table.transactions import per_customer

log = logging.getLogger(__name__)
NUMBERED = (
    "customers are numbered by their row (data.number_rows), so a refresh cannot compare "
    "customers one by one: the 'What changed' page shows segment sizes and centres only"
)


def customer_rows(raw: pa.Table, source: SourceInfo, config: Config) -> tuple[pa.Table, SourceInfo]:
    """The table with one row per customer and an ID column, as validation expects.

    Timed as the ``aggregate`` stage when there is anything to do.
    """
    if config.transactions is None and not config.number_rows and not config.since:
        return raw, source
    with stage("aggregate"):
        if config.transactions is not None:
            return per_customer(raw, source, config)
        if config.number_rows:
            raw, source = _numbered(raw, source)
        if config.since:
            raw, source = _since(raw, source, config)
        return raw, source


def _since(raw: pa.Table, source: SourceInfo, config: Config) -> tuple[pa.Table, SourceInfo]:
    """Dates become days, and years become years, before ``as_of`` (``data.since``)."""
    found, _ = resolve_columns(raw.column_names, config, str(source.path))
    wanted = {column: unit for column, unit in config.since if column in found}
    converted = {
        column: (
            to_days(column, raw.column(found[column]).combine_chunks())
            if unit == "days"
            else to_numbers(column, raw.column(found[column]).combine_chunks())
        )
        for column, unit in wanted.items()
    }
    issues = [issue for c in converted.values() for issue in c.issues]
    collect(DataError, str(source.path), ProblemList(issues, source.lines), 20)
    as_of = config.as_of or _day_after(
        [np.asarray(c.values) for column, c in converted.items() if wanted[column] == "days"]
    )
    for column, c in converted.items():
        if wanted[column] == "days":
            days = np.asarray(c.values, dtype="datetime64[D]")
            values = np.where(
                np.isnat(days), np.nan, (np.datetime64(as_of, "D") - days).astype(float)
            )
        else:
            values = as_of.year - np.asarray(c.values, dtype=float)
        index = found[column]
        raw = raw.set_column(index, raw.column_names[index], pa.array(values, pa.float64()))
    return raw, replace(source, as_of=as_of)


def _day_after(columns: list[np.ndarray]) -> dt.date:
    """The day after the latest date of ``columns`` (NaT-safe)."""
    latest = max(np.nanmax(values.astype("datetime64[D]")) for values in columns)
    day: dt.date = (latest + np.timedelta64(1, "D")).astype(dt.date)
    return day


def _numbered(raw: pa.Table, source: SourceInfo) -> tuple[pa.Table, SourceInfo]:
    if ROW_ID in raw.column_names:
        raise DataError(
            f"{source.path}: the file has a column {ROW_ID!r}, the name data.number_rows gives "
            "the row numbers; rename that column, or name it as data.id_column instead"
        )
    log.warning("%s: %s", source.path, NUMBERED)
    numbers = pa.array(range(1, raw.num_rows + 1), pa.int64())
    return raw.append_column(ROW_ID, numbers), replace(source, notes=(*source.notes, NUMBERED))
