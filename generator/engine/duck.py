"""DuckDB, embedded: files, globs and folders of Parquet or CSV, tables and queries."""

from __future__ import annotations

import csv
import glob
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from generator.config.settings import Config, EngineSettings
from generator.engine.dialect import DUCKDB
from generator.engine.session import SOURCE, Engine, engine_error
from generator.errors import ConfigError, DataError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")


class DuckEngine(Engine):
    """An in-process DuckDB connection that spills to ``temp`` under the cache."""

    dialect = DUCKDB

    def __init__(self, settings: EngineSettings, temp: Path) -> None:
        temp.mkdir(parents=True, exist_ok=True)
        self.temp = temp
        self.connection = duckdb.connect(":memory:")
        self.connection.execute(f"SET temp_directory = {DUCKDB.text(str(temp))}")
        # Insertion order is not needed (every query orders what it returns): less memory.
        self.connection.execute("SET preserve_insertion_order = false")
        if settings.memory_limit:
            self.connection.execute(f"SET memory_limit = {DUCKDB.text(settings.memory_limit)}")
        if settings.threads:
            self.connection.execute(f"SET threads = {int(settings.threads)}")
        if settings.database:
            path = DUCKDB.text(settings.database)
            try:
                self.connection.execute(f"ATTACH {path} AS source_db (READ_ONLY)")
            except duckdb.Error as exc:  # missing, or not a DuckDB file: one line, exit 2
                reason = str(exc).split("\n", 1)[0].removeprefix("IO Error: ")
                raise ConfigError(
                    f"{settings.database}: duckdb.database cannot be opened ({reason}); "
                    "expected an existing DuckDB database file"
                ) from exc
            self.connection.execute("USE source_db")

    def register(self, config: Config) -> list[tuple[str, str]]:
        """Register ``data.path`` (file, glob or folder), ``data.table`` or ``data.sql``."""
        where = self.where(config)
        if config.header and not (config.engine.sql or config.engine.table):
            _same_headers(config.data_path, config.delimiter, where)
        try:
            self._confine(config)
            self.view(SOURCE, _source_sql(config))
            rows = self.connection.execute(f"DESCRIBE {SOURCE}").fetchall()
        except duckdb.Error as exc:
            raise engine_error(where, exc) from exc
        return [(str(row[0]), str(row[1])) for row in rows]

    def _confine(self, config: Config) -> None:
        """Let the connection touch only the table's files, the project, and its spill folder.

        ``data.sql`` is one SELECT (``checked_query``), and from here on no query can read
        another file (``read_text('/etc/passwd')``), write one (``COPY ... TO``), attach a
        database or change these settings back.
        """
        if config.engine.sql:
            checked_query(config.engine.sql, str(config.path))
        # The project: the config's folder, or the one above it (data/segments.yml), as
        # find_mkdocs finds it; data.sql may read the project's files and no others.
        home = config.path.absolute().parent
        project = home if (home / "mkdocs.yml").is_file() else home.parent
        folders = {self.temp, home, home.resolve(), project, project.resolve()}
        files: set[Path] = set()
        if not config.engine.sql and not config.engine.table:
            path = config.data_path
            if path.is_dir():
                folders.add(path)
            elif any(c in path.name for c in "*?["):
                folders.add(path.parent)
            else:
                files |= {path, path.resolve()}
        dirs = ", ".join(DUCKDB.text(str(f) + "/") for f in sorted(folders))
        paths = ", ".join(DUCKDB.text(str(f)) for f in sorted(files))
        self.connection.execute(f"SET allowed_directories = [{dirs}]")
        self.connection.execute(f"SET allowed_paths = [{paths}]")
        self.connection.execute("SET enable_external_access = false")
        self.connection.execute("SET lock_configuration = true")

    def fetch(self, sql: str) -> pa.Table:
        """Run ``sql`` and return its (small) result as Arrow."""
        result: pa.Table = self.connection.sql(sql).to_arrow_table()
        return result

    def view(self, name: str, sql: str) -> None:
        """Create or replace a temporary view."""
        self.connection.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def write_parquet(self, sql: str, path: Path) -> None:
        """Write the result of ``sql`` as a Parquet folder (one file per thread), as Spark does."""
        target = DUCKDB.text(str(path))
        self.connection.execute(f"COPY ({sql}) TO {target} (FORMAT parquet, PER_THREAD_OUTPUT)")

    def parquet_view(self, name: str, path: Path) -> None:
        """A view of a Parquet file, or of every Parquet file in a folder."""
        pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
        self.view(name, f"SELECT * FROM read_parquet({DUCKDB.text(pattern)})")

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def checked_query(sql: str, where: str) -> None:
    """Refuse a ``data.sql`` that is not exactly one SELECT (``WITH ... SELECT`` included).

    Raises:
        ConfigError: One line naming the config and the statement found.
    """
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        first = " ".join(str(exc).split())[:200]
        raise ConfigError(f"{where}: data.sql is not a query DuckDB can read ({first})") from exc
    kinds = [s.type.name for s in statements]
    if kinds != ["SELECT"]:
        found = ", ".join(kinds) or "nothing"
        raise ConfigError(
            f"{where}: data.sql should be exactly one SELECT (or WITH ... SELECT), found {found}"
        )


