"""The ``engine:``, ``duckdb:`` and ``spark:`` sections, and where the table comes from.

``engine: local`` (the default) reads ``data.path`` into memory. ``duckdb`` and ``spark`` hand
every pass over all rows to that engine; the table is then ``data.path`` (a file, or for DuckDB
a glob or folder of Parquet or CSV files), ``data.table`` (a catalog table) or ``data.sql`` (a
query whose columns are the table): exactly one. The Spark address comes from the
``SPARK_REMOTE`` environment variable, never from the config, so a token is never committed.
Kept apart from ``config.settings`` so that module stays small; ``settings`` re-exports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ENGINES = ("local", "duckdb", "spark")
SOURCE_KEYS = ("path", "table", "sql")
MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")


@dataclass(frozen=True)
class EngineSettings:
    """Which engine runs the passes over every row, and how.

    Attributes:
        name: ``local``, ``duckdb`` or ``spark``.
        table: A catalog table name (``data.table``), or "".
        sql: A query whose result is the customer table (``data.sql``), or "".
        memory_limit: DuckDB's ``memory_limit`` (e.g. ``1GB``), or "" for DuckDB's default.
        threads: DuckDB's thread count, or 0 for DuckDB's default.
        database: A DuckDB database file holding ``data.table`` (opened read-only), or "".
        spark_conf: Spark runtime settings applied to the session, sorted by name.
    """

    name: str = "local"
    table: str = ""
    sql: str = ""
    memory_limit: str = ""
    threads: int = 0
    database: str = ""
    spark_conf: tuple[tuple[str, str], ...] = ()

    @property
    def is_local(self) -> bool:
        """True for today's in-memory path."""
        return self.name == "local"


def parse_engine(
    raw: dict[str, Any], data: dict[str, Any], fail: Callable[[str], None]
) -> EngineSettings:
    """The engine settings from the top-level mapping ``raw`` and its ``data`` mapping."""
    name = raw.get("engine", "local")
    if name not in ENGINES:
        fail(f"engine should be one of {', '.join(ENGINES)}, got {name!r}")
        name = "local"
    given = [key for key in SOURCE_KEYS if key in data]
    if name == "local" and set(given) - {"path"}:
        fail("data.table and data.sql need engine: duckdb or engine: spark")
    elif name != "local" and len(given) != 1:
        fail(f"data should name exactly one of data.path, data.table, data.sql, got {given}")
    table = _text(data, "table", fail, "data.table")
    if table and not TABLE_NAME.match(table):
        fail(f"data.table should be a table name like db.customers, got {table!r}")
    duck = _section(raw, "duckdb", ("memory_limit", "threads", "database"), fail)
    spark = _section(raw, "spark", ("conf",), fail)
    return EngineSettings(
        name=str(name),
        table=table,
        sql=_text(data, "sql", fail, "data.sql"),
        memory_limit=_memory(duck, fail),
        threads=_threads(duck, fail),
        database=_text(duck, "database", fail, "duckdb.database"),
        spark_conf=_conf(spark, fail),
    )


def _section(
    raw: dict[str, Any], key: str, known: tuple[str, ...], fail: Callable[[str], None]
) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        fail(f"{key} should be a mapping, got {value!r}")
        return {}
    for name in sorted(set(map(str, value)) - set(known)):
        fail(f"unknown setting '{key}.{name}' (expected {', '.join(known)})")
    return value


def _text(where: dict[str, Any], key: str, fail: Callable[[str], None], name: str) -> str:
    value = where.get(key, "")
    if not isinstance(value, str) or (key in where and not value.strip()):
        fail(f"{name} should be a non-empty string, got {value!r}")
        return ""
    return value.strip()


def _memory(duck: dict[str, Any], fail: Callable[[str], None]) -> str:
    value = duck.get("memory_limit", "")
    if value != "" and not (isinstance(value, str) and MEMORY.match(value.strip())):
        fail(f"duckdb.memory_limit should be a size like 1GB or 512MiB, got {value!r}")
        return ""
    return str(value).strip()


def _threads(duck: dict[str, Any], fail: Callable[[str], None]) -> int:
    value = duck.get("threads", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        fail(f"duckdb.threads should be an integer >= 1, got {value!r}")
        return 0
    return value


def _conf(spark: dict[str, Any], fail: Callable[[str], None]) -> tuple[tuple[str, str], ...]:
    conf = spark.get("conf", {})
    if not isinstance(conf, dict):
        fail(f"spark.conf should be a mapping of Spark settings, got {conf!r}")
        return ()
    pairs = []
    for key, value in conf.items():
        if not isinstance(value, str | int | float | bool) or not str(key).startswith("spark."):
            fail(f"spark.conf entry {key!r} should be a spark.* setting with a plain value")
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        pairs.append((str(key), text))
    return tuple(sorted(pairs))
