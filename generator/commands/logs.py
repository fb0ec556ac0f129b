"""How ``init`` recognises a transaction log: the whole table, not one column, decides.

A table is a log when a customer-like column repeats and a date column exists, whatever other
unique columns it has (row numbers, line IDs such as "Row ID"). The customer column is found
by name (``customer``, ``client``, ``user``... preferring one that reads like an ID, never a
person's name or e-mail) and must hold many customers; if it is unique the table has one row
per customer and is not a log. Dates include 8-digit whole numbers that read as yyyymmdd.

Amounts: a column whose name says it is a line total (``Sales``, ``Amount``, ``Total``) is the
amount and is never multiplied; only when there is none is the amount a unit price (``Price``,
``UnitPrice``) times a quantity (``Quantity``, ``Qty``), and only when the names say so.

A log without amounts is a log still: its customers get recency and frequency, no spend.

A file without a header has no names, so there the roles come from the values: the first
column with repeats is the customer, the date column the date, the numeric column with
decimals (the most distinct values) the amount, as a line total.
"""

from __future__ import annotations

import re

import pandas as pd

from generator.commands.choose import MAX_CATEGORIES, is_date, is_yyyymmdd, looks_like_id
from generator.config.settings import Transactions
from generator.table.convert import NUMBER
from generator.table.personal import personal_kind
from generator.table.placeholders import NA, SENTINELS, TOKENS

CUSTOMER = re.compile(r"cust|client|user|member|account|buyer|shopper|patron", re.IGNORECASE)
DATE = re.compile(r"date|time|day|when|period", re.IGNORECASE)
ORDER = re.compile(r"order|invoice|transaction|receipt|basket|bill|ticket|txn", re.IGNORECASE)
# Words of a column name (split at separators and case changes), by what they say.
TOTAL = {"amount", "amt", "total", "subtotal", "sales", "sale", "revenue", "spend", "spent"}
TOTAL |= {"paid", "value", "sum", "turnover", "net", "gross", "extended", "payment", "charge"}
TOTAL |= {"charged", "monetary"}
PRICE = {"price", "rate", "each", "unit", "cost", "unitprice"}
QUANTITY = {"qty", "quantity", "units", "items", "pieces", "pcs", "count"}
STAND_INS = NA | TOKENS | SENTINELS | {""}
LINES = 1.1  # lines per customer, on average, that make a log


def find_log(text: pd.DataFrame, named: bool) -> Transactions | None:
    """The columns of a transaction log in ``text`` (all cells text), or None if it is not one.

    The result is the ``data.transactions`` setting ``init`` writes (roles only: no ``as_of``
    or ``date_format``).
    """
    kinds = {str(c): _kind(text[c]) for c in text.columns}
    customer = _customer(text, kinds, named)
    if customer is None or not repeats(text[customer]):
        return None
    # A date whose name says so comes first ("Order Date" before "Ship Date": file order).
    dates = sorted((c for c in kinds if kinds[c] == "date"), key=lambda c: not DATE.search(c))
    if not dates:
        return None
    amount, quantity = _amount(text, kinds, named, customer)
    rest = [c for c in kinds if c not in (customer, dates[0], amount, quantity)]
    orders = [c for c in rest if kinds[c] in ("text", "whole") and _order(text, c, customer, named)]
    # An order has several lines; a line ID ("Order Line ID") is unique: the last resort.
    order = min(orders, key=lambda c: (text[c].is_unique, orders.index(c)), default="")
    return Transactions(customer, dates[0], amount or "", order, quantity)


def _kind(values: pd.Series) -> str:
    present = values[values != ""]
    if len(present) == 0:
        return "empty"
    if present.str.fullmatch(NUMBER).all():
        if is_yyyymmdd(present):
            return "date"
        numbers = pd.to_numeric(present)
        return "whole" if (numbers == numbers.round()).all() else "number"
    return "date" if is_date(present) else "text"


def _customer(text: pd.DataFrame, kinds: dict[str, str], named: bool) -> str | None:
    """The customer column: customer-like and holding many customers; an ID-like name first.

    A person's name or e-mail address is never the customer (it is personal data, and two
    customers may share a name). In a file without a header: the first column that repeats.
    """
    fitting = [
        c
        for c in kinds
        if kinds[c] in ("text", "whole")
        and (not named or (CUSTOMER.search(c) and not personal_kind(c, text[c])))
        and text[c].nunique() > MAX_CATEGORIES
    ]
    if not named:
        return next((c for c in fitting if repeats(text[c])), None)
    return min(fitting, key=lambda c: (not looks_like_id(c), fitting.index(c)), default=None)


def repeats(values: pd.Series) -> bool:
    """Whether customers repeat as a log's do: ``LINES`` lines each or more, on average.

    Stand-ins for unknown customers ("(blank)", "0") are set aside: they repeat in a table of
    customers too. A few repeated IDs are a table's mistake, which validation names.
    """
    stand_in = values.str.lower().isin(STAND_INS)
    present = values[~stand_in]
    return len(present) >= LINES * max(present.nunique(), 1)


def words(name: str) -> set[str]:
    """The words of a column name: ``UnitPrice`` and ``unit_price`` are {unit, price}."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return {w for w in re.split(r"[^a-z0-9]+", spaced.casefold()) if w}


def _amount(
    text: pd.DataFrame, kinds: dict[str, str], named: bool, customer: str
) -> tuple[str | None, str]:
    """The amount column, and the quantity it is multiplied by ("" for a line total)."""
    numeric = [c for c in kinds if c != customer and kinds[c] in ("number", "whole")]
    if not named:
        decimals = [c for c in numeric if kinds[c] == "number"]
        return (max(decimals, key=lambda c: text[c].nunique()) if decimals else None), ""
    totals = [c for c in numeric if is_line_total(c)]
    if totals:
        return totals[0], ""
    prices = [c for c in numeric if words(c) & PRICE]
    quantities = [c for c in numeric if kinds[c] == "whole" and words(c) & QUANTITY]
    if prices:
        return prices[0], quantities[0] if quantities else ""
    return None, ""


def is_line_total(name: str) -> bool:
    """Whether a name says the line's total: ``Sales``, ``Amount``, ``Total Price``.

    A price word (``Unit Price``, ``Sale Price``, ``Cost``) makes it a unit price unless a
    total word says the line's (``Total Price``, ``Line Cost``, ``Subtotal``).
    """
    found = words(name)
    if found & PRICE:
        return bool(found & {"total", "subtotal", "line", "extended"})
    return bool(found & TOTAL)


def _order(text: pd.DataFrame, column: str, customer: str, named: bool) -> bool:
    """An order column has more distinct values than customers (and, named, an order name)."""
    if named and not ORDER.search(str(column)):
        return False
    return bool(text[column].nunique() > text[customer].nunique())
