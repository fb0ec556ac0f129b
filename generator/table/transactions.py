"""Turn a transaction log (one row per purchase) into one row per customer: RFM and more.

Each log row names a customer, a date and an amount (optionally an order and a quantity; the
amount is then a unit price). Per customer, at ``as_of`` (default: the day after the last date
in the log):

- ``recency``: days since the last purchase (lower is better);
- ``frequency``: distinct orders, or distinct purchase days when there is no order column;
- ``monetary``: the total amount (returns, as negative amounts, net out);
- ``tenure``: days since the first purchase;
- ``average_order_value``: monetary over frequency.

The cells are checked first, like any table's (line, column, value, what was expected); the
group-by runs in Arrow on one thread, so the sums, and the site, are the same on every run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator.config.settings import Config, Transactions
from generator.errors import DataError, collect
from generator.model import RowLines, SourceInfo
from generator.table.convert import to_ids, to_numbers
from generator.table.dates import to_days
from generator.table.problems import CellIssue, ProblemList

log = logging.getLogger(__name__)
DROP_HINT = "set data.missing: drop to leave out log rows with missing values"


def per_customer(raw: pa.Table, source: SourceInfo, config: Config) -> tuple[pa.Table, SourceInfo]:
    """The log ``raw`` as one row per customer (the ID column and the RFM columns).

    Raises:
        DataError: Listing every bad or (with ``data.missing: error``) missing cell of the log.
    """
    spec = config.transactions
    assert spec is not None
    where = str(source.path)
    if raw.num_rows == 0:
        raise DataError(f"{where}: the file has no transaction rows")
    cells, keep = _cells(raw, spec, config, source.lines, where)
    log_rows = pa.table(cells).filter(pa.array(keep))
    if log_rows.num_rows == 0:
        raise DataError(f"{where}: no transaction rows left after dropping missing values")
    as_of = spec.as_of or _day_after(log_rows.column("day"))
    table = _aggregate(log_rows, config.id_column, as_of, bool(spec.order))
    note = (
        f"made {table.num_rows:,} customers from {log_rows.num_rows:,} transactions "
        f"(recency and tenure in days at {as_of.isoformat()})"
    )
    log.info("%s: %s", where, note)
    dropped = raw.num_rows - log_rows.num_rows
    notes = (*source.notes, *_drop_note(where, ~keep, source.lines), note)
    customers = replace(
        source,
        notes=notes,
        rows_dropped=source.rows_dropped + dropped,
        lines=RowLines("customer", 1),
    )
    return table, customers


def _cells(
    raw: pa.Table, spec: Transactions, config: Config, lines: RowLines, where: str
) -> tuple[dict[str, pa.Array], np.ndarray]:
    """The log's typed columns and the rows to keep; raises on bad (or missing) cells."""
    column = {name: raw.column(name).combine_chunks() for name in spec.columns}
    ids = to_ids(spec.customer, column[spec.customer])
    days = to_days(spec.date, column[spec.date], spec.date_format)
    amount = to_numbers(spec.amount, column[spec.amount])
    converted = [ids, days, amount]
    value = np.asarray(amount.values, dtype=float)
    if spec.quantity:
        quantity = to_numbers(spec.quantity, column[spec.quantity])
        converted.append(quantity)
        value = value * np.asarray(quantity.values, dtype=float)
    missing = np.logical_or.reduce([c.missing for c in converted])
    issues: list[CellIssue] = [issue for c in converted for issue in c.issues]
    if config.missing == "error":
        for name, c in zip(spec.columns, converted, strict=False):
            rows = np.flatnonzero(c.missing)
            issues.append(CellIssue(name, rows, None, f"missing value; expected {c.expected}"))
    else:
        issues = [_kept(issue, ~missing) for issue in issues]
    hint = DROP_HINT if config.missing == "error" and missing.any() else ""
    collect(DataError, where, ProblemList(issues, lines), 20, hint)
    cells = {
        config.id_column: _text_ids(column[spec.customer]),
        "day": days.values,
        "value": pa.array(value, pa.float64()),
    }
    if spec.order:
        cells["order"] = pc.utf8_trim_whitespace(pc.cast(column[spec.order], pa.string()))
    return cells, ~missing


def _drop_note(where: str, dropped: np.ndarray, lines: RowLines) -> tuple[str, ...]:
    """Say how many log rows ``data.missing: drop`` left out, and where: never silently."""
    rows = np.flatnonzero(dropped)
    if not len(rows):
        return ()
    shown = ", ".join(str(n) for n in lines.of(rows[:5]))
    more = f" and {len(rows) - 5:,} more" if len(rows) > 5 else ""
    noun = "row" if len(rows) == 1 else "rows"
    note = f"dropped {len(rows):,} log {noun} with missing values ({lines.word}s {shown}{more})"
    log.info("%s: %s", where, note)
    return (note,)


def _text_ids(array: pa.Array) -> pa.Array:
    """IDs as the log writes them (``00001`` stays ``00001``); validation types them later."""
    return pc.utf8_trim_whitespace(pc.cast(array, pa.string()))


def _kept(issue: CellIssue, keep: np.ndarray) -> CellIssue:
    inside = keep[issue.rows]
    values = issue.values.filter(pa.array(inside)) if issue.values is not None else None
    return replace(issue, rows=issue.rows[inside], values=values)


def _day_after(days: pa.ChunkedArray) -> dt.date:
    last = pc.max(days).as_py()
    assert isinstance(last, dt.date)
    return last + dt.timedelta(days=1)


def _aggregate(rows: pa.Table, id_column: str, as_of: dt.date, orders: bool) -> pa.Table:
    """One row per customer, in first-seen order; single-threaded so float sums repeat exactly."""
    counted = ("order", "count_distinct") if orders else ("day", "count_distinct")
    aggregations = [("day", "min"), ("day", "max"), ("value", "sum"), counted]
    grouped = rows.group_by(id_column, use_threads=False).aggregate(aggregations)
    as_of_day = pa.scalar(as_of, pa.date32())
    first = grouped.column("day_min")
    last = grouped.column("day_max")
    frequency = pc.cast(grouped.column(f"{counted[0]}_count_distinct"), pa.float64())
    monetary = grouped.column("value_sum")
    return pa.table(
        {
            id_column: grouped.column(id_column),
            "recency": _days_between(last, as_of_day),
            "frequency": frequency,
            "monetary": monetary,
            "tenure": _days_between(first, as_of_day),
            "average_order_value": pc.divide(monetary, frequency),
        }
    )


def _days_between(days: pa.ChunkedArray, as_of: pa.Scalar) -> pa.ChunkedArray:
    """Whole days from ``days`` to ``as_of``, as float64."""
    between = pc.days_between(days, pc.cast(as_of, pa.date32()))
    return pc.cast(between, pa.float64())
