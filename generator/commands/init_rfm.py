"""``init`` for a transaction log: the transactions section, RFM features and their scaling."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from generator.commands.init_ids import id_findings, placeholder_reason
from generator.commands.init_model import Layout, Starter
from generator.config.settings import Transactions
from generator.model import FrozenMap
from generator.table.personal import personal_kind

RFM_FEATURES = (
    ("recency", "days since the last purchase (lower is better)"),
    ("frequency", "distinct orders (or purchase days)"),
    ("monetary", "total spend"),
)
VALUE = ("monetary", "higher", "total spend is the customer's value")
RFM_DESCRIBE = (
    ("tenure", "days since the first purchase"),
    ("average_order_value", "spend per order"),
)


def log_starter(text: pd.DataFrame, log: Transactions, layout: Layout) -> Starter:
    """The starter settings for a transaction log (``text``: all cells text)."""
    used = log.columns
    named = dict(zip(text.columns, layout.names or text.columns, strict=True))
    ids = id_findings(named[log.customer], text[log.customer], log=True)
    gaps = {c: int((text[c] == "").sum()) for c in used if c != log.customer}
    gaps[log.customer] = ids.missing
    method, reason = _scaling(text, log)
    unused = [c for c in text.columns if c not in used]
    personal = {c: personal_kind(c, text[c]) for c in unused}
    spend = bool(log.amount)  # no amount, no spend: recency and frequency only
    return Starter(
        id_column=named[log.customer],
        features=RFM_FEATURES if spend else RFM_FEATURES[:2],
        describe=RFM_DESCRIBE if spend else RFM_DESCRIBE[:1],
        skipped=tuple(
            (named[c], "not used: the log is summarised per customer")
            for c in unused
            if not personal[c]
        ),
        scaling=method,
        scaling_reason=reason,
        id_reason="the customer column of a transaction log",
        n_rows=len(text),
        missing=_missing(gaps, named, placeholder_reason(named[log.customer], ids, "line")),
        value=VALUE if spend else ("frequency", "higher", "with no amounts, orders are the value"),
        log=_renamed(log, named),
        layout=layout,
        personal=tuple((named[c], kind) for c, kind in personal.items() if kind),
        placeholders=ids.placeholders + ids.mapped,
        id_map=FrozenMap((value, "") for value, _ in ids.mapped),
        n_customers=ids.customers,
    )


def _renamed(log: Transactions, named: dict[str, str]) -> Transactions:
    """The log's roles under the column names the config gives them."""
    return replace(
        log,
        customer=named[log.customer],
        date=named[log.date],
        amount=named[log.amount] if log.amount else "",
        order=named[log.order] if log.order else "",
        quantity=named[log.quantity] if log.quantity else "",
    )


def _scaling(text: pd.DataFrame, log: Transactions) -> tuple[str, str]:
    """``log`` unless returns make some customer's total negative (then ``robust``)."""
    if not log.amount:
        return "log", (
            "frequency has a long right tail in every shop: log1p then standard scaling keeps "
            "the most frequent customers from dominating"
        )
    amount = pd.to_numeric(text[log.amount].replace("", np.nan))
    if log.quantity:
        amount = amount * pd.to_numeric(text[log.quantity].replace("", np.nan))
    totals = amount.groupby(text[log.customer]).sum()
    if (totals < 0).any():
        return "robust", (
            "some customers' total spend is negative (returns), so log is not possible: robust "
            "scaling (median, IQR) resists the long tails of frequency and spend"
        )
    return "log", (
        "frequency and spend have long right tails in every shop: log1p then standard scaling "
        "keeps the biggest customers from dominating"
    )


def _missing(gaps: dict[str, int], named: dict[str, str], placeholders: str) -> str:
    found = [f"{named[c]!r} has {n:,} empty cells" for c, n in gaps.items() if n]
    said = f"{', '.join(found)}: those log rows are left out" if found else ""
    return "; ".join(filter(None, (placeholders, said)))
