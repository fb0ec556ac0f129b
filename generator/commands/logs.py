"""How ``init`` recognises a transaction log: a customer repeated across rows, a date, an amount.

Columns are found by name first (``customer``, ``date``, ``amount`` and their usual synonyms).
A file without a header has no names, so there the roles come from the values: the first
column with repeats is the customer, the date column the date, the numeric column with
decimals (the most distinct values) the amount, a small whole-number column the quantity.
"""

from __future__ import annotations

import re

import pandas as pd

from generator.commands.choose import is_date
from generator.config.settings import Transactions
from generator.table.convert import NUMBER

CUSTOMER = re.compile(r"cust|client|user|member|account|buyer|shopper|patron", re.IGNORECASE)
DATE = re.compile(r"date|time|day|when|period", re.IGNORECASE)
AMOUNT = re.compile(r"amount|price|total|value|sales|revenue|spend|paid|sum|cost", re.I)
QUANTITY = re.compile(r"qty|quantity|units|items|count|number of", re.IGNORECASE)
ORDER = re.compile(r"order|invoice|transaction|receipt|basket|bill|ticket", re.IGNORECASE)


def find_log(text: pd.DataFrame, named: bool) -> Transactions | None:
    """The columns of a transaction log in ``text`` (all cells text), or None if it is not one.

    The result is the ``data.transactions`` setting ``init`` writes (roles only: no ``as_of``
    or ``date_format``).
    """
    kinds = {str(c): _kind(text[c]) for c in text.columns}
    customer = _first(text, named, CUSTOMER, [c for c in kinds if kinds[c] in ("text", "whole")])
    if customer is None:
        return None
    date = _first(text, named, DATE, [c for c in kinds if kinds[c] == "date"])
    amount = _amount(text, kinds, named, customer)
    if date is None or amount is None:
        return None
    rest = [c for c in kinds if c not in (customer, date, amount)]
    quantity = next((c for c in rest if kinds[c] == "whole" and _named(c, QUANTITY, named)), "")
    orders = [c for c in rest if c != quantity and kinds[c] in ("text", "whole")]
    order = next((c for c in orders if _order(text, c, customer, named)), "")
    return Transactions(customer, date, amount, order, quantity)


def _kind(values: pd.Series) -> str:
    present = values[values != ""]
    if len(present) == 0:
        return "empty"
    if present.str.fullmatch(NUMBER).all():
        numbers = pd.to_numeric(present)
        return "whole" if (numbers == numbers.round()).all() else "number"
    return "date" if is_date(present) else "text"


def _named(column: str, pattern: re.Pattern[str], named: bool) -> bool:
    return not named or bool(pattern.search(str(column)))


def _first(
    text: pd.DataFrame, named: bool, pattern: re.Pattern[str], fitting: list[str]
) -> str | None:
    """The first fitting column whose name matches (any, in a headerless file).

    A customer column must repeat: a log has several rows per customer.
    """
    for column in fitting:
        repeats = pattern is not CUSTOMER or not text[column].is_unique
        if _named(column, pattern, named) and repeats:
            return str(column)
    return None


def _amount(text: pd.DataFrame, kinds: dict[str, str], named: bool, customer: str) -> str | None:
    numeric = [c for c in kinds if c != customer and kinds[c] in ("number", "whole")]
    if named:
        return next((str(c) for c in numeric if AMOUNT.search(str(c))), None)
    decimals = [c for c in numeric if kinds[c] == "number"]
    return str(max(decimals, key=lambda c: text[c].nunique())) if decimals else None


def _order(text: pd.DataFrame, column: str, customer: str, named: bool) -> bool:
    """An order column has more distinct values than customers (and, named, an order name)."""
    if named and not ORDER.search(str(column)):
        return False
    return bool(text[column].nunique() > text[customer].nunique())
