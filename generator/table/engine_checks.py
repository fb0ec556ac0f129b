"""Check a table that stays in an engine: every rule as one aggregate query over all rows.

Rows in an engine have no stable line numbers, so problems name customers by ID: the first 20
offending IDs of each rule (in ID order), with the count of all of them. The checks are those
of ``validation`` for a file read into memory: missing values, numbers, finite numbers, bounds,
allowed categories, unique IDs, features that vary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.config.settings import Config
from generator.engine.dialect import Dialect, lit
from generator.engine.session import SOURCE, Engine
from generator.table.problems import show

PARSED = "segments_parsed"
FIRST_IDS = 20
# The widest ID range counted in a bitmap: 2^28 bits (32 MiB) per thread.
BITMAP_BITS = 1 << 28
NA_TOKENS = ("", "na", "n/a", "nan", "null", "none")
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INT", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
# DuckDB's and Spark's names of integer types whose every value fits a BIGINT.
INTEGER_TYPES = frozenset(
    ("TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
).union(("BYTE", "SHORT", "LONG"))
NOT_NUMBER, NOT_FINITE, NOT_ALLOWED = 1, 2, 3


@dataclass(frozen=True)
class Column:
    """One configured column as the engine reads it.

    Attributes:
        name: The configured name.
        source: The header name in the table.
        kind: ``number`` or ``category``.
        typed: True when the table already stores numbers (no text to parse).
        integer: True when it stores whole numbers (never NaN or infinite).
    """

    name: str
    source: str
    kind: str
    typed: bool
    integer: bool = False


def is_integer_type(kind: str) -> bool:
    """Whether an engine column type holds whole numbers that fit a BIGINT."""
    return kind.upper() in INTEGER_TYPES


def is_numeric_type(kind: str) -> bool:
    """Whether an engine column type holds numbers (DuckDB and Spark spellings)."""
    upper = kind.upper()
    return any(upper.startswith(t) for t in NUMERIC_TYPES) or upper in ("LONG", "SHORT", "BYTE")


def parsed_sql(config: Config, id_items: list[str], columns: Sequence[Column], d: Dialect) -> str:
    """Each row parsed: its ID, each column's value, missing flag, problem and text, ``keep``.

    ``id_items`` are the ID's columns (``engine_placeholders.id_items``: ``id``, ``id_key``,
    ``id_m`` missing, ``id_p`` placeholder, ...). Per configured column ``i``: ``v<i>`` (the
    value, NULL when missing or wrong), ``m<i>`` (missing), ``p<i>`` (the problem code, 0 for
    none) and ``r<i>`` (the cell as text, for messages); ``keep`` is false for a row
    ``data.missing: drop`` drops.
    """
    items = list(id_items)
    for i, column in enumerate(columns):
        items += _column_items(d, config, column, i)
    missing = " OR ".join(["id_m", "id_p"] + [f"m{i}" for i in range(len(columns))])
    keep = f"NOT ({missing})" if config.missing == "drop" else "TRUE"
    inner = f"SELECT {', '.join(items)} FROM {SOURCE}"
    return f"SELECT *, {keep} AS keep FROM ({inner}) AS q"


def _trimmed(d: Dialect, source: str) -> str:
    return f"trim(CAST({d.quote(source)} AS {d.text_type}))"


def _tokens(d: Dialect) -> str:
    return ", ".join(d.text(t) for t in NA_TOKENS)


def _column_items(d: Dialect, config: Config, column: Column, i: int) -> list[str]:
    raw = _trimmed(d, column.source)
    if column.kind == "category":
        return _category_items(d, config, column, i, raw)
    if column.integer:
        # Every stored whole number is a finite double: nothing to check but presence.
        value = d.double(d.quote(column.source))
        return [f"{value} AS v{i}", f"({value} IS NULL) AS m{i}", f"0 AS p{i}", f"{raw} AS r{i}"]
    if column.typed:
        value = d.double(d.quote(column.source))
        missing = f"({value} IS NULL OR {d.is_nan(value)})"
        problem = f"CASE WHEN abs({value}) = {d.infinity()} THEN {NOT_FINITE} ELSE 0 END"
    else:
        missing = f"({raw} IS NULL OR lower({raw}) IN ({_tokens(d)}))"
        value = d.try_double(raw)
        problem = (
            f"CASE WHEN {missing} THEN 0 WHEN {value} IS NULL OR {d.is_nan(value)} "
            f"THEN {NOT_NUMBER} WHEN abs({value}) = {d.infinity()} THEN {NOT_FINITE} ELSE 0 END"
        )
    good = f"CASE WHEN {missing} THEN NULL WHEN ({problem}) = 0 THEN {value} ELSE NULL END"
    return [f"{good} AS v{i}", f"{missing} AS m{i}", f"{problem} AS p{i}", f"{raw} AS r{i}"]


def _category_items(d: Dialect, config: Config, column: Column, i: int, raw: str) -> list[str]:
    rule = config.rule_for(column.name)
    mapped = raw
    if rule.values:
        whens = " ".join(f"WHEN {d.text(a)} THEN {d.text(b)}" for a, b in rule.values)
        mapped = f"CASE {raw} {whens} ELSE {raw} END"
    missing = f"({mapped} IS NULL OR {mapped} = '')"
    allowed = ", ".join(d.text(a) for a in rule.allowed)
    problem = (
        f"CASE WHEN NOT {missing} AND {mapped} NOT IN ({allowed}) THEN {NOT_ALLOWED} ELSE 0 END"
        if rule.allowed
        else "0"
    )
    value = f"CASE WHEN {missing} OR ({problem}) > 0 THEN NULL ELSE {mapped} END"
    return [f"{value} AS v{i}", f"{missing} AS m{i}", f"{problem} AS p{i}", f"{raw} AS r{i}"]


def facts_sql(config: Config, columns: Sequence[Column], integer_ids: bool) -> str:
    """One pass: row counts, and per column the missing cells, problems, bounds, min and max.

    With whole-number IDs also their smallest and largest (``id_lo``, ``id_hi``), which let
    the duplicate check count distinct IDs in a bitmap instead of grouping every ID.
    """
    items = ["count(*) AS rows_read", "sum(CASE WHEN keep THEN 0 ELSE 1 END) AS dropped"]
    items.append("sum(CASE WHEN keep AND id_m THEN 1 ELSE 0 END) AS id_m")
    items.append("sum(CASE WHEN id_p THEN 1 ELSE 0 END) AS id_p")
    items.append("sum(CASE WHEN id_z AND NOT id_m THEN 1 ELSE 0 END) AS id_z")
    items.append("sum(CASE WHEN keep AND NOT (id_m OR id_p) THEN 1 ELSE 0 END) AS ids")
    if integer_ids:
        items.append("min(CASE WHEN keep AND NOT (id_m OR id_p) THEN id_key END) AS id_lo")
        items.append("max(CASE WHEN keep AND NOT (id_m OR id_p) THEN id_key END) AS id_hi")
    for i, column in enumerate(columns):
        items.append(f"sum(CASE WHEN keep AND m{i} THEN 1 ELSE 0 END) AS m{i}")
        for condition, name in _rules(config, column, i):
            items.append(f"sum(CASE WHEN keep AND {condition} THEN 1 ELSE 0 END) AS {name}")
        if column.kind == "number":
            items.append(f"min(CASE WHEN keep THEN v{i} END) AS lo{i}")
            items.append(f"max(CASE WHEN keep THEN v{i} END) AS hi{i}")
    return f"SELECT {', '.join(items)} FROM {PARSED}"


def _rules(config: Config, column: Column, i: int) -> list[tuple[str, str]]:
    """(condition, name) of each cell rule of ``column``; the name keys the facts row."""
    rules = [(f"p{i} = {NOT_NUMBER}", f"nan{i}"), (f"p{i} = {NOT_FINITE}", f"inf{i}")]
    if column.kind == "category":
        return [(f"p{i} = {NOT_ALLOWED}", f"bad{i}")]
    rule = config.rule_for(column.name)
    if rule.minimum is not None:
        rules.append((f"v{i} < {lit(rule.minimum)}", f"min{i}"))
    if rule.maximum is not None:
        rules.append((f"v{i} > {lit(rule.maximum)}", f"max{i}"))
    return rules


def problems(
    engine: Engine,
    config: Config,
    columns: Sequence[Column],
    facts: dict[str, int],
    integer_ids: bool,
) -> list[str]:
    """Every broken rule in words, naming the first offending customers by ID."""
    found = []
    if facts["id_m"]:
        found.append(
            f"column {config.id_column!r}: {_many(facts['id_m'], 'row')} with no "
            "customer ID; expected a customer ID"
        )
    for i, column in enumerate(columns):
        if config.missing == "error" and facts[f"m{i}"]:
            expected = _expected(config, column)
            found.append(
                _listed(engine, column, i, f"m{i}", facts[f"m{i}"], ("a missing value", expected))
            )
        for condition, name in _rules(config, column, i):
            if facts.get(name):
                what = _what(config, column, name)
                found.append(_listed(engine, column, i, condition, facts[name], what))
    if not (integer_ids and _unique_in_range(engine, facts)):
        found += _duplicates(engine, config)
    return found


def _many(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _expected(config: Config, column: Column) -> str:
    allowed = config.rule_for(column.name).allowed
    if column.kind == "category":
        return f"one of {', '.join(sorted(allowed))}" if allowed else "a non-empty value"
    return "a number"


def _what(config: Config, column: Column, name: str) -> tuple[str, str]:
    rule = config.rule_for(column.name)
    if name.startswith("nan"):
        return "a value that is not a number", "a number"
    if name.startswith("inf"):
        return "a value that is not finite", "a finite number"
    if name.startswith("min"):
        return "a value below the minimum", f"a number >= {rule.minimum:g}"
    if name.startswith("max"):
        return "a value above the maximum", f"a number <= {rule.maximum:g}"
    return "a value that is not allowed", _expected(config, column)


def _listed(
    engine: Engine, column: Column, i: int, condition: str, count: int, what: tuple[str, str]
) -> str:
    rows = engine.fetch(
        f"SELECT id, r{i} AS cell FROM {PARSED} WHERE keep AND {condition} "
        f"ORDER BY {engine.dialect.by_code_point('id')} LIMIT {FIRST_IDS}"
    ).to_pylist()
    missing = condition == f"m{i}"  # a missing cell has nothing to show but its customer
    shown = ", ".join(
        f"ID {row['id']}" if missing else f"ID {row['id']} ({show(row['cell'])})" for row in rows
    )
    more = f" and {count - len(rows):,} more" if count > len(rows) else ""
    return (
        f"column {column.name!r}: {_many(count, 'customer')} with {what[0]} "
        f"({shown}{more}); expected {what[1]}"
    )


def _unique_in_range(engine: Engine, facts: dict[str, int]) -> bool:
    """True when the whole-number IDs are known to be unique, from one cheap pass.

    Counting distinct IDs between the smallest and the largest needs a bitmap of that range
    instead of a hash table of every ID, which at 100M rows spilled to disk. False when the
    range is too wide for a bitmap or some ID repeats: the grouping query then names them.
    """
    ids = int(facts["ids"])
    low, high = int(facts["id_lo"]), int(facts["id_hi"])
    if ids == 0:
        return True
    if high - low >= BITMAP_BITS:
        return False
    distinct = engine.dialect.distinct_in_range("id_key", low, high)
    row = engine.fetch(f"SELECT {distinct} AS n FROM {PARSED} WHERE keep AND NOT (id_m OR id_p)")
    return int(row.to_pylist()[0]["n"]) == ids


def _duplicates(engine: Engine, config: Config) -> list[str]:
    repeated = (
        f"SELECT id_key, count(*) AS c FROM {PARSED} "
        "WHERE keep AND NOT (id_m OR id_p) GROUP BY id_key HAVING count(*) > 1"
    )
    text = engine.dialect.text_type
    rows = engine.fetch(
        f"SELECT CAST(id_key AS {text}) AS id, c, count(*) OVER () AS total FROM ({repeated}) AS q "
        f"ORDER BY id_key LIMIT {FIRST_IDS}"
    ).to_pylist()
    if not rows:
        return []
    total = int(rows[0]["total"])
    shown = ", ".join(f"ID {row['id']} ({row['c']} rows)" for row in rows)
    more = f" and {total - len(rows):,} more" if total > len(rows) else ""
    return [
        f"column {config.id_column!r}: {_many(total, 'ID')} on more than one row "
        f"({shown}{more}); expected unique IDs"
    ]
