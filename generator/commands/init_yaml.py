"""The starter config's text: every setting ``init`` chose, each with its reason as a comment."""

from __future__ import annotations

import re

from generator.commands.init_model import Starter
from generator.report.text import render

# Money that adds up over customers, and words that make a column a score, rate or average.
MONEY = re.compile(r"monetary|revenue|spend|sales|amount|mnt|paid|purchases|total", re.I)
PER_CUSTOMER = re.compile(r"score|rate|ratio|index|average|avg|mean|\bper\b|%|1-100", re.I)
# Words that make a column an amount of money (its label's comment says so).
CURRENCY = re.compile(
    r"monetary|revenue|spend|sales|amount|paid|charge|price|cost|fee|balance|income|payment"
    r"|salary|profit|value|\$|€|£",
    re.I,
)


def starter_yaml(starter: Starter, data_path: str, title: str) -> str:
    """The starter config's text, every choice explained in a comment.

    The words are in ``templates/project/segments.yml.j2``; every name from the table is
    written as a JSON string there, which YAML reads back exactly.
    """
    labels = starter.labels
    value_label = labels.get(starter.value[0], starter.value[0]) if starter.value else ""
    return render(
        "project/segments.yml.j2",
        "txt",
        starter=starter,
        data_path=data_path,
        title=title,
        labels=labels,
        profiled_labels=profiled_labels(starter),
        money=[c for c, why in (*starter.features, *starter.describe) if money(c, why)],
        value_label=value_label,
        additive=starter.value is not None and additive(starter.value[0]),
        decision=decision(starter),
    )


def profiled_labels(starter: Starter) -> list[tuple[str, str]]:
    """``labels:`` of the describe and outcome columns whose label is not their name."""
    profiled = [c for c, _ in starter.describe] + [o[0] for o in starter.outcomes]
    return [(c, starter.labels[c]) for c in profiled if starter.labels.get(c, c) != c]


def money(column: str, why: str) -> bool:
    """Whether a number column's name says it is money (``MonthlyCharges``).

    ``why``: init's reason for choosing the column, which names text columns, flags and dates.
    """
    number = not re.search(r"text|flag|date|categor", why)
    per = re.search(r"score|rate|ratio|index", column, re.I)
    return number and bool(CURRENCY.search(column)) and not per


def decision(starter: Starter) -> str:
    """What ``init`` decided, in one short paragraph (``templates/cli/decision.txt.j2``)."""
    text = render("cli/decision.txt.j2", "txt", starter=starter, labels=starter.labels)
    return " ".join(text.split())


def additive(column: str) -> bool:
    """Whether a value column reads like money that sums over customers (not a score or a rate)."""
    return bool(MONEY.search(column)) and not PER_CUSTOMER.search(column)
