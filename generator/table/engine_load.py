"""Load a table that stays in an engine: check it there, measure it there, sample it here.

The result is a ``CustomerTable`` whose ``frame`` is the bounded sample the driver works on
(the ``sample_size`` customers with the smallest hash of ID and seed, in ID order) and whose
``whole`` holds what was measured over every row (counts, histograms, the map's grid).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from generator.config.settings import Config
from generator.engine import sql
from generator.engine.session import CUSTOMERS, SOURCE, Engine
from generator.errors import DataError, collect
from generator.model import CustomerTable, FrozenMap, LeftOut, SourceInfo, WholeTable
from generator.table import engine_placeholders as stand_ins
from generator.table.bins import round_edges
from generator.table.columns import resolve_columns
from generator.table.engine_checks import (
    NA_TOKENS,
    PARSED,
    Column,
    is_integer_type,
    is_numeric_type,
    problems,
)
from generator.table.personal import warn_personal
from generator.table.read import file_sha256

BINS = 20
JOINT_GROUPS = 100_000  # the most bin combinations the histograms' one GROUP BY may make
OTHER = "Other"  # as analysis.categories.OTHER (the table stage is below it)
WHOLE_ID = re.compile(r"^(0|[1-9]\d{0,17})$")
DROP_HINT = "set data.missing: drop to drop rows with missing values"


def reopen(config: Config, engine: Engine, whole: WholeTable) -> None:
    """Register the source again and the views that check it (after ``load_whole``)."""
    engine.register(config)
    for name, query in whole.views:
        engine.view(name, query)


def load_whole(config: Config, engine: Engine) -> CustomerTable:
    """Register, check and measure the configured table on ``engine``; sample it.

    Raises:
        DataError: Listing every broken rule (first offending IDs of each).
    """
    header = engine.register(config)
    checked = _check(config, engine, header)
    whole = _measured(config, engine, checked)
    source = SourceInfo(
        path=config.data_path,
        sha256=_fingerprint(engine, config, checked.columns),
        rows_read=int(checked.facts["rows_read"]),
        columns=tuple(name for name, _ in header),
        notes=checked.notes,
        rows_dropped=int(checked.facts["dropped"]),
        left_out=checked.left_out,
        table=config.engine.table or ("data.sql" if config.engine.sql else ""),
    )
    frame = _sample(engine, config, checked.columns, whole, checked.integer_ids)
    return CustomerTable(
        frame,
        source,
        config.id_column,
        config.feature_columns,
        config.describe,
        whole,
        outcomes=config.outcome_columns,
    )


@dataclass(frozen=True)
class _Checked:
    """A table that passed the checks: its columns, facts and the view that parses it."""

    columns: list[Column]
    facts: dict[str, Any]
    notes: tuple[str, ...]
    parsed: str
    integer_ids: bool
    left_out: tuple[LeftOut, ...]


def _check(config: Config, engine: Engine, header: list[tuple[str, str]]) -> _Checked:
    """Resolve the columns, parse every row (view ``PARSED``) and check every rule."""
    where = engine.where(config)
    found, notes = resolve_columns([name for name, _ in header], config, where)
    columns = _columns(engine, config, header, found)
    warn_personal(where, ((c.name, None) for c in columns))  # by name: the rows stay there
    id_source = header[found[config.id_column]]
    parsed, facts = stand_ins.parse(engine, config, id_source, columns)
    integer_ids = is_integer_type(id_source[1])
    found_problems = stand_ins.placeholder_problems(engine, config, facts)
    found_problems += problems(engine, config, columns, facts, integer_ids)
    missing = any(facts[f"m{i}"] for i in range(len(columns))) or facts["id_p"]
    hint = DROP_HINT + stand_ins.placeholder_hint(facts) if missing else ""
    collect(DataError, where, found_problems, 20, hint if config.missing == "error" else "")
    _check_spread(config, columns, facts, int(facts["rows_read"]) - int(facts["dropped"]), where)
    left = stand_ins.left_out(engine, config, facts)
    return _Checked(columns, facts, tuple(notes), parsed, integer_ids, left)


def _measured(config: Config, engine: Engine, checked: _Checked) -> WholeTable:
    """Histograms and categories over every row; rare values pooled (view ``CUSTOMERS``)."""
    columns, facts = checked.columns, checked.facts
    engine.view(CUSTOMERS, customers_sql(engine, columns))
    n = int(facts["rows_read"]) - int(facts["dropped"])
    whole = _measure(engine, columns, facts, n)
    # An outcome's values are never published as labels, only its rates (privacy-checked
    # then), so its positive value is never pooled away.
    rare = {
        c: [v for v, m in pairs.items() if m < config.privacy.min_group_size]
        if c not in config.outcome_columns
        else []
        for c, pairs in whole.categories.items()
    }
    if any(rare.values()):
        engine.view(CUSTOMERS, customers_sql(engine, columns, rare))
        whole = replace(whole, categories=_pooled(whole.categories, rare))
    views = ((PARSED, checked.parsed), (CUSTOMERS, customers_sql(engine, columns, rare)))
    return replace(whole, views=views)


def _columns(
    engine: Engine, config: Config, header: list[tuple[str, str]], found: dict[str, int]
) -> list[Column]:
    """Features are numbers; a describe column is one when typed, bounded or all numbers."""
    out = []
    undecided = []
    for name in (*config.feature_columns, *config.profiled):
        source, kind = header[found[name]]
        rule = config.rule_for(name)
        typed = is_numeric_type(kind)
        bounded = rule.minimum is not None or rule.maximum is not None
        if name in config.feature_columns or typed or bounded:
            out.append(Column(name, source, "number", typed, is_integer_type(kind)))
        elif rule.allowed or rule.values:
            out.append(Column(name, source, "category", False))
        else:
            undecided.append(len(out))
            out.append(Column(name, source, "category", False))
    if undecided:
        out = _decide(engine, out, undecided)
    return out


def _decide(engine: Engine, columns: list[Column], undecided: list[int]) -> list[Column]:
    """Text columns holding only numbers (or missing cells) are numbers."""
    d = engine.dialect
    items = []
    for i in undecided:
        raw = f"trim(CAST({d.quote(columns[i].source)} AS {d.text_type}))"
        tokens = ", ".join(d.text(t) for t in NA_TOKENS)
        text = f"{raw} IS NOT NULL AND lower({raw}) NOT IN ({tokens})"
        bad = f"{text} AND {d.try_double(raw)} IS NULL"
        items.append(f"sum(CASE WHEN {bad} THEN 1 ELSE 0 END) AS t{i}")
    row = engine.fetch(f"SELECT {', '.join(items)} FROM {SOURCE}").to_pylist()[0]
    return [
        Column(c.name, c.source, "number", False) if i in undecided and not row[f"t{i}"] else c
        for i, c in enumerate(columns)
    ]


def customers_sql(
    engine: Engine, columns: Sequence[Column], rare: dict[str, list[str]] | None = None
) -> str:
    """The checked customers: ``id`` and every configured column under its own name.

    A category value fewer than ``privacy.min_group_size`` customers share (``rare``) becomes
    "Other", as ``analysis.categories`` pools it for a table in memory.
    """
    d = engine.dialect
    items = []
    for i, c in enumerate(columns):
        pooled = (rare or {}).get(c.name, [])
        value = f"v{i}"
        if pooled:
            listed = ", ".join(d.text(v) for v in pooled)
            value = f"CASE WHEN v{i} IN ({listed}) THEN {d.text(OTHER)} ELSE v{i} END"
        items.append(f"{value} AS {d.quote(c.name)}")
    return f"SELECT id, id_key, {', '.join(items)} FROM {PARSED} WHERE keep"


def _pooled(
    categories: FrozenMap[str, FrozenMap[str, int]], rare: dict[str, list[str]]
) -> FrozenMap[str, FrozenMap[str, int]]:
    """Category counts with the rare values pooled as "Other", listed last."""
    out = {}
    for column, pairs in categories.items():
        kept = {v: c for v, c in pairs.items() if v not in rare[column] and v != OTHER}
        other = sum(c for v, c in pairs.items() if v in rare[column] or v == OTHER)
        out[column] = FrozenMap({**kept, OTHER: other} if other else kept)
    return FrozenMap(out)


def _check_spread(
    config: Config, columns: Sequence[Column], facts: dict[str, float], n: int, where: str
) -> None:
    """The checks of ``validation._check_spread``, on the engine's minimum and maximum."""
    found = []
    for i, column in enumerate(columns):
        if column.name not in config.feature_columns:
            continue
        low, high = facts[f"lo{i}"], facts[f"hi{i}"]
        if low == high:
            found.append(
                f"column {column.name!r} has the same value ({low:g}) for every customer; "
                "a feature must vary to separate segments"
            )
        if config.scaling == "log" and low < 0:
            found.append(
                f"column {column.name!r} has negative values (min {low:g}); "
                "scaling 'log' expects values >= 0"
            )
    if n == 0:
        found.append("no customer rows left after dropping rows with missing values")
    elif config.k is not None and n < config.k:
        found.append(f"n_customers={n} should be >= k={config.k}")
    elif config.k is None and n <= config.k_min:
        found.append(f"n_customers={n} should be > k_min={config.k_min} to search for k")
    collect(DataError, where, found)


