"""How the table is read and what it holds: ``data.header``, ``columns``, ``transactions``.

Kept apart from ``settings`` so that module stays small; ``settings`` holds one field for each.

    data:
      path: orders.txt
      delimiter: whitespace     # runs of spaces or tabs (also any one character)
      header: false             # the file has no header line ...
      columns: [customer, day, n, amount]   # ... so these name its columns, in order
      transactions:             # one row per purchase: made into one row per customer
        customer: customer
        date: day
        amount: amount          # optional: the line's total (a unit price when quantity is
        quantity: n             # given); without it, no spend: recency and frequency only
        order: invoice          # optional: frequency counts distinct orders, else purchase days
        as_of: 2024-01-01       # optional: recency is counted to this day (default: the day
                                # after the last purchase)
        date_format: "%d/%m/%Y" # optional: else the first common format that reads every date

A table of customers may hold dates and years rather than durations; ``data.since`` turns them
into days or years before ``data.as_of`` (default: the day after the latest of those dates):

    data:
      since: {Dt_Customer: days, Year_Birth: years}   # the columns keep their names

A transaction log becomes a table with one row per customer and the columns ``RFM_COLUMNS``,
which ``features`` and ``describe`` then name like any other column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.config.checks import Context

TRANSACTION_KEYS = ("customer", "date", "amount", "order", "quantity", "as_of", "date_format")
WHITESPACE = "whitespace"
# The ID column made by ``data.number_rows: true`` for a table without one.
ROW_ID = "row"
# The per-customer columns made from a log; their labels; and the words of their levels in
# persona names (recency counts days since the last purchase, so Low is the good end).
RFM_COLUMNS = ("recency", "frequency", "monetary", "tenure", "average_order_value")
SPEND_COLUMNS = ("monetary", "average_order_value")  # made only from a log with amounts
RFM_LABELS = {
    "recency": "Recency",
    "frequency": "Frequency",
    "monetary": "Spend",
    "tenure": "Tenure",
    "average_order_value": "Order Value",
}
RFM_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "recency": (("Low", "Recent"), ("Medium", "Cooling"), ("High", "Lapsed")),
    "frequency": (("Low", "Infrequent"), ("Medium", "Repeat"), ("High", "Frequent")),
    "tenure": (("Low", "New"), ("Medium", "Established"), ("High", "Long-standing")),
}


@dataclass(frozen=True)
class Transactions:
    """Which log columns hold the customer, the date, the amount (and the order, quantity)."""

    customer: str
    date: str
    amount: str = ""
    order: str = ""
    quantity: str = ""
    as_of: dt.date | None = None
    date_format: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        """The log's columns the aggregation reads, in a fixed order."""
        named = (self.customer, self.date, self.amount, self.order, self.quantity)
        return tuple(c for c in named if c)

    @property
    def made(self) -> tuple[str, ...]:
        """The per-customer columns made from the log (no spend without an amount)."""
        return tuple(c for c in RFM_COLUMNS if self.amount or c not in SPEND_COLUMNS)


@dataclass(frozen=True)
class TextLayout:
    """How a text file is laid out: a header line, or the names of its columns."""

    header: bool = True
    names: tuple[str, ...] = ()


def parse_names(raw: Any, header: bool, fail: Callable[[str], None]) -> tuple[str, ...]:
    """``data.columns``: a file without a header line needs its column names, in order."""
    if not isinstance(raw, list) or not all(isinstance(n, str) and n for n in raw):
        fail(f"data.columns should be a list of column names, got {raw!r}")
        return ()
    if len(set(raw)) != len(raw):
        fail(f"data.columns names a column twice: {raw!r}")
    if not header and not raw:
        fail("data.header is false, so data.columns should name the file's columns in order")
    if header and raw:
        fail("data.columns names the columns of a file without a header; set data.header: false")
    return tuple(raw)


