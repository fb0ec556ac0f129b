"""Per-row expressions and the fit's passes: exact sums, sample key, scaling, nearest centre.

Also Lloyd's step and the per-segment sums of the profile's pass.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import numpy as np

from generator.engine.dialect import Dialect, lit

SAMPLE_HASH = "sample_hash"
NEAREST = "segments_score"  # the assignment's columns: one score per centre and their minimum
# Sums are taken in fixed point: a double sum depends on the order the engine adds rows in
# (threads, files, partitions), and then the same table would publish other last digits.
# 38 digits with 10 after the point hold sums up to 1e28; scaled features get 15.
ORIGINAL_SCALE = 10
SCALED_SCALE = 15


def exact_sum(d: Dialect, expr: str, scale: int = ORIGINAL_SCALE, bound: float = math.inf) -> str:
    """``sum(expr)`` in fixed point, so its value does not depend on the order of the rows.

    ``bound``: no value's magnitude is above it. When it leaves room in 18 digits (with a factor
    two to spare) each value is a DECIMAL(18): a 64-bit integer instead of a 128-bit one, half
    the cost of the cast at 100M rows. The same digits either way, and the sum is exact.
    """
    precision = 18 if 2 * bound < 10.0 ** (18 - scale) else 38
    return d.double(f"sum(CAST({expr} AS DECIMAL({precision}, {scale})))")


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
        d, f"SELECT id_key{text}{others} FROM {relation}", sample_key(d, seed, integer_ids)
    )
    order = f"ORDER BY {SAMPLE_HASH}, {key} LIMIT {int(rows)}"
    return f"SELECT {key} AS id{others} FROM ({keyed}) AS q {order}"


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
    number = "CAST(id_key AS BIGINT)" if integer_ids else d.try_bigint("id")

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
    canonical = f"CAST({d.try_bigint('id')} AS {t}) = id"
    text_key = d.hash64(f"concat(id, {d.text(f':{seed}')})")
    return [
        *layers,
        (SAMPLE_HASH, f"CASE WHEN {canonical} THEN segments_h_int ELSE {text_key} END"),
    ]


def layered(d: Dialect, relation_sql: str, layers: Sequence[tuple[str, str]]) -> str:
    """``relation_sql`` with each layer's column added in turn (later ones may use earlier)."""
    out = relation_sql
    for name, expr in layers:
        out = f"SELECT *, {expr} AS {name} FROM ({out}{d.layer_fence}) AS q"
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


def labelled(
    d: Dialect, relation: str, scaled_items: str, centres: np.ndarray, keep: Sequence[str]
) -> str:
    """Every customer with its segment (``segment``), the scaled features and ``keep`` columns."""
    kept = "".join(f", {c}" for c in keep)
    layers, segment = nearest(centres)
    scored = layered(d, f"SELECT {scaled_items}{kept} FROM {relation}", layers)
    return f"SELECT {segment} AS segment, * FROM ({scored}) AS q"


def lloyd_step(d: Dialect, labelled_sql: str, bounds: Sequence[float]) -> str:
    """One Lloyd update: each segment's size and the sums of its scaled features (``s<f>``).

    ``bounds``: the largest magnitude of each scaled feature (``exact_sum``).
    """
    means = ", ".join(
        f"{exact_sum(d, f'z{f}', SCALED_SCALE, b)} AS s{f}" for f, b in enumerate(bounds)
    )
    return (
        f"SELECT segment, count(*) AS n, {means} FROM ({labelled_sql}) AS q "
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
        f", {exact_sum(d, d.quote(c), bound=b)} AS a{i}" for i, (c, b) in enumerate(columns)
    )
    means += "".join(f", {item}" for item in extra)
    return (
        f"SELECT segment, count(*) AS n{means} FROM ({labelled_sql}) AS q "
        "GROUP BY segment ORDER BY segment"
    )
