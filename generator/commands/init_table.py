"""``init`` for a table with one row per customer: the ID, features and what to profile."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from generator.commands import choose
from generator.commands.choose import Column
from generator.commands.init_ids import NO_FINDINGS, IdFindings, id_findings, placeholder_reason
from generator.commands.init_model import Layout, Starter, scaling
from generator.config.settings import readable_label
from generator.errors import DataError
from generator.model import FrozenMap
from generator.table.dates import to_days
from generator.table.personal import personal_kind

NO_ID = (
    "no column is unique and filled on every row, so rows are numbered (data.number_rows); "
    "refreshes then cannot compare customers one by one"
)


def table_starter(text: pd.DataFrame, layout: Layout, limit: int) -> Starter:
    """The starter settings for a customer table (see ``commands.choose``).

    Raises:
        DataError: When no numeric column varies (nothing to segment on).
    """
    id_column, id_reason, ids = _id_column(text)
    outcomes = _outcomes(text, id_column)
    columns = [
        choose.judge(str(c), text[c]) for c in text.columns if c not in (id_column, *outcomes)
    ]
    numbers, labels, since, columns = _durations(text, columns)
    for column in columns:
        if column.role == "candidate" and column.name not in numbers:
            numbers[column.name] = text[column.name].replace("", None).astype(float)
    chosen, profiled = choose.pick_features(columns, pd.DataFrame(numbers), limit)
    if not chosen:
        raise DataError("no numeric column varies; nothing to segment on")
    features = [c.name for c in chosen]
    method, reason = scaling(pd.DataFrame({f: numbers[f] for f in features}))
    gaps = [c for c in chosen if c.gaps]
    value = choose.value_feature(features)
    described = _describe(columns, profiled, dict(numbers), gaps)
    return Starter(
        id_column=id_column,
        features=tuple((c.name, c.why) for c in chosen),
        describe=described,
        skipped=tuple((c.name, c.why) for c in columns if c.role == "skip")
        + tuple((c.name, f"{c.why}, {c.gaps:,} empty cells") for c in columns if _gappy(c, chosen)),
        personal=tuple((c.name, c.why) for c in columns if c.role == "personal"),
        placeholders=ids.placeholders,
        n_customers=ids.customers,
        scaling=method,
        scaling_reason=reason,
        id_reason=id_reason,
        n_rows=len(text),
        labels=FrozenMap(
            (c, labels.get(c, _label(c)))
            for c in (*features, *(d for d, _ in described), *outcomes)
        ),
        missing=_missing_reason(gaps, len(text), placeholder_reason(id_column, ids, "row")),
        value=(*value, "its name reads like the customer's value") if value else None,
        codes=FrozenMap(
            (c.name, FrozenMap(choose.value_map(c.name, text[c.name])))
            for c in columns
            if c.role == "category" and not c.gaps
        ),
        since=FrozenMap(since),
        layout=layout,
        outcomes=tuple((c, *found) for c, found in outcomes.items()),
    )


def _outcomes(text: pd.DataFrame, id_column: str) -> dict[str, tuple[str, str]]:
    """The columns that read like outcomes (``choose.outcome``): their positive value and why."""
    found = {}
    for column in text.columns:
        if column != id_column and not personal_kind(str(column), text[column]):
            judged = choose.outcome(str(column), text[column])
            if judged is not None:
                found[str(column)] = judged
    return found


def _id_column(text: pd.DataFrame) -> tuple[str, str, IdFindings]:
    """The ID: unique and filled, preferring an ID-like name, never personal data.

    Stand-ins for unknown customers ("(blank)", a repeated "0") may repeat in an ID-like
    column: ``data.missing: drop`` then leaves their rows out.
    """
    filled = (text != "").all()
    usable = [str(c) for c in text.columns if filled[c] and not personal_kind(str(c), text[c])]
    for column in (c for c in usable if choose.looks_like_id(c)):
        found = id_findings(column, text[column], log=False)
        if found.unique and not found.missing:
            return column, f"unique for every {_who(found)}, and its name looks like an ID", found
    unique = [c for c in usable if text[c].is_unique]
    decimals = {c for c in unique if text[c].str.contains(r"[.eE]", regex=True).any()}
    whole = [c for c in unique if c not in decimals]
    if not whole:
        return "", NO_ID, NO_FINDINGS
    found = id_findings(whole[0], text[whole[0]], log=False)
    return whole[0], "the first column that is unique for every row", found


def _who(found: IdFindings) -> str:
    return "customer" if found.placeholders else "row"


def _durations(
    text: pd.DataFrame, columns: list[Column]
) -> tuple[dict[str, pd.Series], dict[str, str], list[tuple[str, str]], list[Column]]:
    """Date columns become days since (tenure); years become years since, given a date."""
    dates = [c for c in columns if c.role == "date"]
    numbers: dict[str, pd.Series] = {}
    days = {c.name: _days(text[c.name]) for c in dates}
    as_of = max(d.max() for d in days.values()) + pd.Timedelta(days=1) if days else None
    labels, since, judged = {}, [], []
    for column in columns:
        if column.role == "date" and as_of is not None:
            numbers[column.name] = (as_of - days[column.name]).dt.days.astype(float)
            labels[column.name] = f"Days since {_label(column.name)}"
            since.append((column.name, "days"))
            column = Column(column.name, "candidate", "dates: days since each", 1, column.gaps)
        elif column.role == "year" and as_of is not None:
            years = text[column.name].replace("", None).astype(float)
            numbers[column.name] = as_of.year - years
            birth = "birth" in column.name.casefold()
            labels[column.name] = "Age" if birth else f"Years since {_label(column.name)}"
            since.append((column.name, "years"))
            tier = 3 if birth else 2
            column = Column(column.name, "candidate", "a year: years since it", tier, column.gaps)
        elif column.role == "year":
            column = Column(column.name, "skip", "a year, and no date in the table to count to")
        judged.append(column)
    return numbers, labels, since, judged


def _days(values: pd.Series) -> pd.Series:
    parsed = to_days(str(values.name), pa.array(values.tolist(), pa.string())).values
    return pd.Series(pd.to_datetime(parsed), index=values.index)


def _describe(
    columns: list[Column],
    profiled: list[tuple[str, str]],
    numbers: dict[str, pd.Series],
    gaps: list[Column],
) -> tuple[tuple[str, str], ...]:
    """Columns profiled per segment: never one with gaps (it would drop its rows too)."""
    gappy = {c.name for c in columns if c.gaps}
    kept = [(c.name, c.why) for c in columns if c.role in ("describe", "category")]
    kept += profiled
    return tuple((name, why) for name, why in kept if name not in gappy)


def _gappy(column: Column, chosen: list[Column]) -> bool:
    return bool(column.gaps) and column.role != "skip" and column not in chosen


def _missing_reason(gaps: list[Column], rows: int, placeholders: str) -> str:
    if not gaps:
        return placeholders
    shown = ", ".join(f"{c.name!r} has {c.gaps:,} empty cells" for c in gaps)
    share = max(c.gaps for c in gaps) / rows
    said = f"{shown} (at most {share:.1%} of rows): those customers are left out"
    return f"{placeholders}; {said}" if placeholders else said


def _label(column: str) -> str:
    """A readable label (``config.features.readable_label``)."""
    return readable_label(column)
