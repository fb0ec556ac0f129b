"""Counting queries: frequency tables, ranks, bins, grouped counts, levels, the map, kinds.

Exact quantiles read the ranks they need from frequency tables; histograms and the map count
bin indexes; the levels and the rate/year checks count per column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from generator.engine.dialect import Dialect, lit
from generator.engine.sql.rows import ORIGINAL_SCALE


def rank_rows(
    relation: str, parts: Sequence[tuple[str, str]], wanted: str, whole: bool = False
) -> str:
    """The rows of frequency tables that hold the wanted ranks of each (part, group).

    For each part ``(group, value)`` a table ``(group, value, count)`` is built on the engine,
    all of them in one scan (``GROUPING SETS``), cumulated in value order, and only the rows
    whose 0-based rank range ``[lo, hi)`` holds a wanted rank come back: exact quantiles of
    several columns from a handful of rows. ``wanted``: a condition on ``p``, ``g``, ``lo``
    and ``hi``. Values must not be NULL (the checked customers have none).

    With ``whole`` each row also has ``plo`` and ``phi``: its value's rank range among every
    group of its part, cumulated from the groups' tables (``wanted`` may test them), so the
    quantiles of everyone need no table of their own.
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
        f"count(*) AS c FROM (SELECT {inner} FROM {relation}) AS q GROUP BY GROUPING SETS ({sets})"
    )
    window = "PARTITION BY p, g ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    everyone = "PARTITION BY p ORDER BY v RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    ranks = (
        f", sum(c) OVER ({everyone}) - sum(c) OVER (PARTITION BY p, v) AS plo, "
        f"sum(c) OVER ({everyone}) AS phi"
        if whole
        else ""
    )
    cumulated = (
        f"SELECT p, g, v, sum(c) OVER ({window}) - c AS lo, sum(c) OVER ({window}) AS hi{ranks} "
        f"FROM ({tables}) AS q"
    )
    more = ", plo, phi" if whole else ""
    return f"SELECT p, g, v, lo, hi{more} FROM ({cumulated}) AS q WHERE {wanted} ORDER BY p, g, v"


def wanted_ranks(
    ranks: Mapping[tuple[int, int], Sequence[int]],
    everyone: Mapping[int, Sequence[int]] | None = None,
) -> str:
    """The condition of ``rank_rows`` for the given ranks of each (part, group).

    ``everyone``: ranks among every group of a part (``rank_rows``' ``plo`` and ``phi``).
    """
    conditions = []
    for (part, group), wanted in sorted(ranks.items()):
        any_rank = " OR ".join(f"(lo <= {r} AND {r} < hi)" for r in sorted(set(wanted)))
        conditions.append(f"(p = {part} AND g = {group} AND ({any_rank}))")
    for part, wanted in sorted((everyone or {}).items()):
        any_rank = " OR ".join(f"(plo <= {r} AND {r} < phi)" for r in sorted(set(wanted)))
        conditions.append(f"(p = {part} AND ({any_rank}))")
    return " OR ".join(conditions) if conditions else "FALSE"


def bin_index(value: str, edges: np.ndarray, whole: bool = False) -> str:
    """Numpy's histogram bin of ``value``: how many inner edges are <= it (last bin closed).

    ``whole``: the values are whole numbers (and never NULL). With whole-number edges a step
    apart, ``floor((value - first) / step)`` is then exact (an integer quotient is never
    rounded across a whole number), so the bin is one division instead of a search.

    A binary search written as nested ``CASE``s, so a row is compared with about log2(bins)
    edges instead of every one. Every test is ``value >= edge`` and a failed or NULL test goes
    to the lower half, so NaN (above every number in both engines) lands in the last bin and
    NULL in the first, as when the inner edges were counted one by one.
    """
    step = float(edges[1] - edges[0]) if len(edges) > 1 else 0.0
    exact = np.all(edges == np.round(edges)) and np.all(np.diff(edges) == step)
    if whole and exact and step > 0 and np.abs(edges).max() < 2.0**52:
        last = len(edges) - 2
        return f"least(CAST(floor(({value} - {lit(edges[0])}) / {lit(step)}) AS INTEGER), {last})"
    inner = [lit(e) for e in edges[1:-1]]

    def search(low: int, high: int) -> str:
        # The count is known to be in [low, high]: value >= inner[low - 1], < inner[high].
        if low == high:
            return str(low)
        mid = (low + high) // 2
        return (
            f"CASE WHEN {value} >= {inner[mid]} THEN {search(mid + 1, high)} "
            f"ELSE {search(low, mid)} END"
        )

    return search(0, len(inner))


