"""Turn a transaction log (one row per purchase) into one row per customer: RFM and more.

Each log row names a customer and a date, usually an amount (the line's total; a unit price
when a quantity is given) and optionally an order. Per customer, at ``as_of`` (default: the
day after the last date in the log):

- ``recency``: days since the last purchase (lower is better);
- ``frequency``: distinct orders, or distinct purchase days when there is no order column;
- ``monetary``: the total amount (returns, as negative amounts, net out);
- ``tenure``: days since the first purchase;

A purchase is a line whose amount is not negative: a return nets out of ``monetary`` but is
not counted in ``frequency`` nor moves the first or last purchase.
- ``average_order_value``: monetary over frequency.

A log without amounts makes no ``monetary`` nor ``average_order_value``.

The cells are checked first, like any table's (line, column, value, what was expected); the
group-by runs in Arrow on one thread, so the sums, and the site, are the same on every run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from generator.config.settings import Config, Transactions
from generator.errors import DataError, collect
from generator.model import RowLines, SourceInfo
from generator.table.convert import Converted, _text, to_numbers
from generator.table.dates import to_days
from generator.table.placeholders import IdCells, id_cells, left_out_or_stop, outsized
from generator.table.problems import CellIssue, ProblemList

log = logging.getLogger(__name__)
# Dates from this year on are stand-ins ("9999-12-31": no end), never a purchase day.
FAR_YEAR = 9000
DROP_HINT = "set data.missing: drop to leave out log rows with missing values"
# A checked log column: its name, missing cells, bad cells and what a cell should hold.
Checked = tuple[str, np.ndarray, tuple[CellIssue, ...], str]


def per_customer(raw: pa.Table, source: SourceInfo, config: Config) -> tuple[pa.Table, SourceInfo]:
    """The log ``raw`` as one row per customer (the ID column and the RFM columns).

    Raises:
        DataError: Listing every bad or (with ``data.missing: error``) missing cell of the log,
            every placeholder customer ID kept, and every ID on an implausible share of lines.
    """
    spec = config.transactions
    assert spec is not None
    where = str(source.path)
    if raw.num_rows == 0:
        raise DataError(f"{where}: the file has no transaction rows")
    cells, keep, names, ids, far = _cells(raw, spec, config, source.lines, where)
    log_rows, as_of, table, lines = _made(cells, keep, names, config, where)
    big = outsized(lines, table.column(config.id_column), config.rule_for(spec.customer))
    if big:  # rare: a zero standing for unknown customers is left out, and all is made again
        hint = f"{DROP_HINT} or placeholder customer IDs"
        keep, ids = left_out_or_stop(big, ids, keep, config.missing, source.lines, (where, hint))
        log_rows, as_of, table, lines = _made(cells, keep, names, config, where)
    note = (
        f"made {table.num_rows:,} customers from {log_rows.num_rows:,} transactions "
        f"(recency and tenure in days at {as_of.isoformat()})"
    )
    log.info("%s: %s", where, note)
    _drop_note(where, ~keep, source.lines, bool(ids.left_out))
    placeholders = []
    if far:
        placeholders.append(
            f"column {spec.date!r}: {far:,} cells held a placeholder date such as 9999-12-31 "
            "(no real day) and were read as gaps"
        )
    customers = replace(
        source,
        notes=(*source.notes, *placeholders, note),
        rows_dropped=source.rows_dropped + raw.num_rows - log_rows.num_rows,
        lines=RowLines("customer", 1),
        as_of=as_of,
        left_out=ids.left_out,
        log_lines=log_rows.num_rows,
        log_no_id=int(ids.missing.sum()),
    )
    return table, customers


def _made(
    cells: dict[str, pa.Array], keep: np.ndarray, names: pa.Array | None, config: Config, where: str
) -> tuple[pa.Table, dt.date, pa.Table, np.ndarray]:
    """The kept log rows, the day counted to, one row per customer and each one's lines."""
    spec = config.transactions
    assert spec is not None
    log_rows = pa.table(cells).filter(pa.array(keep))
    if log_rows.num_rows == 0:
        raise DataError(f"{where}: no transaction rows left after dropping missing values")
    as_of = _as_of(spec, log_rows.column("day"), config)
    table, lines = _aggregate(log_rows, names, config.id_column, as_of, bool(spec.order))
    table = table.select([config.id_column, *spec.made])
    return log_rows, as_of, table, lines


