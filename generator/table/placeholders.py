"""Customer IDs that stand for no one: "(blank)", "unknown", "guest", a "0" on many rows.

Exports write a stand-in where the customer is unknown (anonymous till receipts, guest
check-outs). Taken as an ID it becomes one "customer" holding every anonymous purchase, so a
placeholder is never a customer: its rows are left out like rows without an ID
(``data.missing: drop``, counted with the reason on the data page) or the build stops naming it
(exit code 2). A customer ID is a placeholder when:

- it reads as one of ``TOKENS`` (in any case, brackets around it ignored): "(blank)",
  "unknown", "guest", "anonymous", "-", "#N/A" ...;
- the config maps it to empty under ``columns:`` (``{CustomerID: {values: {"99999": ""}}}``);
- it is zero or minus one ("0", "000", "-1"), written the same way on more than one row of a
  table of customers, or on an implausible share of a log's lines (below).

In a log, one ID on at least ``SHARE`` of the lines and ``TIMES`` times the median customer's
is not taken on trust either: the build stops naming it, unless the config maps it (to empty: a
placeholder; to itself: one real customer).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator.config.settings import ColumnRule
from generator.errors import DataError, collect
from generator.model import LeftOut, RowLines
from generator.table.convert import NA_TOKENS, _mask, _text
from generator.table.problems import CellIssue, ProblemList

WORDS = (
    *("blank", "unknown", "unk", "n.a.", "not available", "not applicable", "undefined", "nil"),
    *("missing", "no id", "noid", "no customer", "guest", "anonymous", "anon", "#n/a", "#na"),
    *("-", "--", "---", "?", "??", "x", "xx", "xxx", "tbd", "empty"),
    # Bare, these are missing values (``convert.NA_TOKENS``); in brackets, placeholders.
    *("null", "none", "na", "n/a", "nan"),
)
# Each word as exports write it: bare, in brackets, or in angle brackets (all lower case).
BRACKETS = (("", ""), ("(", ")"), ("[", "]"), ("<", ">"))
NA = frozenset(str(token) for token in NA_TOKENS.to_pylist())
TOKENS = frozenset(f"{a}{w}{b}" for w in WORDS for a, b in BRACKETS) - NA
SENTINELS = frozenset(("0", "00", "000", "0000", "00000", "000000", "0.0", "-1", "-01", "-1.0"))
# One hash lookup per cell finds every missing, placeholder and sentinel ID.
LOOKED_UP = pa.array(sorted(NA | TOKENS | SENTINELS))
SHARE = 0.05
TIMES = 20
PLACEHOLDER = "value {value} is a placeholder for unknown customers, not a customer ID"


@dataclass(frozen=True)
class IdCells:
    """A customer-ID column read for grouping or validation.

    Attributes:
        column: The configured column name.
        text: The trimmed IDs after the ``columns:`` value mapping (stored integers as they are).
        missing: Blank cells and NA tokens (no ID at all).
        placeholder: Cells holding a placeholder or mapped to empty (never where ``missing``).
        sentinel: Zeros and minus ones not counted as placeholders (yet: see ``outsized``).
        issues: One problem per placeholder value, at its first row (moot when it is dropped).
        left_out: The placeholder rows counted by reason, for the data page.
    """

    column: str
    text: pa.Array
    missing: np.ndarray
    placeholder: np.ndarray
    sentinel: np.ndarray
    issues: tuple[CellIssue, ...]
    left_out: tuple[LeftOut, ...]


def id_cells(column: str, array: pa.Array, rule: ColumnRule, log: bool = False) -> IdCells:
    """The IDs of ``column`` with their missing and placeholder cells (see the module doc).

    ``log``: the rows are a log's lines, where an ID repeats, so a zero is a placeholder only
    when it holds an outsized share (``outsized``, after grouping).
    """
    if pa.types.is_integer(array.type) and not rule.values:
        missing = _mask(array.is_null())
        signed = pa.types.is_signed_integer(array.type)
        zeros = _mask(pc.is_in(array, value_set=pa.array([0, -1] if signed else [0], array.type)))
        none = np.zeros(len(array), bool)
        return _cells(column, array, array, missing, (none, none, zeros), log)
    raw = _text(column, array)
    text = mapped(raw, rule)
    lower = pc.utf8_lower(text)
    hit = np.flatnonzero(_mask(pc.is_in(lower, value_set=LOOKED_UP)))
    found = np.asarray(lower.take(pa.array(hit, pa.int64())).to_numpy(zero_copy_only=False))
    which = {kind: _at(hit[np.isin(found, list(words))], len(raw)) for kind, words in KINDS.items()}
    # Missing as written; empty (or NA) only after the mapping: mapped to empty.
    empty = _mask(pc.equal(text, "")) | which["na"]
    missing = _mask(pc.equal(raw, "")) | which["na"]
    if rule.values:
        missing = _mask(pc.or_(pc.equal(raw, ""), pc.is_in(pc.utf8_lower(raw), NA_TOKENS)))
    kinds = (empty & ~missing, which["token"] & ~missing, which["zero"])
    return _cells(column, raw, text, missing, kinds, log)


KINDS = {"na": NA, "token": TOKENS, "zero": SENTINELS}


def _at(rows: np.ndarray, n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def _cells(
    column: str,
    raw: pa.Array,
    text: pa.Array,
    missing: np.ndarray,
    kinds: tuple[np.ndarray, np.ndarray, np.ndarray],
    log: bool,
) -> IdCells:
    """Repeated zeros of a customer table are placeholders; the problems and counts of each.

    ``kinds``: the cells mapped to empty, holding a placeholder token, holding a zero.
    """
    emptied, token, sentinel = kinds
    sentinel = sentinel & ~missing & ~emptied & ~token
    if not log and int(sentinel.sum()) >= 2:  # one "0" is the customer numbered 0
        repeated = [value for value, count in _counted(text, sentinel) if count > 1]
        again = sentinel & _mask(
            pc.is_in(pc.cast(text, pa.string()), pa.array(repeated, pa.string()))
        )
        token, sentinel = token | again, sentinel & ~again
    unit = "line" if log else "row"
    issues, left_out = _found(column, raw, token, emptied, unit)
    return IdCells(column, text, missing, emptied | token, sentinel, issues, left_out)


def mapped(text: pa.Array, rule: ColumnRule) -> pa.Array:
    """``text`` with the ``columns:`` value mapping applied (an ID mapped to "" is emptied)."""
    for source, target in rule.values:
        text = pc.if_else(pc.equal(text, source), target, text)
    return text


def _found(
    column: str, raw: pa.Array, token: np.ndarray, emptied: np.ndarray, unit: str
) -> tuple[tuple[CellIssue, ...], tuple[LeftOut, ...]]:
    """The problems (first row of each placeholder value) and the counts for the data page."""
    issues, left_out = [], []
    if token.any():
        values = _counted(raw, token)
        for value, count in values:
            first = int(np.flatnonzero(token & equal_to(raw, value))[0])
            issues.append(placeholder_issue(column, first, value, count, unit))
        left_out.append(LeftOut("placeholder", int(token.sum()), tuple(v for v, _ in values)))
    if emptied.any():
        first = int(np.flatnonzero(emptied)[0])
        count = int(emptied.sum())
        template = f"value {{value}} is mapped to empty under columns: ({_many(count, unit)})"
        issues.append(
            CellIssue(column, np.array([first]), pa.array([str(raw[first].as_py())]), template)
        )
        left_out.append(LeftOut("mapped", count))
    return tuple(issues), tuple(left_out)


def placeholder_issue(column: str, row: int, value: str, count: int, unit: str) -> CellIssue:
    """A placeholder, shown at its first ``row``, with how many rows (or lines) hold it."""
    where = f" ({_many(count, unit)} hold it)" if count > 1 else ""
    return CellIssue(column, np.array([row]), pa.array([value]), PLACEHOLDER + where)


def _many(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def equal_to(raw: pa.Array, value: str) -> np.ndarray:
    """Where ``raw`` (text or stored whole numbers) holds ``value``."""
    return _mask(pc.equal(pc.cast(raw, pa.string()), value))


def _counted(raw: pa.Array, where: np.ndarray) -> list[tuple[str, int]]:
    """The distinct values at ``where`` with their counts, most frequent first."""
    counts = pc.value_counts(pc.cast(raw, pa.string()).filter(pa.array(where))).to_pylist()
    pairs = [(str(c["values"]), int(c["counts"])) for c in counts]
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))


def outsized(lines: np.ndarray, ids: pa.Array, rule: ColumnRule) -> list[tuple[str, int]]:
    """The customers (``ids``) on implausibly many ``lines``, unless the config names them.

    At least ``SHARE`` of the lines and ``TIMES`` times the median customer's: a shop's real
    customer rarely holds one line in twenty while the median holds a handful.
    """
    if not len(lines):
        return []
    limit = max(SHARE * float(lines.sum()), TIMES * float(np.median(lines)))
    named = {source for source, _ in rule.values}
    found = [(str(ids[int(i)].as_py()), int(lines[i])) for i in np.flatnonzero(lines >= limit)]
    return [(value, count) for value, count in found if value not in named]


def outsized_issue(column: str, row: int, value: str, count: int, total: int) -> CellIssue:
    """The problem naming an outsized ID at its first line, with what to do about it."""
    template = (
        f"value {{value}} is on {count:,} of {total:,} lines ({count / total:.0%}), far more than "
        "any customer; if it stands for unknown customers map it to empty under columns: "
        "(with data.missing: drop), if it is one customer map it to itself"
    )
    return CellIssue(column, np.array([row]), pa.array([value]), template)


def left_out_or_stop(
    big: list[tuple[str, int]],
    ids: IdCells,
    keep: np.ndarray,
    policy: str,
    lines: RowLines,
    where: tuple[str, str],
) -> tuple[np.ndarray, IdCells]:
    """Outsized zeros are placeholders (left out, or reported); any other outsized ID stops.

    Args:
        big: The outsized IDs and their lines (``outsized``).
        ids: The log's IDs.
        keep: The lines kept so far.
        policy: ``data.missing``.
        lines: How to name the log's lines.
        where: The file, and the hint for the error message.

    Returns:
        The lines to keep and the IDs with the zeros counted as placeholders.

    Raises:
        DataError: Naming each outsized ID at its first line.
    """
    total = int(keep.sum())
    issues, zeros, stop = [], np.zeros(len(keep), dtype=bool), policy == "error"
    for value, count in big:
        rows = keep & _grouped_as(ids.text, value)
        first = int(np.flatnonzero(rows)[0])
        if ids.sentinel[first]:
            zeros |= rows
            issues.append(placeholder_issue(ids.column, first, value, count, "line"))
        else:
            stop = True
            issues.append(outsized_issue(ids.column, first, value, count, total))
    if stop:
        hint = where[1] if policy == "error" and zeros.any() else ""
        collect(DataError, where[0], ProblemList(issues, lines), 20, hint)
    found = [p for p in ids.left_out if p.reason == "placeholder"]
    values = (*(found[0].values if found else ()), *(value for value, _ in big))
    left = LeftOut("placeholder", int(zeros.sum()) + sum(p.count for p in found), values)
    others = tuple(p for p in ids.left_out if p.reason != "placeholder")
    more = replace(ids, placeholder=ids.placeholder | zeros, left_out=(left, *others))
    return keep & ~zeros, more


def _grouped_as(text: pa.Array, value: str) -> np.ndarray:
    """Where ``text`` holds the customer ``value`` as the log's grouping saw it.

    Whole-number IDs are grouped as numbers, so "00001" and "1" are one customer.
    """
    try:
        return _mask(pc.equal(pc.cast(text, pa.int64()), int(value)))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return equal_to(text, value)
