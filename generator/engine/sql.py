"""Every query the engines run, built in one place from a few dialect words.

Relations are named by the callers (the customer view, or a sub-select); columns are quoted
with the dialect. Numbers go in as double literals (``dialect.lit``), so the engines compute in
IEEE doubles like numpy does.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence

import numpy as np

from generator.engine.dialect import Dialect, lit

SAMPLE_HASH = "sample_hash"
NEAREST = "segments_score"  # the assignment's columns: one score per centre and their minimum
# Sums are taken in fixed point: a double sum depends on the order the engine adds rows in
# (threads, files, partitions), and then the same table would publish other last digits.
# 38 digits with 10 after the point hold sums up to 1e28; scaled features get 15.
ORIGINAL_SCALE = 10
SCALED_SCALE = 15


def exact_sum(expr: str, scale: int = ORIGINAL_SCALE, bound: float = math.inf) -> str:
    """``sum(expr)`` in fixed point, so its value does not depend on the order of the rows.

    ``bound``: no value's magnitude is above it. When it leaves room in 18 digits (with a factor
    two to spare) each value is a DECIMAL(18): a 64-bit integer instead of a 128-bit one, half
    the cost of the cast at 100M rows. The same digits either way, and the sum is exact.
    """
    precision = 18 if 2 * bound < 10.0 ** (18 - scale) else 38
    return f"CAST(sum(CAST({expr} AS DECIMAL({precision}, {scale}))) AS DOUBLE)"


def sample(
    d: Dialect, relation: str, columns: Sequence[str], seed: int, rows: int, integer_ids: bool
) -> str:
    """The ``rows`` customers with the smallest sample key of their ID and ``seed``, as ``id``.

    The same customers in every engine (``sample_key``: arithmetic both engines compute alike,
    not the engine's own hash), whatever the order of the rows or the number of files and
    partitions. ``integer_ids``: the relation's ``id_key`` is a column of whole numbers.
    """
    # Whole-number IDs come back as numbers (the driver writes them as text): turning every
    # ID into text only to keep 20,000 of them cost more than hashing them.
    key = "id_key" if integer_ids else "id"
    others = "".join(f", {d.quote(c)}" for c in columns if c != "id")
    text = "" if integer_ids else ", id"
    keyed = layered(
        f"SELECT id_key{text}{others} FROM {relation}", sample_key(d, seed, integer_ids)
    )
    return (
        f"SELECT {key} AS id{others} FROM ({keyed}) ORDER BY {SAMPLE_HASH}, {key} LIMIT {int(rows)}"
    )


# The sample key's integer hash works on 32-bit words with multipliers below 2^31, so every
# product stays below 2^63: no overflow, which either engine would refuse.
MASK32 = 0xFFFFFFFF
MIX = (0x45D9F3B, 0x119DE1F3)


def sample_words(seed: int) -> tuple[int, int, int]:
    """Three 32-bit words of the seed that the sample key mixes in."""
    digest = hashlib.md5(f"segments-sample:{int(seed)}".encode()).digest()
    first, second, third = (int.from_bytes(digest[i : i + 4], "big") for i in (0, 4, 8))
    return first, second, third


def sample_key(d: Dialect, seed: int, integer_ids: bool) -> list[tuple[str, str]]:
    """The layers (name, expression) that compute ``sample_hash``, a 60-bit key of the ID.

    An ID written as a whole number (its text is the number's canonical form, which a column
    of integers always is) is hashed as that 64-bit number: a few multiply-shift rounds on its
    two 32-bit halves, about a tenth of the cost of an MD5. Any other ID keeps the first 60 bits
    of the MD5 of ``id:seed``. The key depends on the ID's text alone, so a table gives the same
    sample whether its IDs are stored as numbers or as text. Layers name each intermediate
    value once, as neither engine shares a repeated sub-expression reliably (``segments_h_*``,
    names no configured column is likely to have).
    """
    s1, s2, s3 = sample_words(seed)
    t = d.text_type
    number = "CAST(id_key AS BIGINT)" if integer_ids else "TRY_CAST(id AS BIGINT)"

    def spread(h: str) -> str:
        return d.xor(h, d.shift_right(h, 16))

    def mixed(h: str, multiplier: int) -> str:
        return f"(({spread(h)} * {multiplier}) & {MASK32})"

    layers = [
        ("segments_h_k", f"coalesce({number}, 0)"),
        ("segments_h_lo", d.xor(f"(segments_h_k & {MASK32})", str(s1))),
        ("segments_h_a1", mixed("segments_h_lo", MIX[0])),
        ("segments_h_a2", mixed("segments_h_a1", MIX[0])),
        ("segments_h_a", spread("segments_h_a2")),
        (
            "segments_h_b1",
            mixed(
                d.xor(
                    f"({d.shift_right('segments_h_k', 32)} & {MASK32})",
                    d.xor("segments_h_a", str(s2)),
                ),
                MIX[1],
            ),
        ),
        ("segments_h_b2", mixed("segments_h_b1", MIX[1])),
        ("segments_h_b", spread("segments_h_b2")),
        ("segments_h_c1", mixed(d.xor(d.xor("segments_h_a", "segments_h_b"), str(s3)), MIX[0])),
        ("segments_h_c2", mixed("segments_h_c1", MIX[0])),
        (
            "segments_h_int",
            f"((segments_h_b & {(1 << 28) - 1}) * {1 << 32} + {spread('segments_h_c2')})",
        ),
    ]
    if integer_ids:
        return [*layers, (SAMPLE_HASH, "segments_h_int")]
    canonical = f"CAST(TRY_CAST(id AS BIGINT) AS {t}) = id"
    text_key = d.hash64(f"concat(id, {d.text(f':{seed}')})")
    return [
        *layers,
        (SAMPLE_HASH, f"CASE WHEN {canonical} THEN segments_h_int ELSE {text_key} END"),
    ]


def layered(relation_sql: str, layers: Sequence[tuple[str, str]]) -> str:
    """``relation_sql`` with each layer's column added in turn (later ones may use earlier)."""
    out = relation_sql
    for name, expr in layers:
        out = f"SELECT *, {expr} AS {name} FROM ({out})"
    return out


def scaled(
    d: Dialect, columns: Sequence[str], center: np.ndarray, scale: np.ndarray, log1p: bool
) -> str:
    """``SELECT`` items ``z0, z1...``: each feature as ``(x - center) / scale`` (after log1p)."""
    out = []
    for i, (column, c, s) in enumerate(zip(columns, center, scale, strict=True)):
        value = d.log1p(d.quote(column)) if log1p else d.quote(column)
        out.append(f"(({value} - {lit(c)}) / {lit(s)}) AS z{i}")
    return ", ".join(out)


def nearest(centres: np.ndarray) -> tuple[list[tuple[str, str]], str]:
    """The index of the nearest centre to ``(z0, z1...)``: layers of scores, then a CASE.

    ``|z - c|^2 = |z|^2 - 2 z.c + |c|^2`` and ``|z|^2`` is the same for every centre, so the
    nearest centre has the lowest ``|c|^2 - 2 z.c``. Ties go to the lower index, as in
    scikit-learn. Each score and their minimum is a column of its own layer, computed once a
    row (written inside the CASE, each was computed twice and the minimum k - 1 times). The
    CASE has an ELSE: without one a Spark query ran ten times slower.
    """
    scores = []
    for j, centre in enumerate(centres):
        terms = " + ".join(f"{lit(-2.0 * v)} * z{f}" for f, v in enumerate(centre))
        scores.append((f"{NEAREST}{j}", f"({lit(float(np.dot(centre, centre)))} + {terms})"))
    k = len(scores)
    if k == 1:
        return [], "0"
    low = f"{NEAREST}_min"
    layers = [*scores, (low, f"least({', '.join(name for name, _ in scores)})")]
    whens = " ".join(f"WHEN {NEAREST}{j} = {low} THEN {j}" for j in range(k - 1))
    return layers, f"CASE {whens} ELSE {k - 1} END"


def labelled(relation: str, scaled_items: str, centres: np.ndarray, keep: Sequence[str]) -> str:
    """Every customer with its segment (``segment``), the scaled features and ``keep`` columns."""
    kept = "".join(f", {c}" for c in keep)
    layers, segment = nearest(centres)
    scored = layered(f"SELECT {scaled_items}{kept} FROM {relation}", layers)
    return f"SELECT {segment} AS segment, * FROM ({scored})"


def lloyd_step(labelled_sql: str, bounds: Sequence[float]) -> str:
    """One Lloyd update: each segment's size and the sums of its scaled features (``s<f>``).

    ``bounds``: the largest magnitude of each scaled feature (``exact_sum``).
    """
    means = ", ".join(
        f"{exact_sum(f'z{f}', SCALED_SCALE, b)} AS s{f}" for f, b in enumerate(bounds)
    )
    return (
        f"SELECT segment, count(*) AS n, {means} FROM ({labelled_sql}) "
        "GROUP BY segment ORDER BY segment"
    )


def group_means(
    labelled_sql: str,
    columns: Sequence[tuple[str, float]],
    d: Dialect,
    extra: Sequence[str] = (),
) -> str:
    """Each segment's size, the sum of each column (``a<i>``) and ``extra`` aggregates.

    ``columns``: each column's name and the largest magnitude of its values (``exact_sum``).
    """
    means = "".join(
        f", {exact_sum(d.quote(c), bound=b)} AS a{i}" for i, (c, b) in enumerate(columns)
    )
    means += "".join(f", {item}" for item in extra)
    return (
        f"SELECT segment, count(*) AS n{means} FROM ({labelled_sql}) "
        "GROUP BY segment ORDER BY segment"
    )


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
        f"count(*) AS c FROM (SELECT {inner} FROM {relation}) GROUP BY GROUPING SETS ({sets})"
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
        f"FROM ({tables})"
    )
    more = ", plo, phi" if whole else ""
    return f"SELECT p, g, v, lo, hi{more} FROM ({cumulated}) WHERE {wanted} ORDER BY p, g, v"


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
    return f"SELECT {', '.join(items)}, count(*) AS c FROM ({source}) GROUP BY {grouped}"


