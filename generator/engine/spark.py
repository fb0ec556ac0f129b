"""Spark through the DataFrame and SQL API only, so one code runs locally and over Connect.

``SPARK_REMOTE`` (e.g. ``sc://host:15002/;token=...``) points at a Spark Connect server; it is
read from the environment, never from the config, so a token never lands in a committed file.
Without it a local session (``local[2]``) is started, which needs the full pyspark and Java.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa

from generator.config.settings import Config, EngineSettings
from generator.engine.dialect import SPARK
from generator.engine.session import SOURCE, Engine, engine_error
from generator.errors import ConfigError, DataError

LOCAL_MASTER = "local[2]"
LOCAL_PARTITIONS = 4
DEFAULT_PORT = 15002


def remote() -> str:
    """The Spark Connect address from ``SPARK_REMOTE`` ("" for a local session)."""
    return os.environ.get("SPARK_REMOTE", "").strip()


def server(address: str) -> tuple[str, int]:
    """The host and port of a Spark Connect address (``sc://host:port/;token=...``).

    Raises:
        ConfigError: When the address is not ``sc://host[:port]`` (one line, no token shown).
    """
    shown = address.split(";", 1)[0]
    parsed = urlsplit(shown)
    try:
        port = parsed.port or DEFAULT_PORT
    except ValueError:
        port = 0
    if parsed.scheme != "sc" or not parsed.hostname or not 0 < port < 65536:
        raise ConfigError(
            f"SPARK_REMOTE {shown!r}: not a Spark Connect address; expected "
            "sc://host:port (e.g. sc://spark.example.com:15002/;token=...)"
        )
    return parsed.hostname, port


def reachable(address: str, timeout: int) -> None:
    """Fail in ``timeout`` seconds, with one line, when the server does not answer.

    The Spark Connect client retries an unreachable server for many minutes without a word,
    so the server is first reached with a plain TCP connection bounded by
    ``spark.connect_timeout``.

    Raises:
        ConfigError: A malformed address.
        DataError: No answer within ``timeout`` seconds.
    """
    host, port = server(address)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError | socket.timeout):
            why = f"no answer within {timeout} s (spark.connect_timeout)"
        raise DataError(
            f"SPARK_REMOTE sc://{host}:{port}: cannot reach the Spark Connect server ({why}); "
            "check the address and that the server runs"
        ) from exc


class SparkEngine(Engine):
    """A Spark session (Spark Connect when ``SPARK_REMOTE`` is set, else ``local[2]``)."""

    dialect = SPARK

    def __init__(self, settings: EngineSettings, temp: Path) -> None:
        from pyspark.sql import SparkSession

        builder: Any = SparkSession.builder
        address = remote()
        if address:
            reachable(address, settings.connect_timeout)
            self.spark = builder.remote(address).getOrCreate()
            for key, value in settings.spark_conf:
                self.spark.conf.set(key, value)
        else:
            temp.mkdir(parents=True, exist_ok=True)
            builder = builder.master(LOCAL_MASTER).config("spark.local.dir", str(temp))
            builder = builder.config("spark.sql.warehouse.dir", str(temp / "warehouse"))
            builder = builder.config("spark.ui.enabled", "false")
            # The JVM's own temporary files go under the cache too, not into /tmp.
            builder = builder.config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={temp}")
            # Spark's 200 shuffle partitions cost seconds per query on two local cores.
            builder = builder.config("spark.sql.shuffle.partitions", str(LOCAL_PARTITIONS))
            for key, value in settings.spark_conf:
                builder = builder.config(key, value)
            self.spark = builder.getOrCreate()

    def register(self, config: Config) -> list[tuple[str, str]]:
        """Register ``data.path`` (Parquet or CSV), ``data.table`` or ``data.sql``."""
        try:
            frame = self._source(config)
            frame.createOrReplaceTempView(SOURCE)
            return [(str(name), str(kind)) for name, kind in frame.dtypes]
        except Exception as exc:  # Spark's errors have no common base class across clients
            raise engine_error(self.where(config), exc) from exc

    def _source(self, config: Config) -> Any:
        settings = config.engine
        if settings.sql:
            return self.spark.sql(settings.sql)
        if settings.table:
            return self.spark.table(settings.table)
        path = config.data_path
        if path.suffix.lower() == ".parquet" or (path.is_dir() and any(path.rglob("*.parquet"))):
            return self.spark.read.parquet(str(path))
        sep = "\t" if path.suffix.lower() == ".tsv" else config.delimiter
        return self.spark.read.csv(str(path), header=True, sep=sep)

    def fetch(self, sql: str) -> pa.Table:
        """Run ``sql`` and return its (small) result as Arrow."""
        result: pa.Table = self.spark.sql(sql).toArrow()
        return result

    def view(self, name: str, sql: str) -> None:
        """Create or replace a temporary view."""
        self.spark.sql(sql).createOrReplaceTempView(name)

    def write_parquet(self, sql: str, path: Path) -> None:
        """Write the result of ``sql`` as a Parquet folder (one file per partition)."""
        self.spark.sql(sql).write.mode("overwrite").parquet(str(path))

    def parquet_view(self, name: str, path: Path) -> None:
        """A view of a Parquet file or folder."""
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)

    def close(self) -> None:
        """Leave the session running (it stops when the process ends).

        A build opens the engine again for the sidecar, and a local session takes seconds to
        start; a remote one is shared.
        """
