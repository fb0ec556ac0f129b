"""The ``engine`` setting, the engines' sections, and where the table comes from.

``engine: local`` (the default) reads ``data.path`` into memory. ``duckdb``, ``spark`` and
``postgres`` hand every pass over all rows to that engine (``engine.adapters`` lists them); the
table is then ``data.path`` (a file, or for DuckDB a glob or folder of Parquet or CSV files),
``data.table`` (a catalog table) or ``data.sql`` (a query whose columns are the table): exactly
one. Where the server is comes from the environment, never from the config (``SPARK_REMOTE``;
libpq's ``PGHOST``, ``PGUSER``...), so a token or password is never committed.

The checks here are declared with the other settings in ``config.schema``; ``engine_settings``
then gathers them into one value and checks what they say together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from generator.config.checks import optional_text

ENGINES = ("local", "duckdb", "spark", "postgres")
SOURCE_KEYS = ("path", "table", "sql")
ENGINE_KEYS = (
    "engine",
    "data.table",
    "data.sql",
    "duckdb.memory_limit",
    "duckdb.threads",
    "duckdb.database",
    "spark.conf",
    "spark.connect_timeout",
    "postgres.statement_timeout",
)
MAX_THREADS = 1024
MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")
TIMEOUT = re.compile(r"^[1-9]\d*\s*(ms|s|min|h|d)$")
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
        statement_timeout: PostgreSQL's limit on each query (e.g. ``1h``).
        connect_timeout: Seconds to wait for the Spark Connect server before giving up.
    """

    name: str = "local"
    table: str = ""
    sql: str = ""
    memory_limit: str = ""
    threads: int = 0
    database: str = ""
    spark_conf: tuple[tuple[str, str], ...] = ()
    statement_timeout: str = "1h"
    connect_timeout: int = 30

    @property
    def is_local(self) -> bool:
        """True for today's in-memory path."""
        return self.name == "local"


# A catalog table name such as ``db.customers``, a SQL query, a size such as ``1GB`` ("" when
# absent; for the size, DuckDB's default).
table_name = optional_text(lambda v: bool(TABLE_NAME.match(v)), "a table name like db.customers")
query = optional_text(lambda v: one_select(v), "exactly one SELECT (or WITH ... SELECT) query")
# Spark settings a session may change at run time: SQL behaviour, never the JVM, the
# connection or classes to load (spark.driver.extraJavaOptions ran a command; spark.remote
# would move the build to another server).
SPARK_RUNTIME = "spark.sql."
SPARK_REFUSED = (
    "spark.sql.extensions",
    "spark.sql.catalog.",
    "spark.sql.warehouse.",
    "spark.sql.hive.",
    "spark.sql.queryExecutionListeners",
    "spark.sql.streaming.streamingQueryListeners",
    "spark.sql.catalogImplementation",
    "spark.sql.connect.",
)


def one_select(sql: str) -> bool:
    """Whether ``sql`` is one statement that starts with SELECT or WITH (comments allowed).

    A ``;`` outside quotes may only end the text: ``SELECT 1; COPY ... TO`` is two statements.
    """
    words = _outside_quotes(sql)
    if words is None:
        return False
    body = words.rstrip().removesuffix(";")
    if ";" in body:
        return False
    first = body.lstrip(" \t\r\n(").split(None, 1)
    return bool(first) and first[0].upper() in ("SELECT", "WITH")


def _outside_quotes(sql: str) -> str | None:
    """``sql`` with comments removed and quoted text blanked (None when a quote is open)."""
    out, i, n = [], 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"`":
            end = sql.find(c, i + 1)
            while end != -1 and sql[end + 1 : end + 2] == c:  # a doubled quote inside
                end = sql.find(c, end + 2)
            if end == -1:
                return None
            out.append(" ")
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end == -1 else end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end == -1:
                return None
            out.append(" ")
            i = end + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
UNITS |= {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
LEAST_MEMORY = 100 * 10**6  # below this DuckDB cannot hold its own buffers for a build


def _enough_memory(value: str) -> bool:
    """A size DuckDB can build in: ``1GB``, ``512MiB``; at least 100MB."""
    match = MEMORY.match(value)
    if match is None:
        return False
    return float(value[: match.start(2)]) * UNITS[match.group(2)] >= LEAST_MEMORY


memory_limit = optional_text(_enough_memory, "a size of at least 100MB, like 1GB or 512MiB")
timeout = optional_text(lambda v: bool(TIMEOUT.match(v)), "a duration like 30min, 1h or 90s")


def threads(value: Any, key: str, ctx: Any) -> int:
    """A thread count (0 for DuckDB's default)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        ctx.fail(f"{key} should be an integer >= 1, got {value!r}")
        return 0
    if value > MAX_THREADS:  # DuckDB aborts the process on a billion threads
        ctx.fail(f"{key} should be an integer <= {MAX_THREADS}, got {value!r}")
        return 0
    return value


def database(value: Any, key: str, ctx: Any) -> str:
    """A DuckDB database file, relative to the config file ("" when absent)."""
    if value == "":
        return ""
    if not isinstance(value, str) or not value.strip():
        ctx.fail(f"{key} should be a file name, got {value!r}")
        return ""
    return str((ctx.folder / value.strip()).resolve())


def spark_conf(value: Any, key: str, ctx: Any) -> tuple[tuple[str, str], ...]:
    """Spark runtime settings (``spark.*`` names, plain values), sorted by name."""
    if not isinstance(value, dict):
        ctx.fail(f"{key} should be a mapping of Spark settings, got {value!r}")
        return ()
    pairs = []
    for name, setting in value.items():
        if not isinstance(setting, str | int | float | bool) or not str(name).startswith("spark."):
            ctx.fail(f"{key} entry {name!r} should be a spark.* setting with a plain value")
            continue
        if not str(name).startswith(SPARK_RUNTIME) or str(name).startswith(SPARK_REFUSED):
            ctx.fail(
                f"{key} entry {name!r} is not a runtime SQL setting (only spark.sql.* settings "
                "that change how queries run are allowed; the server comes from SPARK_REMOTE)"
            )
            continue
        text = str(setting).lower() if isinstance(setting, bool) else str(setting)
        pairs.append((str(name), text))
    return tuple(sorted(pairs))


def engine_settings(
    values: Mapping[str, Any], data: Mapping[str, Any], fail: Callable[[str], None]
) -> EngineSettings:
    """The engine settings from the parsed ``values``, checked together with ``data``'s keys."""
    name = values["engine"]
    given = [key for key in SOURCE_KEYS if key in data]
    if name == "local" and set(given) - {"path"}:
        fail("data.table and data.sql need an engine: duckdb, spark or postgres")
    elif name != "local" and len(given) > 1:
        fail(f"data should name exactly one of data.path, data.table, data.sql, got {given}")
    if name != "local" and "transactions" in data:
        # The log's checks and RFM are made in memory; an engine reads one row per customer.
        fail(
            f"data.transactions needs engine: local; with engine: {name}, make one row per "
            "customer in data.sql (a GROUP BY over the log) or drop the engine setting"
        )
    return EngineSettings(
        name=name,
        table=values["data.table"],
        sql=values["data.sql"],
        memory_limit=values["duckdb.memory_limit"],
        threads=values["duckdb.threads"],
        database=values["duckdb.database"],
        spark_conf=values["spark.conf"],
        statement_timeout=values["postgres.statement_timeout"],
        connect_timeout=values["spark.connect_timeout"],
    )
