"""Turn the raw table into a typed ``CustomerTable``, reporting every problem at once.

Text becomes numbers with vectorised Arrow kernels (no row-wise Python); the declared rules
(unique IDs, bounds, finite values, allowed categories) are checked with a pandera schema.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pandera.pandas as pdv
import pyarrow as pa
import pyarrow.compute as pc

from generator.config import ColumnRule, Config
from generator.errors import DataError, collect
from generator.model import CustomerTable, SourceInfo

log = logging.getLogger(__name__)

NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class _Where:
    """Names a data row the way the analyst sees it in their file."""

    source: SourceInfo

    def __call__(self, row: int) -> str:
        if self.source.path.suffix.lower() == ".parquet":
            return f"row {row + 1}"
        word = "row" if self.source.path.suffix.lower() == ".xlsx" else "line"
        return f"{word} {row + 2}"


def validate(raw: pa.Table, source: SourceInfo, config: Config) -> CustomerTable:
    """Check ``raw`` against the config and return the typed, ID-sorted table.

    Raises:
        DataError: Listing every problem (up to a limit) with line, column, value and expectation.
    """
    where = str(source.path)
    names, notes = _resolve_columns(raw.column_names, config)
    missing = [c for c, found in names.items() if found is None]
    if missing:
        listed = ", ".join(repr(c) for c in raw.column_names)
        collect(
            DataError, where, [f"missing column {c!r} (the file has {listed})" for c in missing]
        )
    if raw.num_rows == 0:
        raise DataError(f"{where}: the file has a header but no customer rows")
    columns: dict[str, np.ndarray | pd.Categorical] = {}
    problems: list[str] = []
    row_name = _Where(source)
    for column, found in names.items():
        array = raw.column(found).combine_chunks()
        if column == config.id_column:
            ids, bad = _to_ids(array)
            problems += _bad_values(row_name, column, array, bad, "a customer ID")
            columns[column] = ids
        elif column in config.feature_columns or _is_numeric(array, config.rule_for(column)):
            values, bad = _to_numbers(array)
            problems += _bad_values(row_name, column, array, bad, "a number")
            columns[column] = values
        else:
            labels, bad, expected = _to_categories(array, config.rule_for(column))
            problems += _bad_values(row_name, column, array, bad, expected)
            columns[column] = labels
    collect(DataError, where, problems, MAX_PROBLEMS)
    frame = pd.DataFrame(columns)
    del columns  # the frame holds copies; free the arrays before the checks and the sort
    pa.default_memory_pool().release_unused()  # and the Arrow temporaries of the conversion
    _check_schema(frame, config, row_name, where)
    frame = _sort_by_id(frame, config.id_column)
    _check_spread(frame, config, where)
    for note in notes:
        log.info("%s: %s", where, note)
    return CustomerTable(
        frame=frame,
        source=replace(source, notes=source.notes + tuple(notes)),
        id_column=config.id_column,
        features=config.feature_columns,
        describe=config.describe,
    )


def _resolve_columns(header: list[str], config: Config) -> tuple[dict[str, str | None], list[str]]:
    """Map each configured column to the header name that holds it, tolerating case and aliases."""
    wanted = [config.id_column, *config.feature_columns, *config.describe]
    folded: dict[str, str] = {}
    for name in header:
        folded.setdefault(name.strip().casefold(), name)
    found: dict[str, str | None] = {}
    notes = []
    for column in wanted:
        candidates = [column, *config.rule_for(column).aliases]
        match = next((c for c in candidates if c in header), None)
        if match is None:
            match = next(
                (
                    folded[c.strip().casefold()]
                    for c in candidates
                    if c.strip().casefold() in folded
                ),
                None,
            )
        if match is not None and match != column:
            notes.append(f"read column {column!r} from the file's column {match!r}")
        found[column] = match
    return found, notes


def _is_numeric(array: pa.Array, rule: ColumnRule) -> bool:
    """Describe columns are numeric unless declared categorical or holding any non-number."""
    if rule.allowed or rule.values:
        return False
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        return True
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        return False
    if _plain_floats(array) is not None:
        return True
    text = pc.utf8_trim_whitespace(array)
    filled = pc.not_equal(text, "")
    numbers = pc.match_substring_regex(text, NUMBER)
    return bool(pc.all(pc.or_kleene(pc.invert(filled), numbers)).as_py())


def _to_numbers(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers; return float64 values and a mask of cells that are not finite numbers."""
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        values = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    else:
        values = _plain_floats(array)
        if values is None:
            text = pc.utf8_trim_whitespace(pc.cast(array, pa.string()))
            good = pc.fill_null(pc.match_substring_regex(text, NUMBER), False)
            kept = pc.if_else(good, text, pa.scalar(None, pa.string()))
            values = pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False)
    values = np.asarray(values, dtype=np.float64)
    return values, ~np.isfinite(values)


def _plain_floats(array: pa.Array) -> np.ndarray | None:
    """Fast path: the values when every cell casts to a finite float, else None.

    Arrow's cast accepts a subset of ``NUMBER`` plus inf and nan (and no spaces), so a clean
    cast of finite values means the careful, slower regex path would agree cell by cell.
    """
    try:
        values = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None
    return values if bool(np.isfinite(values).all()) else None


