"""The ``features:`` setting: the numeric columns the segments are built on, with their labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.config.sources import Transactions, feature_naming

MAX_FEATURES = 20


@dataclass(frozen=True)
class Feature:
    """A numeric column the segments are built on."""

    column: str
    label: str
    words: tuple[tuple[str, str], ...] = ()  # level to the word persona names use instead


def default_label(column: str) -> str:
    """A short label from a column name: ``Annual Income (k$)`` becomes ``Annual Income``."""
    label = re.sub(r"\s*\([^)]*\)", "", column).strip()
    return label or column


def readable_label(column: str, units: bool = True) -> str:
    """A readable label, in sentence case, with the unit a name implies.

    ``MonthlyCharges`` is ``Monthly charges``, ``visits_per_month`` ``Visits per month``,
    ``SeniorCitizen`` ``Senior citizen``; ``tenure`` (in months in every public table that has
    one) is ``Tenure (months)``. Acronyms (``ID``, ``USD``) and the case of a name that already
    has spaces (``Annual Income``) stay. ``units``: add the unit a name implies (``init``
    proposes it for the analyst to check; a config's own columns are never guessed at).
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", default_label(column))
    words = spaced.replace("_", " ").split()
    if not words:
        return column
    shouting = spaced.isupper()  # BALANCE_FREQUENCY reads as Balance frequency
    # A name with spaces is the author's own wording ("Annual Income"): its case stays.
    authored = " " in default_label(column).strip() and not shouting
    kept = [
        w if authored or not (shouting or w[1:].islower() or len(w) == 1) else w.lower()
        for w in words
    ]
    kept = ["ID" if w.casefold() == "id" else w for w in kept]
    label = " ".join(kept)
    label = label[:1].upper() + label[1:]
    said = {w.casefold() for w in words}
    if units and "tenure" in said and not said & {"months", "month", "days", "years"}:
        label += " (months)"
    return label


def parse_features(
    raw: Any, fail: Callable[[str], None], transactions: Transactions | None = None
) -> tuple[Feature, ...]:
    """The features in config order, reporting every problem through ``fail``.

    With a transaction log, features name the columns it makes (``recency`` ...), which have
    their own labels and level words unless the config gives them.
    """
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_FEATURES:
        fail(f"features should be a list of 1 to {MAX_FEATURES} numeric columns, got {raw!r}")
        return ()
    found = []
    for item in raw:
        if isinstance(item, str) and item:
            item = {"column": item}
        if isinstance(item, dict) and isinstance(item.get("column"), str):
            column = item["column"]
            label, words = feature_naming(item, transactions, default_label(column), fail)
            found.append(Feature(column, label, words))
        else:
            fail(f"features entry should be a column name or {{column, label}}: {item!r}")
    for kind in ("column", "label"):
        names = [getattr(f, kind) for f in found]
        for name in sorted({n for n in names if names.count(n) > 1}):
            fail(f"features has the {kind} {name!r} twice")
    return tuple(found)
