"""Every query the engines run, built in one place from a few dialect words.

Relations are named by the callers (the customer view, or a sub-select); columns are quoted
with the dialect. Numbers go in as double literals (``dialect.lit``), so the engines compute in
IEEE doubles like numpy does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from generator.engine.dialect import Dialect, lit

SAMPLE_HASH = "sample_hash"
# Sums are taken in fixed point: a double sum depends on the order the engine adds rows in
# (threads, files, partitions), and then the same table would publish other last digits.
# 38 digits with 10 after the point hold sums up to 1e28; scaled features get 15.
ORIGINAL_SCALE = 10
SCALED_SCALE = 15


def exact_sum(expr: str, scale: int = ORIGINAL_SCALE) -> str:
    """``sum(expr)`` in fixed point, so its value does not depend on the order of the rows."""
    return f"CAST(sum(CAST({expr} AS DECIMAL(38, {scale}))) AS DOUBLE)"


def sample(d: Dialect, relation: str, columns: Sequence[str], seed: int, rows: int) -> str:
    """The ``rows`` customers with the smallest hash of their ID and ``seed``.

    The same customers in every engine (an MD5, not the engine's own hash), whatever the
    order of the rows or the number of files and partitions.
    """
    key = d.hash64(f"concat(id, {d.text(f':{seed}')})")
    listed = ", ".join(d.quote(c) for c in columns)
    return (
        f"SELECT {listed} FROM (SELECT {listed}, {key} AS {SAMPLE_HASH} FROM {relation}) "
        f"ORDER BY {SAMPLE_HASH}, id LIMIT {int(rows)}"
    )


def scaled(
    d: Dialect, columns: Sequence[str], center: np.ndarray, scale: np.ndarray, log1p: bool
) -> str:
    """``SELECT`` items ``z0, z1...``: each feature as ``(x - center) / scale`` (after log1p)."""
    out = []
    for i, (column, c, s) in enumerate(zip(columns, center, scale, strict=True)):
        value = d.log1p(d.quote(column)) if log1p else d.quote(column)
        out.append(f"(({value} - {lit(c)}) / {lit(s)}) AS z{i}")
    return ", ".join(out)


def nearest(centres: np.ndarray) -> str:
    """The index of the nearest centre to ``(z0, z1...)``: a CASE over linear scores.

    ``|z - c|^2 = |z|^2 - 2 z.c + |c|^2`` and ``|z|^2`` is the same for every centre, so the
    nearest centre has the lowest ``|c|^2 - 2 z.c``. Ties go to the lower index, as in
    scikit-learn. The CASE has an ELSE: without one a Spark query ran ten times slower.
    """
    scores = []
    for centre in centres:
        terms = " + ".join(f"{lit(-2.0 * v)} * z{f}" for f, v in enumerate(centre))
        scores.append(f"({lit(float(np.dot(centre, centre)))} + {terms})")
    k = len(scores)
    if k == 1:
        return "0"
    low = f"least({', '.join(scores)})"
    whens = " ".join(f"WHEN {scores[j]} = {low} THEN {j}" for j in range(k - 1))
    return f"CASE {whens} ELSE {k - 1} END"


def labelled(relation: str, scaled_items: str, centres: np.ndarray, keep: Sequence[str]) -> str:
    """Every customer with its segment (``segment``), the scaled features and ``keep`` columns."""
    kept = "".join(f", {c}" for c in keep)
    inner = f"SELECT {scaled_items}{kept} FROM {relation}"
    return f"SELECT {nearest(centres)} AS segment, * FROM ({inner})"


def lloyd_step(labelled_sql: str, n_features: int) -> str:
    """One Lloyd update: each segment's size and the sums of its scaled features (``s<f>``)."""
    means = ", ".join(f"{exact_sum(f'z{f}', SCALED_SCALE)} AS s{f}" for f in range(n_features))
    return (
        f"SELECT segment, count(*) AS n, {means} FROM ({labelled_sql}) "
        "GROUP BY segment ORDER BY segment"
    )


def group_means(labelled_sql: str, columns: Sequence[str], d: Dialect) -> str:
    """Each segment's size and the sum of each column (``a<i>``)."""
    means = "".join(f", {exact_sum(d.quote(c))} AS a{i}" for i, c in enumerate(columns))
    return (
        f"SELECT segment, count(*) AS n{means} FROM ({labelled_sql}) "
        "GROUP BY segment ORDER BY segment"
    )


def rank_rows(relation: str, parts: Sequence[tuple[str, str]], wanted: str) -> str:
    """The rows of frequency tables that hold the wanted ranks of each (part, group).

    For each part ``(group, value)`` a table ``(group, value, count)`` is built on the engine,
    all of them in one scan (``GROUPING SETS``), cumulated in value order, and only the rows
    whose 0-based rank range ``[lo, hi)`` holds a wanted rank come back: exact quantiles of
    several columns from a handful of rows. ``wanted``: a condition on ``p``, ``g``, ``lo``
    and ``hi``. Values must not be NULL (the checked customers have none).
    """
    n = len(parts)
    inner = ", ".join(f"{g} AS g{i}, {v} AS v{i}" for i, (g, v) in enumerate(parts))
    sets = ", ".join(f"(g{i}, v{i})" for i in range(n))

    def pick(column: str) -> str:
        whens = " ".join(f"WHEN grouping(v{i}) = 0 THEN {column}{i}" for i in range(n))
        return f"CASE {whens} ELSE NULL END"

    whens = " ".join(f"WHEN grouping(v{i}) = 0 THEN {i}" for i in range(n))
    tables = (
        f"SELECT CASE {whens} ELSE -1 END AS p, {pick('g')} AS g, {pick('v')} AS v, "
        f"count(*) AS c FROM (SELECT {inner} FROM {relation}) GROUP BY GROUPING SETS ({sets})"
    )
    window = "PARTITION BY p, g ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    cumulated = (
        f"SELECT p, g, v, sum(c) OVER ({window}) - c AS lo, sum(c) OVER ({window}) AS hi "
        f"FROM ({tables})"
    )
    return f"SELECT p, g, v, lo, hi FROM ({cumulated}) WHERE {wanted} ORDER BY p, g, v"


