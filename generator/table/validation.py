"""Turn the raw table into a typed ``CustomerTable``, reporting every problem at once.

Text becomes numbers with vectorised Arrow kernels (``convert``); rows with missing values are
an error or dropped (``data.missing``); the declared rules (unique IDs, bounds) are checked with
a pandera schema. Every problem is collected before one ``DataError`` is raised.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import pandera.pandas as pdv
import pyarrow as pa
import pyarrow.compute as pc

from generator.config.settings import ColumnRule, Config
from generator.errors import DataError, collect
from generator.model import CustomerTable, RowLines, SourceInfo
from generator.table.columns import resolve_columns
from generator.table.convert import Converted, is_numeric, to_categories, to_ids, to_numbers
from generator.table.personal import SAMPLE, warn_personal
from generator.table.placeholders import IdCells, id_cells
from generator.table.problems import CellIssue, ProblemList, show

log = logging.getLogger(__name__)

MAX_PROBLEMS = 20
SHOWN_LINES = 5
# How many median absolute deviations from the median make a value "far from the rest".
OUTLIER_SPREADS = 1000
DROP_HINT = "set data.missing: drop to drop rows with missing values"
LOG_HINT = "if this is a transaction log, see data.transactions"


def validate(raw: pa.Table, source: SourceInfo, config: Config) -> CustomerTable:
    """Check ``raw`` against the config and return the typed, ID-sorted table.

    Raises:
        DataError: Listing every problem (up to a limit in the message, all in ``details``)
            with line, column, value and expectation.
    """
    where = str(source.path)
    found, notes = resolve_columns(raw.column_names, config, where)
    if raw.num_rows == 0:
        raise DataError(f"{where}: the file has a header but no customer rows")
    profiled = [c for c in (*config.feature_columns, *config.profiled) if c in found]
    warn_personal(where, ((c, _sample(raw, found, c)) for c in profiled))
    ids = id_cells(config.id_column, _column(raw, found, config.id_column), _id_rule(config))
    columns = {c: _convert(c, _column(raw, found, c), config, ids) for c in found}
    notes += [c.note for c in columns.values() if c.note]
    # A gap in a describe or outcome column never removes a customer (nor is an error): the
    # profiles say how many customers each such column covers.
    required = {c: v for c, v in columns.items() if c not in config.profiled}
    missing = np.logical_or.reduce([c.missing for c in required.values()])
    dropping = config.missing == "drop"
    keep = ~(missing | ids.placeholder) if dropping else np.ones(raw.num_rows, dtype=bool)
    dropped = _log_drop(where, missing & ~keep, source.lines)
    frame = pd.DataFrame({c: v.values for c, v in columns.items()})[keep]
    cells = [*ids.issues, *(issue for c in columns.values() for issue in c.issues)]
    issues = [_kept(issue, keep) for issue in cells]
    if config.missing == "error":
        issues += [_missing_issue(c, v) for c, v in required.items()]
    issues += _schema_issues(frame, config)
    # Problems are listed by line, then in the config's column order.
    rank = {column: n for n, column in enumerate(columns)}
    issues.sort(key=lambda issue: rank[issue.column])
    problems = ProblemList(issues, source.lines)
    hint = ""
    if config.missing == "error" and (missing | ids.placeholder).any():
        hint = DROP_HINT + (" or placeholder IDs" if ids.placeholder.any() else "")
    if any(issue.others is not None and len(issue.rows) for issue in issues):
        hint = "; ".join(filter(None, (hint, LOG_HINT)))  # repeated IDs
    collect(DataError, where, problems, MAX_PROBLEMS, hint)
    if frame.empty:
        raise DataError(f"{where}: no customer rows left after dropping rows with missing values")
    frame = _finish(frame, config)
    _check_spread(frame, config, where)
    _warn_outliers(frame, config, where)
    for note in notes:
        log.info("%s: %s", where, note)
    notes += dropped[1:]
    left_out = ids.left_out if dropping else ()
    return CustomerTable(
        frame=frame,
        source=replace(
            source,
            notes=source.notes + tuple(notes),
            rows_dropped=source.rows_dropped + int((~keep).sum()),
            left_out=(*source.left_out, *left_out),
        ),
        id_column=config.id_column,
        features=config.feature_columns,
        describe=config.describe,
        outcomes=config.outcome_columns,
    )


def _column(raw: pa.Table, found: dict[str, int], column: str) -> pa.Array:
    return raw.column(found[column]).combine_chunks()


def _sample(raw: pa.Table, found: dict[str, int], column: str) -> pd.Series | None:
    """The first values of a column, as text, for telling personal data by its values.

    None for a type that is not text or numbers (converting it reports the problem).
    """
    head = raw.column(found[column]).slice(0, SAMPLE).combine_chunks()
    try:
        return pd.Series(pc.cast(head, pa.string()).to_pylist(), dtype=object).fillna("")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _id_rule(config: Config) -> ColumnRule:
    """The ID's value mapping: a log's IDs were mapped already, when its customers were made."""
    return ColumnRule() if config.transactions is not None else config.rule_for(config.id_column)


def _convert(column: str, array: pa.Array, config: Config, ids: IdCells) -> Converted:
    rule = config.rule_for(column)
    try:
        if column == config.id_column:
            if not ids.placeholder.any() and not _id_rule(config).values:
                return to_ids(column, array)  # as stored: Parquet's integer IDs stay integers
            # Placeholders are left out (or reported) with their reason, not as missing IDs.
            cleared = pc.if_else(pa.array(ids.placeholder), "", pc.cast(ids.text, pa.string()))
            converted = to_ids(column, cleared)
            return replace(converted, missing=converted.missing & ~ids.placeholder)
        if column in config.feature_columns or is_numeric(column, array, rule):
            return to_numbers(column, array)
        return to_categories(column, array, rule)
    except DataError as exc:
        raise DataError(f"{config.data_path}: {exc}") from exc


def _missing_issue(column: str, converted: Converted) -> CellIssue:
    rows = np.flatnonzero(converted.missing)
    return CellIssue(column, rows, None, f"missing value; expected {converted.expected}")


def _kept(issue: CellIssue, keep: np.ndarray) -> CellIssue:
    """Restrict an issue to the rows that are not dropped."""
    if keep.all() or issue.values is None:
        return issue
    inside = keep[issue.rows]
    values = issue.values.filter(pa.array(inside))
    return replace(issue, rows=issue.rows[inside], values=values)


def _log_drop(where: str, dropped: np.ndarray, lines: RowLines) -> tuple[int, *tuple[str, ...]]:
    """Log how many rows ``data.missing: drop`` removed and where: never a silent drop.

    Returns:
        The number of rows dropped, then the note said about it (if any).
    """
    rows = np.flatnonzero(dropped)
    if not len(rows):
        return (0,)
    shown = ", ".join(str(n) for n in lines.of(rows[:SHOWN_LINES]))
    more = f" and {len(rows) - SHOWN_LINES:,} more" if len(rows) > SHOWN_LINES else ""
    noun = "row" if len(rows) == 1 else "rows"
    note = f"dropped {len(rows):,} {noun} with missing values ({lines.word}s {shown}{more})"
    log.info("%s: %s", where, note)
    return len(rows), note


def _schema_issues(frame: pd.DataFrame, config: Config) -> list[CellIssue]:
    """Check the declared rules (unique ID, bounds) with pandera; missing cells are skipped."""
    id_rule = pdv.Column(unique=True, report_duplicates="exclude_first", nullable=True)
    columns = {config.id_column: id_rule}
    for column in frame.columns:
        rule = config.rule_for(column)
        checks = []
        if rule.minimum is not None:
            checks.append(pdv.Check.ge(rule.minimum, error=f"a number >= {rule.minimum:g}"))
        if rule.maximum is not None:
            checks.append(pdv.Check.le(rule.maximum, error=f"a number <= {rule.maximum:g}"))
        if checks and column != config.id_column:
            columns[column] = pdv.Column(checks=checks, nullable=True)
    try:
        pdv.DataFrameSchema(columns).validate(frame, lazy=True)
    except pdv.errors.SchemaErrors as exc:
        return _failures(exc.failure_cases, frame, config.id_column)
    return []


def _failures(cases: pd.DataFrame, frame: pd.DataFrame, id_column: str) -> list[CellIssue]:
    """Turn pandera's failure cases into issues; rows are the frame's index (file positions)."""
    cases = cases[cases["index"].notna()]
    issues = []
    for (column, check), group in cases.groupby(["column", "check"], sort=False):
        rows = np.sort(group["index"].to_numpy(dtype=np.int64))
        values = frame[str(column)].loc[rows].to_numpy()
        if check != "field_uniqueness":
            issues.append(CellIssue(str(column), rows, values, f"value {{value}} is not {check}"))
            continue
        present = ~pd.isna(values)
        rows, values = rows[present], values[present]
        firsts = _first_rows(frame[column], values)
        template = "value {value} repeats the ID on {other}; expected unique IDs"
        issues.append(CellIssue(str(column), rows, values, template, firsts))
    return issues


def _first_rows(ids: pd.Series, repeated: np.ndarray) -> np.ndarray:
    """The file position of the first row holding each of the ``repeated`` IDs."""
    first = ids[~ids.duplicated(keep="first")]
    position = pd.Series(first.index.to_numpy(), index=first.to_numpy())
    return position.reindex(pd.Index(repeated)).to_numpy(dtype=np.int64)


def _finish(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Give IDs their plain type and sort rows by ID, so row order never matters."""
    ids = frame[config.id_column]
    if isinstance(ids.dtype, pd.Int64Dtype):
        frame = frame.assign(**{config.id_column: ids.to_numpy(dtype=np.int64)})
    return frame.sort_values(config.id_column, kind="stable", ignore_index=True)