def _to_ids(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Read IDs as int64 when all are whole numbers (so 2 sorts before 10), else as text."""
    if pa.types.is_integer(array.type):
        return array.to_numpy(zero_copy_only=False), np.asarray(array.is_null())
    if (
        array.null_count == 0
        and pc.all(pc.ascii_is_decimal(array)).as_py()
        and pc.max(pc.binary_length(array)).as_py() <= 18
    ):
        # Fast path: only ASCII digits, 1 to 18 of them, so the regex below would match all.
        return pc.cast(array, pa.int64()).to_numpy(), np.zeros(len(array), dtype=bool)
    text = pc.utf8_trim_whitespace(pc.cast(array, pa.string()))
    bad = np.asarray(pc.fill_null(pc.equal(text, ""), True))
    whole = pc.fill_null(pc.match_substring_regex(text, r"^\d{1,18}$"), False)
    if bool(pc.all(pc.or_(whole, pa.array(bad))).as_py()):
        filled = pc.if_else(whole, text, "0")
        return pc.cast(filled, pa.int64()).to_numpy(zero_copy_only=False), bad
    return np.asarray(text.to_pylist(), dtype=object), bad


def _to_categories(array: pa.Array, rule: ColumnRule) -> tuple[pd.Categorical, np.ndarray, str]:
    """Trim, map and check category labels; return them, a mask of bad cells and the expectation."""
    # Work on the few distinct values, then map codes: no Python object per row.
    encoded = pc.dictionary_encode(pc.cast(array, pa.string()), null_encoding="encode")
    mapping = dict(rule.values)
    trimmed = pc.utf8_trim_whitespace(encoded.dictionary).to_pylist()
    levels: list[str] = [mapping.get(v, v) if v is not None else "" for v in trimmed]
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    categories = sorted(set(levels) - {""})
    position = {category: i for i, category in enumerate(categories)}
    level_codes = np.array([position.get(lv, -1) for lv in levels] or [-1], dtype=np.int64)
    allowed = set(rule.allowed)
    ok_level = np.array([lv != "" and (not allowed or lv in allowed) for lv in levels], dtype=bool)
    bad = ~ok_level[codes] if len(levels) else np.zeros(len(codes), dtype=bool)
    expected = f"one of {', '.join(sorted(allowed))}" if allowed else "a non-empty value"
    row_codes: npt.NDArray[np.int64] = level_codes[codes]
    labels = cast(pd.Categorical, pd.Categorical.from_codes(row_codes, pd.Index(categories)))
    return labels, bad, expected


def _bad_values(
    row_name: _Where, column: str, array: pa.Array, bad: np.ndarray, expected: str
) -> list[str]:
    rows = np.flatnonzero(bad)[:MAX_PROBLEMS]
    shown = array.take(pa.array(rows)).to_pylist() if len(rows) else []
    problems = [
        f"{row_name(int(r))}, column {column!r}: {_show(v)} is not {expected}"
        for r, v in zip(rows, shown, strict=True)
    ]
    extra = int(bad.sum()) - len(rows)
    if extra > 0:
        problems.append(f"column {column!r}: {extra} more bad values")
    return problems


def _show(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "an empty value"
    return f"value {value!r}"


def _check_schema(frame: pd.DataFrame, config: Config, row_name: _Where, where: str) -> None:
    """Apply the declared rules (unique ID, bounds) with pandera and report each failure."""
    columns = {
        config.id_column: pdv.Column(unique=True, report_duplicates="exclude_first", nullable=False)
    }
    for column in frame.columns:
        rule = config.rule_for(column)
        checks = []
        if rule.minimum is not None:
            checks.append(pdv.Check.ge(rule.minimum, error=f"a number >= {rule.minimum:g}"))
        if rule.maximum is not None:
            checks.append(pdv.Check.le(rule.maximum, error=f"a number <= {rule.maximum:g}"))
        if checks and column != config.id_column:
            columns[column] = pdv.Column(checks=checks, nullable=False)
    try:
        # inplace: the schema coerces nothing, so skip pandera's defensive copy of the frame.
        pdv.DataFrameSchema(columns).validate(frame, lazy=True, inplace=True)
    except pdv.errors.SchemaErrors as exc:
        collect(
            DataError, where, _schema_problems(exc.failure_cases, frame, row_name), MAX_PROBLEMS
        )


def _schema_problems(cases: pd.DataFrame, frame: pd.DataFrame, row_name: _Where) -> list[str]:
    problems = []
    for case in cases.head(MAX_PROBLEMS).to_dict("records"):
        if pd.isna(case["index"]):
            continue
        row, column = int(case["index"]), str(case["column"])
        value = _plain(case["failure_case"])
        if case["check"] == "field_uniqueness":
            ids = frame[column].to_numpy()
            first = int(np.flatnonzero(ids == ids[row])[0])
            problems.append(
                f"{row_name(row)}, column {column!r}: value {value} repeats the ID on "
                f"{row_name(first)}; expected unique IDs"
            )
        else:
            problems.append(
                f"{row_name(row)}, column {column!r}: value {value} is not {case['check']}"
            )
    return problems


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    return repr(value)


def _sort_by_id(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """Sort rows by ID so every later stage is independent of the file's row order."""
    if frame[id_column].is_monotonic_increasing:
        return frame  # already in ID order (most exports are): skip a copy of every column
    return frame.sort_values(id_column, kind="stable", ignore_index=True)


def _check_spread(frame: pd.DataFrame, config: Config, where: str) -> None:
    problems = []
    for column in config.feature_columns:
        values = frame[column].to_numpy()
        if values.min() == values.max():
            problems.append(
                f"column {column!r} has the same value ({_plain(float(values[0]))}) for every "
                "customer; a feature must vary to separate segments"
            )
        if config.scaling == "log" and values.min() < 0:
            problems.append(
                f"column {column!r} has negative values (min {values.min():g}); "
                "scaling 'log' expects values >= 0"
            )
    collect(DataError, where, problems)