def _same_headers(path: Path, delimiter: str, where: str) -> None:
    """Refuse a folder (or glob) of tables whose headers differ, naming the first that does.

    DuckDB sniffs the first file only and fails on the other one mid-build, in 15 lines.

    Raises:
        DataError: One line naming both files and the columns one has and the other lacks.
    """
    pattern, _ = _files(path)  # the files DuckDB will read, and no others
    files = sorted(Path(f) for f in glob.glob(pattern, recursive=True) if Path(f).is_file())
    if len(files) < 2:
        return
    first, *others = files
    want = _header(first, delimiter)
    for other in others:
        got = _header(other, delimiter)
        if got != want:
            lacks = [c for c in want if c not in got] or ["none"]
            extra = [c for c in got if c not in want] or ["none"]
            raise DataError(
                f"{where}: {other.name} has other columns than {first.name} (missing: "
                f"{', '.join(lacks)}; extra: {', '.join(extra)}); expected the same header in "
                "every file of the folder"
            )


def _header(path: Path, delimiter: str) -> list[str]:
    """A file's column names: a Parquet file's schema, or a text file's first line."""
    if path.suffix.lower() == ".parquet":
        return list(pq.read_schema(path).names)
    sep = "\t" if path.suffix.lower() == ".tsv" else delimiter
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        line = handle.readline()
    if len(sep) != 1:  # whitespace-separated
        return line.split()
    return next(csv.reader([line], delimiter=sep), [])


def _files(path: Path) -> tuple[str, bool]:
    """The pattern DuckDB reads ``data.path`` with, and whether its files are text (CSV).

    A folder is read as its Parquet files when it holds any, else as its ``.csv`` files.
    """
    if path.is_dir():
        text = not any(path.rglob("*.parquet"))
        return str(path / "**" / ("*.csv" if text else "*.parquet")), text
    return str(path), path.suffix.lower() in CSV_SUFFIXES


def _source_sql(config: Config) -> str:
    settings = config.engine
    if settings.sql:
        return settings.sql
    if settings.table:
        return f"SELECT * FROM {settings.table}"
    path = config.data_path
    pattern, text = _files(path)
    if not text:
        return f"SELECT * FROM read_parquet({DUCKDB.text(pattern)})"
    delimiter = "\t" if path.suffix.lower() == ".tsv" else config.delimiter
    # Every cell as text: the checks parse numbers themselves and name the bad cells.
    options = f"delim = {DUCKDB.text(delimiter)}, header = true, all_varchar = true"
    return f"SELECT * FROM read_csv({DUCKDB.text(pattern)}, {options})"