def _warn_outliers(frame: pd.DataFrame, config: Config, where: str) -> None:
    """Warn when a feature has values far beyond the rest.

    K-Means then tends to give a handful of customers a segment of their own (one customer at
    1e12 against everyone else), which ``k: auto`` happily chooses.
    """
    for column in config.feature_columns:
        values = frame[column].to_numpy(dtype=np.float64)
        median = float(np.median(values))
        spread = float(np.median(np.abs(values - median))) or float(np.std(values))
        far = np.abs(values - median) > OUTLIER_SPREADS * spread
        if spread > 0 and far.any():
            # No customer's value is printed: build logs (CI) are read by more people than
            # the site, and the farthest value is one customer's.
            log.warning(
                "%s: column %r has %s far from the rest (over %s median absolute deviations "
                "from the median %s); k-means may give them a segment of their own: check "
                "them, or try scaling: robust or log",
                where,
                column,
                f"{int(far.sum()):,} {'value' if far.sum() == 1 else 'values'}",
                f"{OUTLIER_SPREADS:,}",
                show(median),
            )


def _check_spread(frame: pd.DataFrame, config: Config, where: str) -> None:
    """Features must vary, suit the scaling, and leave enough customers for k."""
    problems = []
    for column in config.feature_columns:
        values = frame[column].to_numpy()
        if values.min() == values.max():
            problems.append(
                f"column {column!r} has the same value ({show(float(values[0]))}) for every "
                "customer; a feature must vary to separate segments"
            )
        if config.scaling == "log" and values.min() < 0:
            problems.append(
                f"column {column!r} has negative values (min {values.min():g}); "
                "scaling 'log' expects values >= 0"
            )
    n = len(frame)
    if config.k is not None and n < config.k:
        problems.append(f"n_customers={n} should be >= k={config.k}")
    elif config.k is None and n <= config.k_min:
        problems.append(f"n_customers={n} should be > k_min={config.k_min} to search for k")
    collect(DataError, where, problems)