def counts(relation: str, group: str, value: str) -> str:
    """Rows per (group, value) as ``g, v, c``, e.g. category counts per segment."""
    inner = f"SELECT {group} AS g, {value} AS v FROM {relation}"
    return f"SELECT g, v, count(*) AS c FROM ({inner}) GROUP BY g, v ORDER BY g, v"


def level_counts(
    relation: str, values: Sequence[str], bounds: Sequence[float] | None = None
) -> str:
    """Per column ``p`` and segment ``g``: what ``analysis.levels`` reads from every customer.

    From one ``(segment, value, count)`` table per column (one scan, ``GROUPING SETS``):
    ``n`` customers, ``s`` the sum of the column (fixed point, as ``exact_sum``), ``r`` the sum
    of each customer's rank ``below + at_or_below`` (``levels``' mid-rank, times two, over every
    customer), ``top`` at the column's maximum, ``zeros`` at exactly 0, ``mid`` strictly
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
        f"FROM (SELECT segment, {inner} FROM {relation}) "
        f"GROUP BY GROUPING SETS ({sets})"
    )
    if short:
        tables = f"SELECT p, g, v, c, {summed} AS s FROM ({tables})"
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
        f"segments_cy AS cy, {r} AS r, count(*) AS c FROM ({inner}) "
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
    return [f"sum(CASE WHEN round({v}, 0) = {v} THEN 0 ELSE 1 END) AS nw{i}" for i, v in values]
