"""``segments init``: inspect a new table and write a starter config that builds without edits.

The rules, each written into the config as a comment so the analyst sees why:

- **ID column**: a column whose values are all present and unique; one whose name looks like an
  ID (``id``, ``key``, ``code``, ``number`` ...) wins, else the first unique whole-number or text
  column.
- **Features**: numeric columns that vary, have no empty cells and are not codes, in file order,
  at most ``MAX_FEATURES``; further numeric columns are profiled instead.
- **Describe**: the other numeric columns and text columns with at most ``MAX_CATEGORIES``
  distinct values. Text with more values (names, e-mails, free text) is left out.
- **Scaling**: ``log`` when a feature is strongly right-skewed (skewness > ``SKEWED``) and no
  feature is negative; ``robust`` when a feature is strongly skewed but some are negative;
  ``standard`` otherwise.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator.config.settings import default_label
from generator.errors import DataError
from generator.table.convert import NUMBER

MAX_FEATURES = 6
MAX_CATEGORIES = 20
SKEWED = 1.0
ID_WORD = re.compile(r"(^|[\s_.-])(id|key|code|number|num|no|nr)$", re.IGNORECASE)
ID_CAMEL = re.compile(r"[a-z](Id|ID)$")
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Starter:
    """What ``init`` found in a table, with the reason for each choice."""

    id_column: str
    features: tuple[tuple[str, str], ...]
    describe: tuple[tuple[str, str], ...]
    skipped: tuple[tuple[str, str], ...]
    scaling: str
    scaling_reason: str
    id_reason: str
    n_rows: int


def starter_config(table_path: Path, out_path: Path) -> tuple[Starter, str]:
    """Inspect ``table_path`` and return the starter config to write at ``out_path``.

    Raises:
        DataError: When the table cannot be read or has nothing to segment on.
    """
    frame, delimiter = read_text_table(table_path)
    starter = inspect(frame)
    relative = Path(os.path.relpath(table_path.resolve(), out_path.resolve().parent))
    title = table_path.stem.replace("_", " ").replace("-", " ").strip().capitalize()
    return starter, starter_yaml(starter, relative.as_posix(), delimiter, title)


def read_text_table(path: Path) -> tuple[pd.DataFrame, str]:
    """Read a table as text cells (like the build does) and the delimiter of a CSV.

    Raises:
        DataError: When the file is missing, of an unknown type or unreadable.
    """
    if not path.is_file():
        raise DataError(f"{path}: data file not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path).astype(str), ","
        if suffix == ".xlsx":
            return pd.read_excel(path, dtype=str, keep_default_na=False), ","
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline()
        sep = "\t" if suffix == ".tsv" else max(DELIMITERS, key=header.count)
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read: {exc}") from exc
    if frame.empty:
        raise DataError(f"{path}: no customer rows to inspect")
    return frame, sep


def inspect(frame: pd.DataFrame) -> Starter:
    """Choose the ID, features, describe columns and scaling of a text table (see module doc).

    Raises:
        DataError: When no column can serve as the customer ID, or no numeric column varies.
    """
    text = frame.apply(lambda column: column.astype(str).str.strip())
    filled = text.ne("").all()
    numeric = {c: bool(filled[c] and text[c].str.fullmatch(NUMBER).all()) for c in text.columns}
    id_column, id_reason = _id_column(text, filled, numeric)
    features: list[tuple[str, str]] = []
    describe: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for column in text.columns:
        if column == id_column:
            continue
        kind, why = _role(column, text[column], bool(filled[column]), numeric[column])
        if kind == "feature" and len(features) >= MAX_FEATURES:
            kind, why = "describe", f"numeric; beyond the first {MAX_FEATURES} features"
        {"feature": features, "describe": describe, "skip": skipped}[kind].append((column, why))
    if not features:
        raise DataError("no numeric column without empty cells varies; nothing to segment on")
    values = text[[c for c, _ in features]].astype(float)
    scaling, reason = _scaling(values)
    return Starter(
        id_column=id_column,
        features=tuple(features),
        describe=tuple(describe),
        skipped=tuple(skipped),
        scaling=scaling,
        scaling_reason=reason,
        id_reason=id_reason,
        n_rows=len(frame),
    )


def looks_like_id(name: str) -> bool:
    """Whether a column name reads like an identifier: ``id``, ``customer_id``, ``CustomerID``."""
    name = name.strip()
    return bool(ID_WORD.search(name) or ID_CAMEL.search(name))


def _id_column(text: pd.DataFrame, filled: pd.Series, numeric: dict[str, bool]) -> tuple[str, str]:
    unique = [c for c in text.columns if filled[c] and text[c].is_unique]
    named = [c for c in unique if looks_like_id(str(c))]
    if named:
        return named[0], "unique for every row, and its name looks like an ID"
    whole = [c for c in unique if not numeric[c] or text[c].str.fullmatch(r"\d{1,18}").all()]
    if whole:
        return whole[0], "the first column that is unique for every row"
    raise DataError(
        "no column has a unique, non-empty value on every row to serve as the customer ID"
    )


def _role(column: str, values: pd.Series, filled: bool, numeric: bool) -> tuple[str, str]:
    distinct = values.nunique()
    if not filled:
        return "skip", "has empty cells (the build needs a value on every row)"
    if distinct < 2:
        return "skip", "the same value on every row"
    if numeric and looks_like_id(str(column)):
        return "describe", "numeric, but its name looks like a code rather than a measure"
    if numeric:
        skew = float(pd.to_numeric(values).to_frame().skew().iloc[0])
        return "feature", f"numeric, skewness {skew:.2f}"
    if distinct <= MAX_CATEGORIES:
        return "describe", f"text with {distinct} values"
    return "skip", f"text with {distinct:,} values (free text or personal data?)"


def _scaling(values: pd.DataFrame) -> tuple[str, str]:
    skew = values.skew().fillna(0.0)
    worst = str(skew.abs().idxmax())
    if skew.max() > SKEWED and bool((values.to_numpy() >= 0).all()):
        top = str(skew.idxmax())
        return "log", (
            f"{top!r} is strongly right-skewed (skewness {skew[top]:.2f}) and no feature is "
            "negative: log1p then standard scaling keeps its long tail from dominating"
        )
    if abs(skew[worst]) > SKEWED:
        return "robust", (
            f"{worst!r} is strongly skewed (skewness {skew[worst]:.2f}) but some values are "
            "negative, so log is not possible: robust scaling (median, IQR) resists outliers"
        )
    return "standard", (
        f"no feature is strongly skewed (largest |skewness| {abs(skew[worst]):.2f}): standard "
        "scaling gives every feature mean 0 and standard deviation 1"
    )


def starter_yaml(starter: Starter, data_path: str, delimiter: str, title: str) -> str:
    """The starter config's text, every choice explained in a comment."""
    q = _quote
    lines = [
        f"# Starter config written by `segments init` from {_comment(data_path)} "
        f"({starter.n_rows:,} rows).",
        "# Every setting is documented in README.md; check the choices, then run",
        "# `segments analyze --config THIS_FILE`.",
        f"title: {q(title)}",
        "data:",
        f"  path: {q(data_path)}  # relative to this file",
        f"  id_column: {q(starter.id_column)}  # {_comment(starter.id_reason)}",
    ]
    if delimiter != ",":
        lines.append(f"  delimiter: {q(delimiter)}")
    lines += _column_lines(starter)
    lines += [
        "k: auto  # or an integer",
        "k_min: 2",
        "k_max: 10",
        "random_state: 42",
        *(f"# {line}" for line in textwrap.wrap(starter.scaling_reason, 96)),
        f"scaling: {starter.scaling}  # standard | robust | log",
        "privacy:",
        "  individual_points: false  # keep false for real customers",
        "  min_group_size: 10",
        "playbook:  # rules {when: {feature label: Low|Medium|High}, actions: [...]}",
        "  - when: {}",
        "    actions:",
        "      - Study this segment further before targeting it.",
    ]
    return "\n".join(lines) + "\n"


def _column_lines(starter: Starter) -> list[str]:
    """The features, describe and left-out columns, each with its reason."""
    q, c = _quote, _comment
    lines = ["features:  # numeric columns the segments are built on"]
    labels = [default_label(column) for column, _ in starter.features]
    for (column, why), label in zip(starter.features, labels, strict=True):
        shown = label if labels.count(label) == 1 else column
        lines += [f"  - column: {q(column)}  # {c(why)}", f"    label: {q(shown)}"]
    heading = "describe:  # profiled per segment, not clustered"
    lines.append(heading if starter.describe else "describe: []")
    lines += [f"  - {q(column)}  # {c(why)}" for column, why in starter.describe]
    if starter.skipped:
        lines.append("# Left out:")
        lines += [f"#   {c(column)}: {c(why)}" for column, why in starter.skipped]
    return lines


def _comment(text: str) -> str:
    """Text safe inside a YAML comment (on one line)."""
    return " ".join(str(text).split())


def _quote(value: str) -> str:
    """A YAML scalar that is always read back as this exact string (JSON is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)