def _cells(
    raw: pa.Table, spec: Transactions, config: Config, lines: RowLines, where: str
) -> tuple[dict[str, pa.Array], np.ndarray, pa.Array | None, IdCells, int]:
    """The log's typed columns, the rows to keep, the customer names of the codes, the IDs.

    Raises on bad (or missing) cells and placeholder IDs. Customers and orders become
    whole-number keys.
    """
    column = {name: raw.column(name).combine_chunks() for name in spec.columns}
    ids = id_cells(spec.customer, column[spec.customer], config.rule_for(spec.customer), log=True)
    days = to_days(spec.date, column[spec.date], spec.date_format)
    days, far = placeholder_dates(spec.date, days, where)
    checked: list[Checked] = [(spec.customer, ids.missing, ids.issues, "a customer ID")]
    checked += [(spec.date, days.missing, days.issues, days.expected)]
    value = np.ones(len(days.missing))
    for name in (spec.amount, spec.quantity):  # a unit price times a quantity
        if name:
            number = to_numbers(name, column[name])
            checked.append((name, number.missing, number.issues, number.expected))
            value = value * np.asarray(number.values, dtype=float)
    missing = np.logical_or.reduce([gaps for _, gaps, _, _ in checked]) | ids.placeholder
    _check(checked, missing, ids, config.missing, lines, where)
    codes, names = _keys(ids.text)
    cells = {"customer": codes, "day": pa.array(days.values, pa.date32())}
    if spec.amount:
        cells["value"] = pa.array(value, pa.float64())
    if spec.order:
        cells["order"] = _keys(_text(spec.order, column[spec.order]))[0]
    return cells, ~missing, names, ids, far


def placeholder_dates(column: str, days: Converted, where: str) -> tuple[Converted, int]:
    """Far-future stand-ins (``9999-12-31``: "no end") read as gaps, and how many there were.

    A date from the year ``FAR_YEAR`` on is no purchase day: counted as a gap (left out with
    ``data.missing: drop``, as any missing date) and said in a note on the Data page.
    """
    values = np.asarray(days.values, dtype="datetime64[D]")
    far = ~np.isnat(values) & (values >= np.datetime64(f"{FAR_YEAR}-01-01"))
    count = int(far.sum())
    if not count:
        return days, 0
    log.warning("%s: column %r: %d placeholder dates read as gaps", where, column, count)
    values = np.where(far, np.datetime64("NaT"), values)
    return replace(days, values=values, missing=days.missing | far), count


def _keys(text: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """Keys that group fast: whole numbers as int64 (names None), else codes and their names.

    Hashing ten million strings costs seconds; integers do not.
    """
    try:
        return pc.cast(text, pa.int64()), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        encoded = pc.dictionary_encode(text)
        return encoded.indices, encoded.dictionary


def _check(
    checked: list[Checked],
    dropped: np.ndarray,
    ids: IdCells,
    policy: str,
    lines: RowLines,
    where: str,
) -> None:
    """Raise one error listing every bad cell and (unless dropped) every missing one.

    Placeholder IDs are missing IDs with a reason; an outsized ID is a problem either way.
    """
    issues = [issue for _, _, found, _ in checked for issue in found]
    if policy == "error":
        for name, gaps, _, expected in checked:
            rows = np.flatnonzero(gaps)
            issues.append(CellIssue(name, rows, None, f"missing value; expected {expected}"))
    else:
        issues = [_kept(issue, ~dropped) for issue in issues]
    hint = ""
    if policy == "error" and dropped.any():
        hint = DROP_HINT + (" or placeholder customer IDs" if ids.placeholder.any() else "")
    collect(DataError, where, ProblemList(issues, lines), 20, hint)


def _drop_note(where: str, dropped: np.ndarray, lines: RowLines, placeholders: bool) -> None:
    """Say how many log rows ``data.missing: drop`` left out, and where: never silently.

    The data page counts them by reason (``SourceInfo``); the line numbers are for the analyst.
    """
    rows = np.flatnonzero(dropped)
    if not len(rows):
        return
    shown = ", ".join(str(n) for n in lines.of(rows[:5]))
    more = f" and {len(rows) - 5:,} more" if len(rows) > 5 else ""
    noun = "row" if len(rows) == 1 else "rows"
    why = "missing values or placeholder customer IDs" if placeholders else "missing values"
    log.info(
        "%s: dropped %s log %s with %s (%ss %s%s)",
        where,
        f"{len(rows):,}",
        noun,
        why,
        lines.word,
        shown,
        more,
    )


def _kept(issue: CellIssue, keep: np.ndarray) -> CellIssue:
    inside = keep[issue.rows]
    values = issue.values.filter(pa.array(inside)) if issue.values is not None else None
    return replace(issue, rows=issue.rows[inside], values=values)


def _as_of(spec: Transactions, days: pa.ChunkedArray, config: Config) -> dt.date:
    """The configured day, never before the last purchase; else the day after it.

    Without ``as_of``, a purchase after today is refused: one row dated 2099 would move
    every customer's recency by decades.
    """
    last = pc.max(days).as_py()
    assert isinstance(last, dt.date)
    if spec.as_of is None:
        today = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)  # any time zone's today
        if last > today:
            raise DataError(
                f"{config.path}: column {spec.date!r} has the date {last.isoformat()}, after "
                f"today ({today.isoformat()}); fix it, or set data.transactions.as_of to count "
                "recency and tenure to a later day"
            )
        return last + dt.timedelta(days=1)
    if spec.as_of < last:
        raise DataError(
            f"{config.path}: data.transactions.as_of {spec.as_of.isoformat()} is before the last "
            f"purchase in the log ({last.isoformat()}); expected a day on or after it"
        )
    return spec.as_of