def _measure(
    engine: Engine, columns: Sequence[Column], facts: dict[str, float], n: int
) -> WholeTable:
    """Histograms and category counts over every row, in one scan."""
    d = engine.dialect
    numeric = [(i, c) for i, c in enumerate(columns) if c.kind == "number"]
    named = [c for c in columns if c.kind == "category"]
    # The published histograms' round-number edges.
    edges = [round_edges(facts[f"lo{i}"], facts[f"hi{i}"], BINS) for i, _ in numeric]
    bins = [
        sql.bin_index(d.quote(c.name), e, c.integer)
        for (_, c), e in zip(numeric, edges, strict=True)
    ]
    # The histograms' bins counted together while their combinations stay few (one hash table).
    joint = 0
    while joint < len(bins) and (BINS + 1) ** (joint + 1) <= JOINT_GROUPS:
        joint += 1
    keys = [*bins[joint:], *(d.quote(c.name) for c in named)]
    counts = [np.zeros(len(e) - 1, dtype=np.int64) for e in edges]
    values: list[list[tuple[str, int]]] = [[] for _ in named]
    query = sql.grouped_counts(CUSTOMERS, keys, d, bins[:joint])
    for row in engine.fetch(query).to_pylist():
        s, first, count = int(row["s"]) + joint, row["k0"], int(row["c"])
        if s < joint:
            for j in range(joint):
                counts[j][int(row[f"j{j}"])] += count
        elif s < len(numeric):
            counts[s][int(first)] = count
        else:
            values[s - len(numeric)].append((str(first), count))
    histograms = FrozenMap((c.name, (counts[j], edges[j])) for j, (_, c) in enumerate(numeric))
    categories = FrozenMap(
        (c.name, FrozenMap(sorted(v))) for c, v in zip(named, values, strict=True)
    )
    # The checks' pass measured them over the same customers (``keep``).
    extremes = FrozenMap(
        (c.name, (float(facts[f"lo{i}"]), float(facts[f"hi{i}"]))) for i, c in numeric
    )
    return WholeTable(n, histograms, categories, extremes, ())


