"""PostgreSQL through psycopg 3: the customer table stays in the database.

The connection comes from libpq's own environment (``PGHOST``, ``PGPORT``, ``PGDATABASE``,
``PGUSER``, ``PGPASSWORD`` or ``~/.pgpass``, ``PGSERVICE``), never from the config, so no
password is committed. Every query runs in a read-only transaction under
``postgres.statement_timeout``. Views are kept here and sent as ``WITH ... AS NOT MATERIALIZED``
(a read-only transaction may create nothing, not even a temporary view), so ``data.sql`` is
one SELECT inlined into each query. Only aggregates and bounded samples come back; the sidecar
is streamed from a server-side cursor in bounded batches.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from generator.config.settings import Config, EngineSettings
from generator.engine.dialect import POSTGRES
from generator.engine.session import SOURCE, Engine
from generator.errors import ConfigError, DataError

BATCH = 50_000  # rows per batch of the sidecar's cursor and of an upload
# PostgreSQL's type names as the checks know them (DuckDB's spelling); others pass upper-cased.
TYPE_NAMES = {
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "float4": "FLOAT",
    "float8": "DOUBLE",
    "numeric": "DECIMAL",
    "text": "VARCHAR",
    "varchar": "VARCHAR",
    "bpchar": "VARCHAR",
}
ARROW_TYPES = {
    "int2": pa.int16(),
    "int4": pa.int32(),
    "int8": pa.int64(),
    "float4": pa.float32(),
    "float8": pa.float64(),
    "bool": pa.bool_(),
    "text": pa.string(),
    "varchar": pa.string(),
    "bpchar": pa.string(),
}
UPLOAD_TYPES = {
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float32(): "REAL",
    pa.float64(): "DOUBLE PRECISION",
    pa.bool_(): "BOOLEAN",
    pa.string(): "TEXT",
    pa.large_string(): "TEXT",
}
# What each kind of failure asks the analyst to check (by SQLSTATE class or code).
CHECKS = {
    "28P01": "check PGUSER and PGPASSWORD (or ~/.pgpass)",
    "28000": "check PGUSER and the server's pg_hba.conf",
    "3D000": "check PGDATABASE (or PGSERVICE)",
    "42P01": "check data.table (or data.sql) and the schema it is in",
    "42501": "check the grants of PGUSER (GRANT SELECT on the table)",
    "57014": "check postgres.statement_timeout",
    "25006": "check data.sql: it must be one read-only SELECT",
}


CONNECT_TIMEOUT = 30  # seconds, unless PGCONNECT_TIMEOUT says otherwise


class PostgresEngine(Engine):
    """A psycopg connection whose every transaction is read-only."""

    dialect = POSTGRES

    def __init__(self, settings: EngineSettings, temp: Path) -> None:
        timeout = "".join(settings.statement_timeout.split())
        # libpq waits for ever on a server that accepts and never answers; PGCONNECT_TIMEOUT,
        # libpq's own setting, overrides this default (seconds).
        wait = os.environ.get("PGCONNECT_TIMEOUT") or str(CONNECT_TIMEOUT)
        try:
            self.connection = psycopg.connect(
                f"connect_timeout={int(wait) if wait.strip().isdigit() else CONNECT_TIMEOUT}",
                application_name="segments",
                options=f"-c statement_timeout={timeout}",
            )
        except psycopg.Error as exc:
            raise DataError(f"PostgreSQL: could not connect: {_reason(exc)}") from exc
        self.connection.read_only = True
        self.views: dict[str, str] = {}
        self.where_text = "PostgreSQL"

    def register(self, config: Config) -> list[tuple[str, str]]:
        """Keep ``data.table`` or ``data.sql`` as the source; describe its columns."""
        settings = config.engine
        if not (settings.table or settings.sql):
            raise ConfigError(
                f"{config.path}: engine: postgres reads data.table or data.sql (the table is "
                "in the database), not data.path"
            )
        self.where_text = self.where(config)
        source = settings.sql.strip().rstrip(";").strip() or f"SELECT * FROM {settings.table}"
        self.views = {SOURCE: source}
        with self._cursor() as cursor:
            cursor.execute(self._with(f"SELECT * FROM {SOURCE} LIMIT 0"))
            description = cursor.description or []
            return [(column.name, self._type_name(column.type_code)) for column in description]

    def fetch(self, sql: str) -> pa.Table:
        """Run ``sql`` in a read-only transaction and return its (small) result as Arrow."""
        with self._cursor() as cursor:
            cursor.execute(self._with(sql))
            rows = cursor.fetchall()
            return self._arrow(cursor, rows)

    def view(self, name: str, sql: str) -> None:
        """Keep ``sql`` as ``name`` (sent with each query that follows)."""
        self.views[name] = sql

    def write_parquet(self, sql: str, path: Path) -> None:
        """Stream the result of ``sql`` from a server-side cursor into one Parquet file."""
        path.mkdir(parents=True, exist_ok=True)
        writer: pq.ParquetWriter | None = None
        try:
            with (
                self._transaction(),
                self.connection.cursor(name="segments_rows") as cursor,
            ):
                cursor.itersize = BATCH
                cursor.execute(self._with(sql))
                while True:
                    rows = cursor.fetchmany(BATCH)
                    table = self._arrow(cursor, rows)
                    if writer is None:
                        writer = pq.ParquetWriter(path / "part-0.parquet", table.schema)
                    if not rows:
                        break
                    writer.write_table(table.cast(writer.schema))
        finally:
            if writer is not None:
                writer.close()

    def parquet_view(self, name: str, path: Path) -> None:
        """Upload a Parquet file or folder into a temporary table, in bounded batches.

        The one write this engine makes: into the session's own temporary schema, which needs
        only the database's TEMP privilege (granted to everyone by default).
        """
        files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
        files = [f for f in files if not f.name.startswith(("_", "."))]
        schema = pq.read_schema(files[0])
        columns = ", ".join(
            f"{POSTGRES.quote(field.name)} {UPLOAD_TYPES.get(field.type, 'TEXT')}"
            for field in schema
        )
        self.connection.read_only = False
        try:
            with self._transaction(), self.connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
                cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
                with cursor.copy(f"COPY {name} FROM STDIN (FORMAT csv)") as copy:
                    for chunk in _csv_chunks(files, schema):
                        copy.write(chunk)
        finally:
            self.connection.read_only = True

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def _with(self, sql: str) -> str:
        """``sql`` with every kept view as a common table expression, in the order made."""
        if not self.views:
            return sql
        named = ", ".join(f"{name} AS NOT MATERIALIZED ({q})" for name, q in self.views.items())
        return f"WITH {named} {sql}"

    def _transaction(self) -> Any:
        return _Guard(self)

    def _cursor(self) -> Any:
        return _Guard(self, cursor=True)

    def _type_name(self, oid: int) -> str:
        info = self.connection.adapters.types.get(oid)
        name = info.name if info is not None else "unknown"
        return TYPE_NAMES.get(name, name.upper())

    def _arrow(self, cursor: Any, rows: Sequence[Sequence[Any]]) -> pa.Table:
        """Rows as Arrow, typed from the column types (NUMERIC: whole numbers or doubles)."""
        arrays = {}
        for i, column in enumerate(cursor.description or []):
            info = self.connection.adapters.types.get(column.type_code)
            name = info.name if info is not None else ""
            values = [row[i] for row in rows]
            if name == "numeric":
                arrays[column.name] = _numbers(values)
            else:
                arrays[column.name] = pa.array(values, type=ARROW_TYPES.get(name))
        return pa.table(arrays)

    def error(self, exc: psycopg.Error) -> DataError:
        """A database error as one line: the table, the server's reason, what to check."""
        return DataError(f"{self.where_text}: PostgreSQL could not read the table: {_reason(exc)}")


