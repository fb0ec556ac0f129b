"""The one table of engines: each an adapter with its name, extra, dialect and session.

Adding an engine is a module with its session (an ``Engine`` subclass: register the table,
fetch, view, write Parquet), a ``Dialect`` subclass in ``dialect`` for what its SQL spells
otherwise, one row in ``ADAPTERS`` and its name in ``config.engine.ENGINES``. Nothing else
asks which engine it is: the stages read the adapter's facts and the dialect's spelling.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.config.settings import Config, EngineSettings
from generator.engine.dialect import DUCKDB, POSTGRES, SPARK, Dialect
from generator.engine.session import Engine
from generator.errors import ConfigError


@dataclass(frozen=True)
class Adapter:
    """One engine as the rest of the package knows it.

    Attributes:
        name: The ``engine:`` value.
        extra: The pip extra that installs its client (``pip install 'segments[extra]'``).
        dialect: Its SQL spelling.
        open: Start a session (``settings``, a folder it may spill to); raises ``ConfigError``
            naming the extra when its package is missing.
        hashes_file: Whether the build cache may key a ``data.path`` file by its bytes (the
            sidecar it writes is then a folder the keys need not hash).
    """

    name: str
    extra: str
    dialect: Dialect
    open: Callable[[EngineSettings, Path], Engine]
    hashes_file: bool = False


def require_extra(module: str, extra: str, what: str) -> None:
    """Refuse ``what`` (a ConfigError naming the extra) unless ``module`` can be imported."""
    if module and importlib.util.find_spec(module) is not None:
        return
    raise ConfigError(
        f"{what} needs the optional package of the '{extra}' extra; "
        f"install it with: pip install 'segments[{extra}]'"
    )


def _duckdb(settings: EngineSettings, temp: Path) -> Engine:
    require_extra("duckdb", "duckdb", "engine: duckdb")
    from generator.engine.duck import DuckEngine

    return DuckEngine(settings, temp)


def _spark(settings: EngineSettings, temp: Path) -> Engine:
    from generator.engine.spark import SparkEngine, remote

    if remote():
        require_extra("pyspark", "spark", "engine: spark with SPARK_REMOTE")
    elif not _full_pyspark():
        require_extra(
            "", "spark-local", "engine: spark without SPARK_REMOTE (a local Spark session)"
        )
    return SparkEngine(settings, temp)


def _full_pyspark() -> bool:
    """True when pyspark with its jars (not only the Spark Connect client) is installed."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        return False
    return (Path(spec.origin).parent / "jars").is_dir()


def _postgres(settings: EngineSettings, temp: Path) -> Engine:
    require_extra("psycopg", "postgres", "engine: postgres")
    from generator.engine.postgres import PostgresEngine

    return PostgresEngine(settings, temp)


ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter
    for adapter in (
        Adapter("duckdb", "duckdb", DUCKDB, _duckdb, hashes_file=True),
        Adapter("spark", "spark", SPARK, _spark),
        Adapter("postgres", "postgres", POSTGRES, _postgres),
    )
}


def adapter(name: str) -> Adapter:
    """The adapter of a configured engine (``config.engine`` names only registered ones)."""
    return ADAPTERS[name]


def open_engine(config: Config, temp: Path) -> Engine:
    """Connect to the configured engine (``temp``: a folder it may spill to).

    Raises:
        ConfigError: When the engine's optional package is not installed (names the extra).
    """
    return adapter(config.engine.name).open(config.engine, temp)
