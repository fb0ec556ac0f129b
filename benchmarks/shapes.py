"""Table shapes for the engine benchmark besides the Mall-like one, each with its config.

- ``six``: six clusters on three features, one of them heavy-tailed (log-normal spend), a
  category, whole-number IDs that are not row numbers (gaps, random order of magnitude);
- ``zero``: a spend table where most customers bought nothing (zeros in every amount), a 0/1
  flag, text IDs (``C00000123``).

Deterministic: the same size, seed and chunk give the same bytes. ``chunk(shape, rows, seed,
start)`` returns one slice of the table (IDs continue from ``start``), so a 100M table is written
in pieces and never held in memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from benchmarks.make_data import COLUMNS, make_table

SIX_CENTRES = np.array(
    [[20, 300, 5], [60, 1200, 30], [35, 4000, 12], [80, 800, 60], [50, 15000, 3], [25, 600, 90]],
    dtype=float,
)


def _six(rows: int, seed: int, start: int) -> pa.Table:
    rng = np.random.default_rng([seed, start, rows])
    cluster = rng.integers(0, 6, rows)
    centre = SIX_CENTRES[cluster]
    age = np.clip(rng.normal(centre[:, 0], 6), 18, 95).round()
    spend = np.round(centre[:, 1] * rng.lognormal(0, 0.6, rows), 2)  # heavy right tail
    visits = np.clip(rng.normal(centre[:, 2], 4), 0, None).round()
    ids = 10_000_000 + 7 * np.arange(start, start + rows, dtype=np.int64)  # gaps of 7
    return pa.table(
        {
            "customer_no": ids,
            "age": age.astype(np.int64),
            "spend": spend,
            "visits": visits.astype(np.int64),
            "region": pa.array(np.array(["north", "south", "east", "west"])[cluster % 4]),
        }
    )


def _zero(rows: int, seed: int, start: int) -> pa.Table:
    rng = np.random.default_rng([seed, start, rows, 2])
    buyer = rng.random(rows) < 0.3  # seven customers in ten bought nothing
    heavy = rng.random(rows) < 0.05
    online = np.where(buyer, rng.lognormal(3.5, 1.0, rows), 0.0)
    store = np.where(buyer & (rng.random(rows) < 0.6), rng.lognormal(4.0, 0.8, rows), 0.0)
    store = np.where(heavy, store * 10, store)
    ids = np.char.add("C", np.char.zfill(np.arange(start + 1, start + rows + 1).astype(str), 9))
    return pa.table(
        {
            "client": pa.array(ids),
            "online_spend": np.round(online, 2),
            "store_spend": np.round(store, 2),
            "newsletter": (rng.random(rows) < 0.4).astype(np.int64),
        }
    )


def _mall(rows: int, seed: int, start: int) -> pa.Table:
    table, _ = make_table(rows, seed=seed)
    ids = pa.array(np.arange(start + 1, start + rows + 1, dtype=np.int64))
    return table.set_column(0, COLUMNS[0], ids)


MAKERS = {"mall": _mall, "six": _six, "zero": _zero}


def chunk(shape: str, rows: int, seed: int, start: int) -> pa.Table:
    """Rows ``start`` to ``start + rows`` of the ``shape`` table."""
    return MAKERS[shape](rows, seed, start)


def config(shape: str, mall: dict[str, Any]) -> dict[str, Any]:
    """The segments config for ``shape`` (the Mall one as shipped for ``mall``)."""
    if shape == "mall":
        return mall
    if shape == "six":
        return {
            "title": "Six clusters",
            "data": {"id_column": "customer_no"},
            "features": ["age", "spend", "visits"],
            "describe": ["region"],
            "k": "auto",
            "scaling": "log",
            "random_state": 42,
            "privacy": {"individual_points": False},
        }
    return {
        "title": "Zero-heavy spend",
        "data": {"id_column": "client"},
        "features": ["online_spend", "store_spend"],
        "describe": ["newsletter"],
        "k": "auto",
        "scaling": "log",
        "random_state": 42,
        "privacy": {"individual_points": False},
    }


def scan_columns(shape: str, mall: dict[str, Any]) -> tuple[str, list[str]]:
    """The ID column and the feature columns the floor's one scan reads."""
    settings = config(shape, mall)
    features = [f["column"] if isinstance(f, dict) else f for f in settings["features"]]
    return settings["data"]["id_column"], features