class _Guard:
    """A read-only transaction (and cursor) whose database errors become one ``DataError``."""

    def __init__(self, engine: PostgresEngine, cursor: bool = False) -> None:
        self.engine, self.with_cursor = engine, cursor
        self.stack: list[Any] = []

    def __enter__(self) -> Any:
        try:
            transaction = self.engine.connection.transaction()
            transaction.__enter__()
            self.stack.append(transaction)
            if not self.with_cursor:
                return transaction
            cursor = self.engine.connection.cursor()
            self.stack.append(cursor)
            return cursor.__enter__()
        except psycopg.Error as exc:
            raise self.engine.error(exc) from exc

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        try:
            while self.stack:
                self.stack.pop().__exit__(kind, error, trace)
        except psycopg.Error as exc:
            raise self.engine.error(exc) from exc
        if isinstance(error, psycopg.Error):
            raise self.engine.error(error) from error


def _numbers(values: list[Any]) -> pa.Array:
    """NUMERIC values (sums of counts, fixed-point sums) as whole numbers when all are."""
    present = [v for v in values if v is not None]
    whole = all(
        isinstance(v, Decimal) and v.is_finite() and v == v.to_integral_value() for v in present
    )
    if whole and all(-(2**63) <= v < 2**63 for v in present):
        return pa.array([None if v is None else int(v) for v in values], type=pa.int64())
    return pa.array([None if v is None else float(v) for v in values], type=pa.float64())


def _csv_chunks(files: Sequence[Path], schema: pa.Schema) -> Iterator[bytes]:
    """The rows of Parquet ``files`` as CSV text (no header), ``BATCH`` rows at a time."""
    options = pacsv.WriteOptions(include_header=False)
    for file in files:
        for batch in pq.ParquetFile(file).iter_batches(batch_size=BATCH):
            sink = pa.BufferOutputStream()
            pacsv.write_csv(pa.Table.from_batches([batch]).cast(schema), sink, options)
            yield sink.getvalue().to_pybytes()


def _reason(exc: psycopg.Error) -> str:
    """The server's first line of text, what to check, and never the password."""
    text = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    text = text.strip()
    password = os.environ.get("PGPASSWORD", "")
    if password:
        text = text.replace(password, "***")
    state = getattr(exc, "sqlstate", None) or ""
    # With a SQLSTATE the server answered; without one it was not reached.
    check = CHECKS.get(state, "check data.table or data.sql") if state else _connection_check(text)
    return f"{text}; {check}"


def _connection_check(text: str) -> str:
    """What to check when the server gave no SQLSTATE (it was not reached)."""
    lowered = text.lower()
    if "password" in lowered or "authentication" in lowered:
        return CHECKS["28P01"]
    if "role" in lowered and "does not exist" in lowered:
        return "check PGUSER"
    if "database" in lowered and "does not exist" in lowered:
        return CHECKS["3D000"]
    return "check PGHOST and PGPORT (or PGSERVICE) and that the server is running"