def _aggregate(
    rows: pa.Table, names: pa.Array | None, id_column: str, as_of: dt.date, orders: bool
) -> tuple[pa.Table, np.ndarray]:
    """One row per customer (IDs as the log writes them: ``00001`` stays ``00001``).

    Customers become dense codes; sums are ``bincount`` over the rows in file order, so they
    add up in one order and repeat to the byte. Also returns each customer's number of lines.
    """
    who, customers = _dense(_combined(rows.column("customer")))
    n = len(customers)
    day = np.asarray(pc.cast(rows.column("day"), pa.int32()).to_numpy(), dtype=np.int64)
    spent = "value" in rows.column_names  # a log without amounts has no spend
    value = np.asarray(rows.column("value").to_numpy(), dtype=float) if spent else day * 0.0
    # A return (a negative line) is no purchase: it nets out of the spend but moves neither the
    # last purchase nor the count. A customer with returns only keeps their lines as purchases.
    bought = value >= 0
    bought |= np.bincount(who[bought], minlength=n)[who] == 0
    span = pd.Series(day[bought]).groupby(who[bought]).agg(["min", "max"]).to_numpy()
    counted = rows.column("order") if orders else pa.array(who * 100_000 + day - day.min())
    frequency = _distinct_per_customer(who[bought], counted.filter(pa.array(bought)), n)
    frequency = frequency.astype(float)
    monetary = np.bincount(who, weights=value, minlength=n)
    end = (as_of - dt.date(1970, 1, 1)).days
    table = pa.table(
        {
            id_column: _names(customers, names),
            "recency": (end - span[:, 1]).astype(float),
            "frequency": frequency,
            "monetary": monetary,
            "tenure": (end - span[:, 0]).astype(float),
            "average_order_value": monetary / frequency,
        }
    )
    return table, np.bincount(who, minlength=n)


def _distinct_per_customer(who: np.ndarray, keys: pa.ChunkedArray | pa.Array, n: int) -> np.ndarray:
    """How many distinct ``keys`` (orders) each customer has, counting each key once.

    A key seen with two customers (an order shared by two customers) counts for each.
    """
    key, _ = _dense(_combined(keys))
    owner = np.full(int(key.max()) + 1 if len(key) else 0, -1, dtype=np.int64)
    owner[key] = who
    if not np.array_equal(owner[key], who):
        # Shared keys: count distinct (customer, key) pairs instead.
        return _distinct_per_customer(who, pa.array(who * (int(key.max()) + 1) + key), n)
    return np.bincount(owner, minlength=n)


def _dense(keys: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Codes 0..m-1 for the distinct ``keys`` (first-seen order for text) and those keys.

    Whole numbers in a compact range need no hashing: offsets from the smallest, renumbered.
    """
    if pa.types.is_integer(keys.type) and len(keys):
        values = np.asarray(keys.to_numpy(zero_copy_only=False), dtype=np.int64)
        low, high = int(values.min()), int(values.max())
        if high - low <= 4 * len(values) + 1_000:
            seen = np.zeros(high - low + 1, dtype=bool)
            seen[values - low] = True
            number = np.cumsum(seen) - 1
            return number[values - low], pa.array(np.flatnonzero(seen) + low)
    encoded = pc.dictionary_encode(keys)
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, encoded.dictionary


def _combined(keys: pa.ChunkedArray | pa.Array) -> pa.Array:
    return keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys


def _names(keys: pa.Array, names: pa.Array | None) -> pa.Array:
    """The customers' IDs: the whole numbers themselves, or the text their codes stand for."""
    return keys if names is None else names.take(keys)
