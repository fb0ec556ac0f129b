"""Turn raw cells (text, or Parquet's own types) into typed columns with vectorised Arrow kernels.

Each conversion returns the values plus masks of the missing cells and the problems found, so
``validate`` can report them all at once or drop the rows with missing values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from generator.config.settings import ColumnRule
from generator.errors import DataError
from generator.table.problems import CellIssue

# Infinity parses (and is then reported as not finite), as in the cast fast path.
NUMBER = r"(?i)^[+-]?((\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?|inf|infinity)$"
WHOLE_ID = r"^(0|[1-9]\d{0,17})$"
NA_TOKENS = pa.array(["na", "n/a", "nan", "null", "none"])
# Distances square every value, and scikit-learn's trees (the rules of thumb) read float32,
# whose largest value is 3.4e38: beyond this bound a build would fail half way.
MAX_MAGNITUDE = 1e38
# NUL and other control characters (tab, line feed and carriage return are allowed).
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
# Bidi overrides and isolates, zero-width characters and the BOM: invisible, they make two
# values look alike or reverse what a page shows (U+202E), so they are refused like controls.
INVISIBLE = r"[\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2060}-\x{2069}\x{feff}]"


@dataclass(frozen=True)
class Converted:
    """One converted column.

    Attributes:
        values: float64 numbers, int64 or object IDs (pandas ``Int64`` when some are missing),
            or a pandas ``Categorical`` (missing cells are NaN).
        missing: True where the cell is missing.
        issues: The cells that are present but wrong.
        expected: What a cell should hold, in words.
        note: What was tolerated (value mappings), or "".
    """

    values: np.ndarray | pd.Categorical | pd.api.extensions.ExtensionArray
    missing: np.ndarray
    issues: tuple[CellIssue, ...]
    expected: str
    note: str = ""


def _mask(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, True).to_numpy(zero_copy_only=False), dtype=bool)


def _issue(column: str, raw: pa.Array, bad: np.ndarray, template: str) -> tuple[CellIssue, ...]:
    rows = np.flatnonzero(bad)
    return (CellIssue(column, rows, raw.take(pa.array(rows, pa.int64())), template),)


def _text(column: str, array: pa.Array) -> pa.Array:
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return pc.utf8_trim_whitespace(array)
    try:
        return pc.utf8_trim_whitespace(pc.cast(array, pa.string()))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise DataError(
            f"column {column!r} holds {array.type} values; expected numbers or text"
        ) from exc


def _missing_text(text: pa.Array, tokens: bool) -> np.ndarray:
    """Blank or null cells; with ``tokens`` also NA, N/A, NaN, null and None in any case."""
    blank = pc.equal(text, "")
    if tokens:
        blank = pc.or_(blank, pc.is_in(pc.utf8_lower(text), value_set=NA_TOKENS))
    return _mask(blank)


def is_numeric(column: str, array: pa.Array, rule: ColumnRule) -> bool:
    """Describe columns are numeric when they have bounds, or hold only numbers and no mapping."""
    if rule.minimum is not None or rule.maximum is not None:
        return True
    if rule.allowed or rule.values:
        return False
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        return True
    text = _text(column, array)
    numbers = _mask(pc.match_substring_regex(text, NUMBER))
    return bool(np.all(numbers | _missing_text(text, tokens=True)))


def to_numbers(column: str, array: pa.Array) -> Converted:
    """Parse finite numbers (float64); NaN where a cell is missing or bad."""
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        return _finite(column, array, array)
    text = _text(column, array)
    try:
        # The common case, every cell a number, needs no regular expression.
        return _finite(column, array, text)
    except pa.ArrowInvalid:
        pass
    missing = _missing_text(text, tokens=True)
    good = _mask(pc.match_substring_regex(text, NUMBER)) & ~missing
    converted = _finite(column, array, pc.if_else(pa.array(good), text, None))
    bad = _issue(column, array, ~good & ~missing, "value {value} is not a number")
    return replace(converted, missing=missing, issues=bad + converted.issues)


def _finite(column: str, raw: pa.Array, cells: pa.Array) -> Converted:
    """Cast to float64: NaN (or null) is missing; an infinity or a huge value is a problem."""
    values = np.asarray(pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False), float)
    missing, infinite = np.isnan(values), np.isinf(values)
    huge = ~infinite & (np.abs(np.nan_to_num(values)) > MAX_MAGNITUDE)
    issues = _issue(column, raw, infinite, "value {value} is not a finite number")
    if huge.any():
        expected = f"expected a number within ±{MAX_MAGNITUDE:g}"
        issues += _issue(column, raw, huge, f"value {{value}} is too large; {expected}")
    bad = infinite | huge
    return Converted(np.where(bad, np.nan, values), missing, issues, "a number")


def to_ids(column: str, array: pa.Array) -> Converted:
    """Read IDs as int64 when all are whole numbers (so 2 sorts before 10), else as text."""
    if pa.types.is_integer(array.type):
        return _integer_ids(column, array)
    text = _text(column, array)
    missing = _missing_text(text, tokens=True)
    whole = _mask(pc.match_substring_regex(text, WHOLE_ID))
    if np.all(whole | missing):
        filled = pc.if_else(pa.array(whole), text, "0")
        values = pc.cast(filled, pa.int64()).to_numpy(zero_copy_only=False)
        return Converted(_nullable(values, missing), missing, (), "a customer ID")
    ids = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
    ids[missing] = None
    return Converted(ids, missing, _control_issue(column, array, text), "a customer ID")


def _integer_ids(column: str, array: pa.Array) -> Converted:
    """Integer IDs as int64; uint64 IDs of 2^63 and more would wrap to negative, so they fail."""
    missing = np.asarray(array.is_null().to_numpy(zero_copy_only=False), bool)
    filled = pc.fill_null(array, 0)
    too_big = np.zeros(len(array), dtype=bool)
    if array.type == pa.uint64():
        too_big = _mask(pc.greater(filled, pa.scalar(2**63 - 1, pa.uint64())))
    template = "value {value} does not fit a 64-bit ID; store IDs of 2^63 or more as text"
    issues = _issue(column, array, too_big, template) if too_big.any() else ()
    ids = filled.to_numpy(zero_copy_only=False).astype(np.int64)
    # Distinct negative stand-ins (uint64 has no negatives), so no false "repeats the ID".
    ids[too_big] = -1 - np.flatnonzero(too_big)
    return Converted(_nullable(ids, missing), missing, issues, "a customer ID")


def _control_issue(column: str, raw: pa.Array, text: pa.Array) -> tuple[CellIssue, ...]:
    """Cells holding NUL or another control character (invisible; they split labels silently)."""
    bad = _mask(pc.match_substring_regex(text, CONTROL))
    hidden = _mask(pc.match_substring_regex(text, INVISIBLE)) & ~bad
    issues: tuple[CellIssue, ...] = ()
    if bad.any():
        template = "value {value} holds a control character; expected printable text"
        issues += _issue(column, raw, bad, template)
    if hidden.any():
        template = (
            "value {value} holds an invisible bidi or zero-width character; expected printable text"
        )
        issues += _issue(column, raw, hidden, template)
    return issues


def _nullable(
    values: np.ndarray, missing: np.ndarray
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    if not missing.any():
        return values
    return pd.arrays.IntegerArray(values, missing)


def to_categories(column: str, array: pa.Array, rule: ColumnRule) -> Converted:
    """Trim, map and check category labels against ``rule`` (distinct values only, then codes)."""
    text = _text(column, array)
    encoded = pc.dictionary_encode(text)
    levels, note = _mapped(column, encoded, rule)
    # An all-null column has no levels; one blank level keeps the code lookups valid.
    levels = levels or [""]
    codes = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    level_array = np.asarray(levels, dtype=object)
    blank = level_array == ""
    allowed = set(rule.allowed)
    ok = ~blank & np.asarray([not allowed or lv in allowed for lv in levels], dtype=bool)
    missing = _mask(encoded.indices.is_null()) | blank[codes]
    bad = ~ok[codes] & ~missing
    expected = f"one of {', '.join(sorted(allowed))}" if allowed else "a non-empty value"
    categories = np.unique(level_array[~blank])
    lookup = np.searchsorted(categories, level_array)
    new_codes = np.where(missing | bad, -1, lookup[codes]).astype(np.int64)
    labels = pd.Categorical.from_codes(new_codes, pd.Index(categories))
    issues = _issue(column, array, bad, f"value {{value}} is not {expected}")
    return Converted(labels, missing, issues + _control_issue(column, array, text), expected, note)


def _mapped(column: str, encoded: pa.DictionaryArray, rule: ColumnRule) -> tuple[list[str], str]:
    """The distinct labels after the config's value mapping, and a note on what was mapped."""
    levels = [v if v is not None else "" for v in encoded.dictionary.to_pylist()]
    mapping = dict(rule.values)
    if not mapping or not levels:
        return levels, ""
    counts = np.bincount(
        pc.drop_null(encoded.indices).to_numpy(zero_copy_only=False), minlength=len(levels)
    )
    mapped = [
        f"{lv!r} to {mapping[lv]!r} ({counts[i]:,} {'cell' if counts[i] == 1 else 'cells'})"
        for i, lv in enumerate(levels)
        if lv in mapping
    ]
    note = f"column {column!r}: mapped {', '.join(mapped)}" if mapped else ""
    return [mapping.get(lv, lv) for lv in levels], note
