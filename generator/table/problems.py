"""Cell-level problems kept as arrays and put into words only when shown.

A 10-million-row file with a broken column has 10 million problems: the one-line message shows
the first few, ``segments validate --report`` writes them all. Keeping row numbers and values as
arrays until then means the error path costs no row-wise Python unless a report is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from generator.model import RowLines

MAX_SHOWN_CHARS = 40


@dataclass(frozen=True)
class CellIssue:
    """One kind of problem in one column, at many rows.

    Attributes:
        column: The configured column name.
        rows: 0-based data rows, ascending.
        values: The offending values, aligned with ``rows`` (anything with ``__getitem__``).
        template: The words after ``line N, column 'C': ``; ``{value}`` is replaced by the shown
            value and ``{other}`` by the name of the matching row in ``others``.
        others: Rows a problem refers to (the first row with the same ID), aligned with ``rows``.
    """

    column: str
    rows: np.ndarray
    values: Any
    template: str
    others: np.ndarray | None = field(default=None)


class ProblemList(Sequence[str]):
    """Every cell problem of a table, ordered by row then by column, formatted on access."""

    def __init__(self, issues: Sequence[CellIssue], lines: RowLines) -> None:
        self._issues = [issue for issue in issues if len(issue.rows)]
        self._lines = lines
        empty = np.empty(0, np.int64)
        rows = np.concatenate([empty, *(i.rows for i in self._issues)]).astype(np.int64)
        which = np.concatenate(
            [empty, *(np.full(len(i.rows), n) for n, i in enumerate(self._issues))]
        )
        position = np.concatenate([empty, *(np.arange(len(i.rows)) for i in self._issues)])
        others = np.concatenate([empty, *(_others(i) for i in self._issues)])
        order = np.lexsort((which, rows))
        self._rows, self._which = rows[order], which[order]
        self._position, self._others = position[order], others[order]

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return self._format(np.arange(len(self))[index])
        return self._format(np.array([range(len(self))[index]]))[0]

    def __iter__(self) -> Iterator[str]:
        yield from self._format(np.arange(len(self)))

    def _format(self, picks: np.ndarray) -> list[str]:
        """Put the problems at ``picks`` into words, locating all their lines in one pass."""
        others = self._others[picks]
        numbers = self._lines.of(np.concatenate([self._rows[picks], others[others >= 0]]))
        other_numbers = iter(numbers[len(picks) :].tolist())
        word = self._lines.word
        words = []
        for pick, number, other in zip(picks, numbers[: len(picks)].tolist(), others, strict=True):
            issue = self._issues[self._which[pick]]
            text = issue.template.format(
                value="" if issue.values is None else show(issue.values[int(self._position[pick])]),
                other=f"{word} {next(other_numbers)}" if other >= 0 else "",
            )
            words.append(f"{word} {number}, column {issue.column!r}: {text}")
        return words


def _others(issue: CellIssue) -> np.ndarray:
    if issue.others is None:
        return np.full(len(issue.rows), -1, dtype=np.int64)
    return np.asarray(issue.others, dtype=np.int64)


def show(value: object) -> str:
    """A cell value as the message shows it: ``'abc'``, ``5``, ``2.5``; long text shortened."""
    value = getattr(value, "as_py", lambda: value)()
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    if isinstance(value, str) and len(value) > MAX_SHOWN_CHARS:
        return repr(value[:MAX_SHOWN_CHARS] + "...")
    if isinstance(value, np.generic):
        return show(value.item())
    return repr(value)