def parse_transactions(raw: Any, fail: Callable[[str], None]) -> Transactions | None:
    """``data.transactions`` (None when absent), reporting every problem through ``fail``."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        fail(f"data.transactions should be a mapping of {', '.join(TRANSACTION_KEYS)}")
        return None
    for key in sorted(set(map(str, raw)) - set(TRANSACTION_KEYS)):
        fail(f"unknown setting 'data.transactions.{key}' (expected {', '.join(TRANSACTION_KEYS)})")
    names = {}
    for key in ("customer", "date", "amount", "order", "quantity", "date_format"):
        value = raw.get(key, "")
        required = key in ("customer", "date")
        if not isinstance(value, str) or (required and not value):
            fail(f"data.transactions.{key} should be a column name, got {value!r}")
            value = ""
        names[key] = value
    if not all(names[key] for key in ("customer", "date")):
        return None
    if names["quantity"] and not names["amount"]:
        fail("data.transactions.quantity multiplies the amount, so name data.transactions.amount")
    return Transactions(
        **names, as_of=parse_as_of(raw.get("as_of"), "data.transactions.as_of", fail)
    )


def parse_as_of(value: Any, name: str, fail: Callable[[str], None]) -> dt.date | None:
    """YAML reads ``2024-01-01`` as a date already; a quoted one is parsed here."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        fail(f"{name} should be a date such as 2024-01-31, got {value!r}")
        return None


def parse_words(raw: Any, where: str, fail: Callable[[str], None]) -> tuple[tuple[str, str], ...]:
    """A feature's ``words``: the word for each level in persona names (``{Low: Recent}``)."""
    if raw is None:
        return ()
    levels = ("Low", "Medium", "High")
    if not isinstance(raw, dict) or not all(
        k in levels and isinstance(v, str) and v for k, v in raw.items()
    ):
        fail(f"{where}.words should map Low, Medium, High to words, got {raw!r}")
        return ()
    return tuple((level, raw[level]) for level in levels if level in raw)


UNITS = ("days", "years")


def parse_since(raw: Any, fail: Callable[[str], None]) -> tuple[tuple[str, str], ...]:
    """``data.since``: column to ``days`` or ``years``."""
    if not isinstance(raw, dict) or not all(unit in UNITS for unit in raw.values()):
        fail(f"data.since should map columns to days or years, got {raw!r}")
        return ()
    return tuple((str(column), str(unit)) for column, unit in raw.items())


def feature_naming(
    item: dict[str, Any], transactions: Transactions | None, label: str, fail: Callable[[str], None]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A feature's label and level words; a column made from a log has its own defaults."""
    column = item["column"]
    made = transactions is not None and column in transactions.made
    if transactions is not None and not made:
        fail(
            f"features names {column!r}, but data.transactions makes the columns "
            f"{', '.join(transactions.made)}"
        )
    label = str(item.get("label", RFM_LABELS[column] if made else label))
    words = parse_words(item.get("words"), f"features {column!r}", fail)
    return label, words or (RFM_WORDS.get(column, ()) if made else ())


# The checks of config.schema's declared settings for this section: (value, key, context).


def id_column(value: Any, key: str, ctx: Context) -> str | None:
    """Required, unless the rows are numbered or a log's customer column is the ID."""
    transactions = ctx.parsed["data.transactions"]
    if ctx.parsed["data.number_rows"]:
        if value:
            ctx.fail(f"data.number_rows numbers the rows of a table without an ID; remove {key}")
        return ROW_ID
    if transactions is not None and not value:
        return str(transactions.customer)
    if not isinstance(value, str) or not value:
        ctx.fail(f"{key} should be a non-empty string, got {value!r}")
        return ""
    return value


def number_rows(value: Any, key: str, ctx: Context) -> bool | None:
    """``true`` for a table without an ID column (not for a transaction log)."""
    if not isinstance(value, bool):
        ctx.fail(f"{key} should be true or false, got {value!r}")
        return None
    numbered = value
    if numbered and ctx.parsed["data.transactions"] is not None:
        ctx.fail(f"{key} numbers the rows of a table without an ID; a log has its customers")
    return numbered


def transactions(value: Any, key: str, ctx: Context) -> Any:
    """The transaction log's columns (None: the table has one row per customer)."""
    return parse_transactions(value, ctx.fail)


def column_names(value: Any, key: str, ctx: Context) -> tuple[str, ...]:
    """The column names of a file without a header line (``data.header: false``)."""
    return parse_names(value, ctx.parsed["data.header"], ctx.fail)


def since(value: Any, key: str, ctx: Context) -> tuple[tuple[str, str], ...]:
    """Date and year columns turned into days or years before ``data.as_of``."""
    return parse_since(value, ctx.fail)


def as_of(value: Any, key: str, ctx: Context) -> Any:
    """The day ``data.since`` counts to (None: the day after the latest date)."""
    day = parse_as_of(value, key, ctx.fail)
    counted = ctx.parsed["data.since"]
    if counted and day is None and all(unit == "years" for _, unit in counted):
        ctx.fail("data.since counts years only, so data.as_of should say to which date")
    return day
