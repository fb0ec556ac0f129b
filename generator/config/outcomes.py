"""The ``outcomes:`` setting: the columns whose rate per segment matters, and their positive value.

    outcomes:
      Churn: "Yes"      # a text column: the value that marks the outcome (quoted: YAML reads
      Exited: 1         # a bare Yes as true); a 0/1 column: 1

An outcome is never clustered on nor profiled as an ordinary category: each segment gets its
rate, the overall rate, the lift and a 95% interval (``analysis/outcomes.py``). Whether the
positive value occurs is checked against the table when it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.config.features import Feature


@dataclass(frozen=True)
class Outcome:
    """An outcome column and the value that marks a customer as having the outcome."""

    column: str
    positive: str | float

    @property
    def shown(self) -> str:
        """The positive value as the pages write it (``Yes``, ``1``)."""
        value = self.positive
        return f"{value:g}" if isinstance(value, float) else value


def parse_outcomes(
    raw: Any,
    key: str,
    taken: tuple[tuple[Feature, ...], tuple[str, ...]],
    fail: Callable[[str], None],
) -> tuple[Outcome, ...]:
    """The outcomes in config order, reporting every problem through ``fail``.

    ``taken``: the features and the describe columns, which an outcome may not repeat.
    """
    if not isinstance(raw, dict):
        fail(f'{key} should be a mapping of column to positive value (Churn: "Yes"), got {raw!r}')
        return ()
    features = {f.column for f in taken[0]} | {f.label for f in taken[0]}
    found = []
    for column, value in raw.items():
        where = f"{key}.{column}"
        if not isinstance(column, str) or not column:
            fail(f"{key} should name columns, got {column!r}")
        elif column in features:
            fail(f"{where} is a feature; an outcome is measured per segment, never clustered on")
        elif column in taken[1]:
            fail(f"{where} is also under describe; list it once, as an outcome")
        elif isinstance(value, bool):
            word = "Yes" if value else "No"
            fail(
                f"{where}: YAML reads a bare {word} as {str(value).lower()}; quote the value "
                f'as the table writes it ({column}: "{word}")'
            )
        elif isinstance(value, int | float):
            found.append(Outcome(column, float(value)))
        elif isinstance(value, str) and value.strip():
            found.append(Outcome(column, value.strip()))
        else:
            fail(f'{where} should be the value that marks the outcome ("Yes", 1), got {value!r}')
    return tuple(found)
