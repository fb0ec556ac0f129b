"""Placeholder customer IDs on an engine: the rules of ``table.placeholders``, in SQL.

A cell is a placeholder when, after the ``columns:`` value mapping, it is empty (mapped to
empty) or one of ``placeholders.TOKENS``; a zero or minus one is one when two or more rows hold
it. They are counted in the checks' one pass (``facts``): left out with ``data.missing: drop``,
named as problems otherwise. Only when two rows hold zeros is the parsing view made again, with
the repeated ones as placeholders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator.config.settings import Config
from generator.engine.dialect import Dialect
from generator.engine.session import Engine
from generator.model import LeftOut
from generator.table.engine_checks import (
    PARSED,
    Column,
    facts_sql,
    is_integer_type,
    is_numeric_type,
    parsed_sql,
)
from generator.table.placeholders import NA, SENTINELS, TOKENS

SHOWN = 20


def id_items(
    d: Dialect, config: Config, id_source: tuple[str, str], zeros: Sequence[Any] = ()
) -> list[str]:
    """The parsed view's ID columns.

    ``id`` (mapped), ``id_key`` (what repeats are counted on), ``id_m`` (missing), ``id_p``
    (placeholder; also the repeated ``zeros``, as ``id_key`` holds them), ``id_z`` (a zero)
    and ``id_r`` (as written).
    """
    name, kind = id_source
    rule = config.rule_for(config.id_column)
    raw = f"trim(CAST({d.quote(name)} AS {d.text_type}))"
    text = raw
    if rule.values:
        whens = " ".join(f"WHEN {d.text(a)} THEN {d.text(b)}" for a, b in rule.values)
        text = f"CASE {raw} {whens} ELSE {raw} END"
    typed = is_numeric_type(kind) and not rule.values
    # Repeated IDs are counted on the stored integers when there are some: far cheaper to group.
    key = d.quote(name) if typed else text
    absent = f"{key} IS NULL"
    if not typed:
        absent += f" OR {raw} = '' OR lower({raw}) IN ({_listed(d, NA)})"
    zero = f"{key} IN (0, -1)" if typed else f"{text} IN ({_listed(d, SENTINELS)})"
    token = "FALSE" if typed else f"{text} = '' OR lower({text}) IN ({_listed(d, TOKENS)})"
    if zeros:
        listed = ", ".join(str(int(z)) if typed else d.text(str(z)) for z in zeros)
        token += f" OR {key} IN ({listed})"
    placeholder = f"NOT ({absent}) AND ({token})"
    return [
        f"{text} AS id",
        f"{key} AS id_key",
        f"({absent}) AS id_m",
        f"({placeholder}) AS id_p",
        f"({zero}) AS id_z",
        f"{raw} AS id_r",
    ]


def _listed(d: Dialect, words: frozenset[str]) -> str:
    return ", ".join(d.text(w) for w in sorted(words))


def parse(
    engine: Engine, config: Config, id_source: tuple[str, str], columns: Sequence[Column]
) -> tuple[str, dict[str, Any]]:
    """Create the parsing view and count its facts; with repeated zeros, once more.

    Returns:
        The view's SQL and the facts row (None counted as 0).
    """
    parsed, facts = _parsed(engine, config, id_source, columns, [])
    zeros = _repeated_zeros(engine) if int(facts["id_z"]) >= 2 else []
    return _parsed(engine, config, id_source, columns, zeros) if zeros else (parsed, facts)


def _parsed(
    engine: Engine,
    config: Config,
    id_source: tuple[str, str],
    columns: Sequence[Column],
    zeros: list[Any],
) -> tuple[str, dict[str, Any]]:
    items = id_items(engine.dialect, config, id_source, zeros)
    parsed = parsed_sql(config, items, columns, engine.dialect)
    engine.view(PARSED, parsed)
    integer_ids = is_integer_type(id_source[1])
    facts = engine.fetch(facts_sql(config, columns, integer_ids)).to_pylist()[0]
    return parsed, {key: (value if value is not None else 0) for key, value in facts.items()}


def _repeated_zeros(engine: Engine) -> list[Any]:
    """The zeros (as ``id_key`` holds them) that two or more rows hold."""
    rows = engine.fetch(
        f"SELECT id_key AS z FROM {PARSED} WHERE id_z AND NOT (id_m OR id_p) "
        "GROUP BY id_key HAVING count(*) > 1 ORDER BY id_key"
    ).to_pylist()
    return [row["z"] for row in rows]


def placeholder_problems(engine: Engine, config: Config, facts: dict[str, Any]) -> list[str]:
    """With ``data.missing: error``: the placeholders, most frequent first, as one problem."""
    if config.missing != "error" or not facts["id_p"]:
        return []
    counts = _counts(engine)
    shown = ", ".join(f"{value!r} ({_rows(count)})" for value, _, count in counts[:SHOWN])
    total = int(facts["id_p"])
    return [
        f"column {config.id_column!r}: {total:,} {'row holds' if total == 1 else 'rows hold'} "
        f"a placeholder for unknown customers, not a customer ID ({shown}); expected a "
        "customer ID"
    ]


def placeholder_hint(facts: dict[str, Any]) -> str:
    """What the hint to set ``data.missing: drop`` adds when there are placeholders."""
    return " or placeholder IDs" if facts["id_p"] else ""


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def left_out(engine: Engine, config: Config, facts: dict[str, Any]) -> tuple[LeftOut, ...]:
    """The rows ``data.missing: drop`` left out for their placeholder IDs, by reason."""
    if config.missing != "drop" or not facts["id_p"]:
        return ()
    counts = _counts(engine)
    tokens = [(value, count) for value, emptied, count in counts if not emptied]
    emptied = sum(count for _, was_emptied, count in counts if was_emptied)
    found = []
    if tokens:
        values = tuple(value for value, _ in tokens)
        found.append(LeftOut("placeholder", sum(count for _, count in tokens), values))
    if emptied:
        found.append(LeftOut("mapped", emptied))
    return tuple(found)


def _counts(engine: Engine) -> list[tuple[str, bool, int]]:
    """Each placeholder as written, whether the mapping emptied it, and its rows."""
    rows = engine.fetch(
        f"SELECT id_r AS v, (id = '') AS e, count(*) AS c FROM {PARSED} WHERE id_p "
        f"GROUP BY id_r, (id = '') ORDER BY c DESC, {engine.dialect.by_code_point('id_r')}"
    ).to_pylist()
    return [(str(row["v"]), bool(row["e"]), int(row["c"])) for row in rows]