def wanted_ranks(ranks: Mapping[tuple[int, int], Sequence[int]]) -> str:
    """The condition of ``rank_rows`` for the given ranks of each (part, group)."""
    conditions = []
    for (part, group), wanted in sorted(ranks.items()):
        any_rank = " OR ".join(f"(lo <= {r} AND {r} < hi)" for r in sorted(set(wanted)))
        conditions.append(f"(p = {part} AND g = {group} AND ({any_rank}))")
    return " OR ".join(conditions) if conditions else "FALSE"


def bin_index(value: str, edges: np.ndarray) -> str:
    """Numpy's histogram bin of ``value``: how many inner edges are <= it (last bin closed)."""
    terms = " + ".join(f"CASE WHEN {value} >= {lit(e)} THEN 1 ELSE 0 END" for e in edges[1:-1])
    return terms or "0"


def grouped_counts(relation: str, keys: Sequence[tuple[str, ...]], d: Dialect) -> str:
    """Rows per value of each key tuple, all in one scan (``GROUPING SETS``).

    Returns ``s`` (the index of the key tuple), ``k0`` and ``k1`` (its values as text; ``k1``
    NULL for a single key) and ``c`` (the count).
    """
    inner = []
    sets = []
    for i, key in enumerate(keys):
        names = [f"a{i}_{j}" for j in range(len(key))]
        inner += [f"{expr} AS {name}" for expr, name in zip(key, names, strict=True)]
        sets.append(f"({', '.join(names)})")

    def pick(j: int) -> str:
        whens = " ".join(
            f"WHEN grouping(a{i}_0) = 0 THEN CAST(a{i}_{j} AS {d.text_type})"
            for i, key in enumerate(keys)
            if j < len(key)
        )
        return f"CASE {whens} ELSE NULL END"

    which = " ".join(f"WHEN grouping(a{i}_0) = 0 THEN {i}" for i in range(len(keys)))
    return (
        f"SELECT CASE {which} ELSE -1 END AS s, {pick(0)} AS k0, {pick(1)} AS k1, count(*) AS c "
        f"FROM (SELECT {', '.join(inner)} FROM {relation}) "
        f"GROUP BY GROUPING SETS ({', '.join(sets)})"
    )


def counts(relation: str, group: str, value: str) -> str:
    """Rows per (group, value) as ``g, v, c``, e.g. category counts per segment."""
    inner = f"SELECT {group} AS g, {value} AS v FROM {relation}"
    return f"SELECT g, v, count(*) AS c FROM ({inner}) GROUP BY g, v ORDER BY g, v"


def level_counts(relation: str, values: Sequence[str]) -> str:
    """Per column ``p`` and segment ``g``: what ``analysis.levels`` reads from every customer.

    From one ``(segment, value, count)`` table per column (one scan, ``GROUPING SETS``):
    ``n`` customers, ``s`` the sum of the column (fixed point, as ``exact_sum``), ``r`` the sum
    of each customer's rank ``below + at_or_below`` (``levels``' mid-rank, times two, over every
    customer), ``top`` at the column's maximum, ``zeros`` at exactly 0, ``mid`` strictly
    between its minimum and maximum, and ``lowest`` the column's minimum. ``relation`` has a
    ``segment`` column; values must not be NULL (the checked customers have none).
    """
    n = len(values)
    inner = ", ".join(f"{v} AS v{i}" for i, v in enumerate(values))
    sets = ", ".join(f"(segment, v{i})" for i in range(n))

    def pick(item: str) -> str:
        whens = " ".join(f"WHEN grouping(v{i}) = 0 THEN {item.format(i=i)}" for i in range(n))
        return f"CASE {whens} ELSE NULL END"

    fixed = f"DECIMAL(38, {ORIGINAL_SCALE})"
    whens = " ".join(f"WHEN grouping(v{i}) = 0 THEN {i}" for i in range(n))
    tables = (
        f"SELECT CASE {whens} ELSE -1 END AS p, segment AS g, {pick('v{i}')} AS v, "
        f"count(*) AS c, {pick(f'sum(CAST(v{{i}} AS {fixed}))')} AS s "
        f"FROM (SELECT segment, {inner} FROM {relation}) "
        f"GROUP BY GROUPING SETS ({sets})"
    )
    upto = "PARTITION BY p ORDER BY v RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    windowed = (
        f"SELECT p, g, v, c, s, sum(c) OVER (PARTITION BY p, v) AS cv, sum(c) OVER ({upto}) AS hi, "
        "min(v) OVER (PARTITION BY p) AS low, max(v) OVER (PARTITION BY p) AS high "
        f"FROM ({tables})"
    )
    return (
        "SELECT p, g, sum(c) AS n, CAST(sum(s) AS DOUBLE) AS s, sum(c * (2 * hi - cv)) AS r, "
        "sum(CASE WHEN v = high THEN c ELSE 0 END) AS top, "
        "sum(CASE WHEN v = 0e0 THEN c ELSE 0 END) AS zeros, "
        "sum(CASE WHEN v > low AND v < high THEN c ELSE 0 END) AS mid, min(low) AS lowest "
        f"FROM ({windowed}) GROUP BY p, g ORDER BY p, g"
    )


