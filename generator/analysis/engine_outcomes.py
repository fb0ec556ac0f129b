"""Outcome counts on an engine: two aggregates per outcome in the pass that sums the columns.

``o<n>_p`` counts a segment's customers with outcome ``n``'s positive value, ``o<n>_n`` those
with any value; ``analysis.outcomes.rates`` turns them into the same ``OutcomeRate`` values as
the local path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.analysis.outcomes import Counts, described_values, positive_number, positive_text
from generator.config.settings import Config
from generator.engine.session import Engine
from generator.model import CustomerTable


def aggregates(engine: Engine, table: CustomerTable, config: Config) -> list[str]:
    """The outcome aggregates of the per-segment pass (``sql.group_means``' extras)."""
    assert table.whole is not None
    d = engine.dialect
    out = []
    for n, outcome in enumerate(config.outcomes):
        column = d.quote(outcome.column)
        if outcome.column in table.whole.categories:
            value = d.text(positive_text(outcome))
        else:
            value = repr(positive_number(outcome, str(table.source.path)))
        out.append(f"sum(CASE WHEN {column} = {value} THEN 1 ELSE 0 END) AS o{n}_p")
        out.append(f"count({column}) AS o{n}_n")
    return out


def counts_from(rows: list[dict[str, Any]], config: Config, k: int) -> Counts:
    """Per outcome column, per segment: customers with the outcome and with a value."""
    found = {}
    for n, outcome in enumerate(config.outcomes):
        positives, known = np.zeros(k, dtype=np.int64), np.zeros(k, dtype=np.int64)
        for row in rows:
            positives[row["segment"]] = int(row[f"o{n}_p"] or 0)
            known[row["segment"]] = int(row[f"o{n}_n"] or 0)
        found[outcome.column] = (positives, known)
    return found


def held_on_engine(table: CustomerTable) -> dict[str, str]:
    """What each outcome column holds, in words (its values, or its range)."""
    assert table.whole is not None
    held = {}
    for column in table.outcomes:
        if column in table.whole.categories:
            held[column] = described_values(list(table.whole.categories[column]))
        elif column in table.whole.extremes:
            low, high = table.whole.extremes[column]
            held[column] = f"numbers from {low:g} to {high:g}"
        else:
            held[column] = "no values"
    return held