def _fingerprint(engine: Engine, config: Config, columns: Sequence[Column]) -> str:
    """The file's SHA-256, or for a glob, folder, table or query a hash of its rows.

    The row hash is order-independent (a sum of each row's MD5 number), so the same rows in
    another order or split into other files give the same fingerprint.
    """
    path = config.data_path
    if not (config.engine.table or config.engine.sql) and path.is_file():
        return file_sha256(path)
    d = engine.dialect
    cells = ", ".join(f"coalesce(CAST({d.quote(c.name)} AS {d.text_type}), '')" for c in columns)
    row = d.hash64(f"concat_ws('|', id, {cells})")
    total = engine.fetch(
        f"SELECT count(*) AS n, CAST(sum(CAST({row} AS DECIMAL(38,0))) AS {d.text_type}) AS h "
        f"FROM {CUSTOMERS}"
    ).to_pylist()[0]
    return hashlib.sha256(f"engine:{total['n']}:{total['h']}".encode()).hexdigest()


def _sample(
    engine: Engine, config: Config, columns: Sequence[Column], whole: WholeTable, integer: bool
) -> pd.DataFrame:
    """The driver's sample, typed and ordered as ``validation`` orders a table in memory."""
    names = ["id", *(c.name for c in columns)]
    d = engine.dialect
    table = engine.fetch(
        sql.sample(d, CUSTOMERS, names, config.random_state, config.sample_size, integer)
    )
    frame = table.to_pandas()
    ids = frame.pop("id").astype(str)  # whole-number IDs come as numbers
    if ids.map(lambda v: bool(WHOLE_ID.match(v))).all():
        ids = ids.astype(np.int64)
    frame.insert(0, config.id_column, ids.to_numpy())
    levels = whole.categories
    for column in columns:
        if column.kind == "number":
            frame[column.name] = frame[column.name].astype(np.float64)
        else:
            values = list(levels[column.name])
            frame[column.name] = pd.Categorical(frame[column.name], categories=values)
    ordered: pd.DataFrame = frame.sort_values(config.id_column, kind="stable", ignore_index=True)
    return ordered