def below_counts(relation: str, items: Sequence[tuple[str, float]]) -> str:
    """For each ``(value expression, number)``: rows below it (``b<i>``) and at or below (``u<i>``).

    A number's mid-rank among every row, in one scan.
    """
    counted = []
    for i, (value, number) in enumerate(items):
        counted.append(f"sum(CASE WHEN {value} < {lit(number)} THEN 1 ELSE 0 END) AS b{i}")
        counted.append(f"sum(CASE WHEN {value} <= {lit(number)} THEN 1 ELSE 0 END) AS u{i}")
    return f"SELECT {', '.join(counted)} FROM {relation}"


def map_cells(
    relation: str,
    values: Sequence[str],
    inside: Sequence[tuple[float, float]],
    grid: Sequence[tuple[float, float]],
    cuts: Sequence[np.ndarray],
    closed: bool,
) -> str:
    """Customers inside the map's axes or not, and per cell of its grid (one scan).

    Per axis ``a``: ``values[a]`` is drawn when within ``inside[a]`` (both ends included) and
    counted in the grid when ``grid[a][0] <= value`` and below ``grid[a][1]`` (or at it, with
    ``closed``), in the cell ``bin_index(value, cuts[a])``. Returns ``inside`` (1 or 0), ``cx``
    and ``cy`` (the cell, -1 outside the grid) and ``c`` (the count).
    """
    drawn = " AND ".join(
        f"{v} >= {lit(low)} AND {v} <= {lit(high)}"
        for v, (low, high) in zip(values, inside, strict=True)
    )
    top = "<=" if closed else "<"
    counted = " AND ".join(
        f"{v} >= {lit(low)} AND {v} {top} {lit(high)}"
        for v, (low, high) in zip(values, grid, strict=True)
    )
    cells = ", ".join(
        f"CASE WHEN {drawn} AND {counted} THEN {bin_index(v, e)} ELSE -1 END AS c{axis}"
        for v, e, axis in zip(values, cuts, "xy", strict=True)
    )
    inner = f"SELECT CASE WHEN {drawn} THEN 1 ELSE 0 END AS inside, {cells} FROM {relation}"
    return (
        f"SELECT inside, cx, cy, count(*) AS c FROM ({inner}) "
        "GROUP BY inside, cx, cy ORDER BY inside, cx, cy"
    )


def extremes(relation: str, values: Sequence[str]) -> str:
    """Each value's minimum (``lo<i>``) and maximum (``hi<i>``)."""
    items = ", ".join(f"min({v}) AS lo{i}, max({v}) AS hi{i}" for i, v in enumerate(values))
    return f"SELECT {items} FROM {relation}"


def strictly_between(relation: str, bounds: Sequence[tuple[str, float, float]]) -> str:
    """Per ``(value, low, high)``: rows strictly between ``low`` and ``high`` (``n<i>``)."""
    items = ", ".join(
        f"sum(CASE WHEN {v} > {lit(low)} AND {v} < {lit(high)} THEN 1 ELSE 0 END) AS n{i}"
        for i, (v, low, high) in enumerate(bounds)
    )
    return f"SELECT {items} FROM {relation}"


def kinds(relation: str, values: Sequence[str]) -> str:
    """Per value: rows that are not 0 or 1 (``nb<i>``), not whole (``nw<i>``), min and max."""
    items = []
    for i, v in enumerate(values):
        items.append(f"sum(CASE WHEN {v} IN (0e0, 1e0) THEN 0 ELSE 1 END) AS nb{i}")
        items.append(f"sum(CASE WHEN round({v}, 0) = {v} THEN 0 ELSE 1 END) AS nw{i}")
        items.append(f"min({v}) AS lo{i}, max({v}) AS hi{i}")
    return f"SELECT count(*) AS n, {', '.join(items)} FROM {relation}"