def grouped_counts(
    relation: str, keys: Sequence[str], d: Dialect, joint: Sequence[str] = ()
) -> str:
    """Rows per combination of the ``joint`` keys and per value of each other key, in one scan.

    One ``GROUP BY`` of every joint key together is one hash table where a grouping set per
    key is one each; the caller keeps ``joint`` to keys of few values. Returns ``s`` (-1 for
    a combination of the joint keys, else the index of the key in ``keys``), ``j<i>`` (each
    joint key's value as text), ``k0`` (the key's value as text) and ``c`` (the count).
    """
    inner = [f"{expr} AS j{i}" for i, expr in enumerate(joint)]
    inner += [f"{expr} AS a{i}" for i, expr in enumerate(keys)]
    sets = [f"({', '.join(f'j{i}' for i in range(len(joint)))})"] if joint else []
    sets += [f"(a{i})" for i in range(len(keys))]
    value = " ".join(
        f"WHEN grouping(a{i}) = 0 THEN CAST(a{i} AS {d.text_type})" for i in range(len(keys))
    )
    which = " ".join(f"WHEN grouping(a{i}) = 0 THEN {i}" for i in range(len(keys)))
    items = [
        f"CASE {which} ELSE -1 END AS s" if keys else "-1 AS s",
        f"CASE {value} ELSE NULL END AS k0" if keys else "NULL AS k0",
        *(f"CAST(j{i} AS {d.text_type}) AS j{i}" for i in range(len(joint))),
    ]
    grouped = f"GROUPING SETS ({', '.join(sets)})" if keys else sets[0][1:-1]
    source = f"SELECT {', '.join(inner)} FROM {relation}"
    return f"SELECT {', '.join(items)}, count(*) AS c FROM ({source}) AS q GROUP BY {grouped}"


def counts(relation: str, group: str, value: str) -> str:
    """Rows per (group, value) as ``g, v, c``, e.g. category counts per segment."""
    inner = f"SELECT {group} AS g, {value} AS v FROM {relation}"
    return f"SELECT g, v, count(*) AS c FROM ({inner}) AS q GROUP BY g, v ORDER BY g, v"


def level_counts(
    relation: str, values: Sequence[str], bounds: Sequence[float] | None, d: Dialect
) -> str:
    """Per column ``p`` and segment ``g``: what ``analysis.levels`` reads from every customer.

    From one ``(segment, value, count)`` table per column (one scan, ``GROUPING SETS``):
    ``n`` customers, ``s`` the sum of the column (fixed point, as ``exact_sum``), ``top`` at
    the column's maximum, ``zeros`` at exactly 0, ``ones`` at 1 or below, ``mid`` strictly
    between its minimum and maximum, and ``lowest`` the column's minimum. ``relation`` has a
    ``segment`` column; values must not be NULL (the checked customers have none).

    ``bounds``: the largest magnitude of each column's values, when known. When every one
    leaves room in 18 digits (as ``exact_sum``), ``s`` is summed from the tables as count
    times value, the same exact digits without a 38-digit sum over every row.
    """
    n = len(values)
    inner = ", ".join(f"{v} AS v{i}" for i, v in enumerate(values))
    sets = ", ".join(f"(segment, v{i})" for i in range(n))

    def pick(item: str) -> str:
        whens = " ".join(f"WHEN grouping(v{i}) = 0 THEN {item.format(i=i)}" for i in range(n))
        return f"CASE {whens} ELSE NULL END"

    short = bounds is not None and all(2 * b < 10.0 ** (18 - ORIGINAL_SCALE) for b in bounds)
    if short:
        # A table's value is one number: count times value, both within 19 + 18 < 38 digits.
        summed = f"CAST(c AS DECIMAL(19, 0)) * CAST(v AS DECIMAL(18, {ORIGINAL_SCALE}))"
    else:
        fixed = f"DECIMAL(38, {ORIGINAL_SCALE})"
        summed = pick(f"sum(CAST(v{{i}} AS {fixed}))")
    whens = " ".join(f"WHEN grouping(v{i}) = 0 THEN {i}" for i in range(n))
    per_row = "" if short else f", {summed} AS s"
    tables = (
        f"SELECT CASE {whens} ELSE -1 END AS p, segment AS g, {pick('v{i}')} AS v, "
        f"count(*) AS c{per_row} "
        f"FROM (SELECT segment, {inner} FROM {relation}) AS q "
        f"GROUP BY GROUPING SETS ({sets})"
    )
    if short:
        tables = f"SELECT p, g, v, c, {summed} AS s FROM ({tables}) AS q"
    windowed = (
        "SELECT p, g, v, c, s, "
        "min(v) OVER (PARTITION BY p) AS low, max(v) OVER (PARTITION BY p) AS high "
        f"FROM ({tables}) AS q"
    )
    return (
        f"SELECT p, g, sum(c) AS n, {d.double('sum(s)')} AS s, "
        "sum(CASE WHEN v = high THEN c ELSE 0 END) AS top, "
        "sum(CASE WHEN v = 0e0 THEN c ELSE 0 END) AS zeros, "
        "sum(CASE WHEN v <= 1e0 THEN c ELSE 0 END) AS ones, "
        "sum(CASE WHEN v > low AND v < high THEN c ELSE 0 END) AS mid, min(low) AS lowest "
        f"FROM ({windowed}) AS q GROUP BY p, g ORDER BY p, g"
    )


