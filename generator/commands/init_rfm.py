"""``init`` for a transaction log: the transactions section, RFM features and their scaling."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from generator.commands.init_model import Layout, Starter
from generator.config.settings import Transactions

RFM_FEATURES = (
    ("recency", "days since the last purchase (lower is better)"),
    ("frequency", "distinct orders (or purchase days)"),
    ("monetary", "total spend"),
)
RFM_DESCRIBE = (
    ("tenure", "days since the first purchase"),
    ("average_order_value", "spend per order"),
)


def log_starter(text: pd.DataFrame, log: Transactions, layout: Layout) -> Starter:
    """The starter settings for a transaction log (``text``: all cells text)."""
    used = log.columns
    gaps = {c: int((text[c] == "").sum()) for c in used}
    method, reason = _scaling(text, log)
    named = dict(zip(text.columns, layout.names or text.columns, strict=True))
    customers = text[log.customer].nunique()
    return Starter(
        id_column=named[log.customer],
        features=RFM_FEATURES,
        describe=RFM_DESCRIBE,
        skipped=tuple(
            (named[c], "not used: the log is summarised per customer")
            for c in text.columns
            if c not in used
        ),
        scaling=method,
        scaling_reason=reason,
        id_reason=(
            f"a transaction log: {len(text):,} rows for {customers:,} customers, so each "
            "customer becomes one row"
        ),
        n_rows=len(text),
        missing=_missing(gaps, named),
        value=("monetary", "higher", "total spend is the customer's value"),
        log=_renamed(log, named),
        layout=layout,
    )


def _renamed(log: Transactions, named: dict[str, str]) -> Transactions:
    """The log's roles under the column names the config gives them."""
    return replace(
        log,
        customer=named[log.customer],
        date=named[log.date],
        amount=named[log.amount],
        order=named[log.order] if log.order else "",
        quantity=named[log.quantity] if log.quantity else "",
    )


def _scaling(text: pd.DataFrame, log: Transactions) -> tuple[str, str]:
    """``log`` unless returns make some customer's total negative (then ``robust``)."""
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


def _missing(gaps: dict[str, int], named: dict[str, str]) -> str:
    found = [f"{named[c]!r} has {n:,} empty cells" for c, n in gaps.items() if n]
    return f"{', '.join(found)}: those log rows are left out" if found else ""
