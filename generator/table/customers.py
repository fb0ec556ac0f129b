"""One row per customer before validation: a transaction log aggregated, or rows numbered.

Most tables already have one row per customer and an ID column; they pass through unchanged.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pyarrow as pa

from generator.config.settings import ROW_ID, Config
from generator.errors import DataError
from generator.model import SourceInfo
from generator.table.transactions import per_customer

log = logging.getLogger(__name__)
NUMBERED = (
    "customers are numbered by their row (data.number_rows), so a refresh cannot compare "
    "customers one by one: the 'What changed' page shows segment sizes and centres only"
)


def customer_rows(raw: pa.Table, source: SourceInfo, config: Config) -> tuple[pa.Table, SourceInfo]:
    """The table with one row per customer and an ID column, as validation expects."""
    if config.transactions is not None:
        return per_customer(raw, source, config)
    if config.number_rows:
        return _numbered(raw, source)
    return raw, source


def _numbered(raw: pa.Table, source: SourceInfo) -> tuple[pa.Table, SourceInfo]:
    if ROW_ID in raw.column_names:
        raise DataError(
            f"{source.path}: the file has a column {ROW_ID!r}, the name data.number_rows gives "
            "the row numbers; rename that column, or name it as data.id_column instead"
        )
    log.warning("%s: %s", source.path, NUMBERED)
    numbers = pa.array(range(1, raw.num_rows + 1), pa.int64())
    return raw.append_column(ROW_ID, numbers), replace(source, notes=(*source.notes, NUMBERED))