def rank_class(value: str, numbers: Sequence[float]) -> str:
    """How many of the tests ``value >= n0``, ``value > n0``, ``value >= n1``... ``value`` passes.

    ``numbers`` ascending. A value passing a test passes every one before it, so a binary
    search (as ``bin_index``) finds the count in about log2 of their number comparisons. The
    rows below ``numbers[i]`` are those of class at most ``2i``; at or below it, ``2i + 1``.
    """
    tests = [(op, lit(n)) for n in numbers for op in (">=", ">")]

    def search(low: int, high: int) -> str:
        if low == high:
            return str(low)
        mid = (low + high) // 2
        op, number = tests[mid]
        return (
            f"CASE WHEN {value} {op} {number} THEN {search(mid + 1, high)} "
            f"ELSE {search(low, mid)} END"
        )

    return search(0, len(tests))


def map_cells(
    relation: str,
    values: Sequence[str],
    inside: Sequence[tuple[float, float]],
    grid: Sequence[tuple[float, float]],
    cuts: Sequence[np.ndarray],
    closed: bool,
    classes: Sequence[str] = (),
) -> str:
    """Customers inside the map's axes or not, per cell of its grid, and per class (one scan).

    Per axis ``a``: ``values[a]`` is drawn when within ``inside[a]`` (both ends included) and
    counted in the grid when ``grid[a][0] <= value`` and below ``grid[a][1]`` (or at it, with
    ``closed``), in the cell ``bin_index(value, cuts[a])``. Rows with ``s`` -1 give ``inside``
    (1 or 0), ``cx`` and ``cy`` (the cell, -1 outside the grid) and ``c`` (the count); rows
    with ``s`` = ``i`` count the customers of each value ``r`` of ``classes[i]`` (e.g. a
    ``rank_class``), in the same scan (``GROUPING SETS``).
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
    cells = "".join(
        f", CASE WHEN {drawn} AND {counted} THEN {bin_index(v, e)} ELSE -1 END AS segments_c{axis}"
        for v, e, axis in zip(values, cuts, "xy", strict=True)
    )
    n = len(classes)
    ranked = "".join(f", {expr} AS segments_r{i}" for i, expr in enumerate(classes))
    inner = (
        f"SELECT CASE WHEN {drawn} THEN 1 ELSE 0 END AS segments_in{cells}{ranked} FROM {relation}"
    )
    sets = ", ".join(
        ["(segments_in, segments_cx, segments_cy)", *(f"(segments_r{i})" for i in range(n))]
    )
    which = "".join(f" WHEN grouping(segments_r{i}) = 0 THEN {i}" for i in range(n))
    value = "".join(f" WHEN grouping(segments_r{i}) = 0 THEN segments_r{i}" for i in range(n))
    s, r = (f"CASE{which} ELSE -1 END", f"CASE{value} ELSE -1 END") if n else ("-1", "-1")
    return (
        f"SELECT {s} AS s, segments_in AS inside, segments_cx AS cx, "
        f"segments_cy AS cy, {r} AS r, count(*) AS c FROM ({inner}) AS q "
        f"GROUP BY GROUPING SETS ({sets}) ORDER BY s, inside, cx, cy, r"
    )


def between(bounds: Sequence[tuple[int, str, float, float]]) -> list[str]:
    """Aggregates: per ``(i, value, low, high)``, rows strictly between the two (``sb<i>``)."""
    return [
        f"sum(CASE WHEN {v} > {lit(low)} AND {v} < {lit(high)} THEN 1 ELSE 0 END) AS sb{i}"
        for i, v, low, high in bounds
    ]


def not_binary(values: Sequence[tuple[int, str]]) -> list[str]:
    """Aggregates: per ``(i, value)``, rows where it is neither 0 nor 1 (``nb<i>``)."""
    return [f"sum(CASE WHEN {v} IN (0e0, 1e0) THEN 0 ELSE 1 END) AS nb{i}" for i, v in values]


def not_whole(values: Sequence[tuple[int, str]]) -> list[str]:
    """Aggregates: per ``(i, value)``, rows where it is not a whole number (``nw<i>``)."""
    return [f"sum(CASE WHEN floor({v}) = {v} THEN 0 ELSE 1 END) AS nw{i}" for i, v in values]
