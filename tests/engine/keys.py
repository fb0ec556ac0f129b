"""The engines' per-row arithmetic against plain Python: the sample key and histogram bins.

The references are written from the documented definitions, so the DuckDB and Spark tests
check that both engines compute the same numbers: the same sample, the same histograms.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from generator.engine import sql
from generator.engine.session import Engine
from generator.engine.sql import MASK32, MIX, sample_words
from generator.table.bins import round_edges

CANONICAL = re.compile(r"^(0|-?[1-9]\d*)$")


def _spread(h: int) -> int:
    return h ^ (h >> 16)


def _mixed(h: int, multiplier: int) -> int:
    return (_spread(h) * multiplier) & MASK32


def integer_key(number: int, seed: int) -> int:
    """The sample key of a whole-number ID (a signed 64-bit integer)."""
    s1, s2, s3 = sample_words(seed)
    a = _spread(_mixed(_mixed((number & MASK32) ^ s1, MIX[0]), MIX[0]))
    high = (number >> 32) & MASK32  # Python's >> on a negative int is arithmetic, as SQL's
    b = _spread(_mixed(_mixed(high ^ (a ^ s2), MIX[1]), MIX[1]))
    c = _spread(_mixed(_mixed(a ^ b ^ s3, MIX[0]), MIX[0]))
    return (b & ((1 << 28) - 1)) * (1 << 32) + c


def sample_key(text_id: str, seed: int) -> int:
    """The sample key of an ID given as its text (as the engines' ``id`` column holds it)."""
    if CANONICAL.match(text_id) and -(2**63) <= int(text_id) < 2**63:
        return integer_key(int(text_id), seed)
    return int(hashlib.md5(f"{text_id}:{seed}".encode()).hexdigest()[:15], 16)


def histogram_bin(value: float, edges: np.ndarray) -> int:
    """Numpy's histogram bin of a value inside the edges (the last bin closed)."""
    if np.isnan(value):
        return len(edges) - 2  # NaN sorts above every number in both engines
    return int(min(np.searchsorted(edges, value, side="right") - 1, len(edges) - 2))


INTEGER_IDS = [0, 1, 2, 7, 42, 10**6, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**62]
INTEGER_IDS += [2**63 - 1, -1, -2, -(2**31), -(2**32), -(2**63), 123_456_789_012_345]
TEXT_IDS = ["007", "+5", "-0", "C12", "12.0", "9223372036854775808", "ab'c", "", "5", "-17"]
EDGE_SETS = [
    round_edges(15, 137, 20),
    round_edges(0.1, 0.7, 20),  # edges such as 0.3 that 0.1 * 3 misses
    round_edges(-3.7, 12.2, 20),
    np.histogram_bin_edges([0.1, 0.7], bins=24),  # the map's grid: numpy's own edges
    np.array([0.0, 1.0]),
]


def bin_values(edges: np.ndarray) -> list[float]:
    """Values inside ``edges``: every edge, its neighbouring doubles, midpoints and repeats."""
    out = [float(e) for e in edges]
    out += [float(np.nextafter(e, np.inf)) for e in edges[:-1]]
    out += [float(np.nextafter(e, -np.inf)) for e in edges[1:]]
    out += [float(v) for v in (edges[:-1] + edges[1:]) / 2]
    return out + out[:5]


def _table(folder: Path, name: str, columns: dict[str, pa.Array]) -> Path:
    path = folder / f"{name}.parquet"
    pq.write_table(pa.table(columns), path)
    return path


def check_sample_keys(engine: Engine, folder: Path, seed: int = 42) -> None:
    """The engine's sample keys are the reference's, for whole-number and text IDs."""
    d = engine.dialect
    ints = pa.array(INTEGER_IDS, type=pa.int64())
    path = _table(folder, "ints", {"id_key": ints, "id": pa.array([str(i) for i in INTEGER_IDS])})
    engine.parquet_view("key_ints", path)
    texts = TEXT_IDS + [str(i) for i in INTEGER_IDS]
    path = _table(folder, "texts", {"id_key": pa.array(texts), "id": pa.array(texts)})
    engine.parquet_view("key_texts", path)
    for relation, integer in (("key_ints", True), ("key_ints", False), ("key_texts", False)):
        query = sql.layered(
            d, f"SELECT id_key, id FROM {relation}", sql.sample_key(d, seed, integer)
        )
        rows = engine.fetch(f"SELECT id, {sql.SAMPLE_HASH} AS h FROM ({query}) AS q").to_pylist()
        got = {row["id"]: int(row["h"]) for row in rows}
        assert got == {t: sample_key(t, seed) for t in got}, (relation, integer)


def check_sample(engine: Engine, folder: Path, seed: int = 7) -> None:
    """``sql.sample`` keeps the rows with the smallest reference keys, whatever the ID type."""
    ids = np.random.default_rng(0).permutation(np.arange(-500, 2_500, dtype=np.int64))
    x = pa.array(ids.astype(np.float64) / 10)
    path = _table(
        folder, "many", {"id_key": pa.array(ids), "id": pa.array(ids.astype(str)), "x": x}
    )
    engine.parquet_view("many", path)
    expected = sorted(ids.tolist(), key=lambda i: (sample_key(str(i), seed), i))[:100]
    for integer in (True, False):
        query = sql.sample(engine.dialect, "many", ["id", "x"], seed, 100, integer)
        rows = engine.fetch(query).to_pylist()
        assert sorted(int(r["id"]) for r in rows) == sorted(expected), integer
        assert all(r["x"] == int(r["id"]) / 10 for r in rows)


def check_bins(engine: Engine, folder: Path) -> None:
    """``sql.bin_index`` is numpy's bin at and beside every edge; NaN last, NULL first."""
    for n, edges in enumerate(EDGE_SETS):
        values = bin_values(edges)
        column = pa.array([*values, float("nan"), None], type=pa.float64())
        path = _table(folder, f"bins{n}", {"i": pa.array(range(len(column))), "v": column})
        engine.parquet_view(f"bins{n}", path)
        query = f"SELECT i, {sql.bin_index('v', edges)} AS b FROM bins{n} ORDER BY i"
        got = [int(row["b"]) for row in engine.fetch(query).to_pylist()]
        assert got[-1] == 0  # NULL: no edge test holds
        assert got[:-1] == [histogram_bin(v, edges) for v in [*values, float("nan")]], edges
        counts = np.bincount(got[: len(values)], minlength=len(edges) - 1)
        assert np.array_equal(counts, np.histogram(values, bins=edges)[0])
    check_whole_bins(engine, folder)


def check_whole_bins(engine: Engine, folder: Path) -> None:
    """Whole numbers binned by division: numpy's bin for every value, edges included."""
    for n, edges in enumerate(
        (round_edges(15, 137, 20), round_edges(-43, 57, 20), round_edges(18, 70, 20))
    ):
        query_bin = sql.bin_index("v", edges, whole=True)
        assert "floor" in query_bin
        values = np.arange(edges[0], edges[-1] + 1)
        path = _table(folder, f"whole{n}", {"i": pa.array(range(len(values))), "v": values})
        engine.parquet_view(f"whole{n}", path)
        rows = engine.fetch(f"SELECT i, {query_bin} AS b FROM whole{n} ORDER BY i").to_pylist()
        assert [int(r["b"]) for r in rows] == [histogram_bin(v, edges) for v in values], edges
    assert "floor" not in sql.bin_index("v", round_edges(0.1, 0.7, 20), whole=True)


def check_sums(engine: Engine, folder: Path) -> None:
    """Fixed-point sums in 18 digits (values within a bound) equal those in 38 digits."""
    rng = np.random.default_rng(5)
    for n, (bound, scale) in enumerate(((137.0, 10), (4.9e7, 10), (480.0, 15), (3.5, 15))):
        values = rng.uniform(-bound, bound, 5_000)
        values[:2] = (-bound, bound)
        path = _table(folder, f"sums{n}", {"v": pa.array(values)})
        engine.parquet_view(f"sums{n}", path)
        d = engine.dialect
        narrow, wide = sql.exact_sum(d, "v", scale, bound), sql.exact_sum(d, "v", scale)
        assert "DECIMAL(18" in narrow and "DECIMAL(38" in wide
        row = engine.fetch(f"SELECT {narrow} AS a, {wide} AS b FROM sums{n}").to_pylist()[0]
        assert row["a"] == row["b"], (bound, scale)
    assert "DECIMAL(38" in sql.exact_sum(
        engine.dialect, "v", 15, 600.0
    )  # no room left for a factor two
