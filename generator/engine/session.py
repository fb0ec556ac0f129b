"""What every engine's session does: register the customer table as a view, run queries.

An ``Engine`` runs SQL and hands back Arrow tables (aggregates and bounded samples only) or
writes a query's result as Parquet; the concrete engines (``duck``, ``spark``, ``postgres``)
are listed in ``adapters`` and imported only when configured, so a missing optional package
costs nothing until then.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType

import pyarrow as pa

from generator.config.settings import Config
from generator.engine.dialect import Dialect
from generator.errors import DataError

SOURCE = "segments_source"
CUSTOMERS = "segments_customers"


class Engine(ABC):
    """A connection to an engine, with the customer table registered as ``SOURCE``."""

    dialect: Dialect

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def register(self, config: Config) -> list[tuple[str, str]]:
        """Register the configured table as ``SOURCE``; return its (column, type) pairs."""

    @abstractmethod
    def fetch(self, sql: str) -> pa.Table:
        """Run a query whose result is small (an aggregate or a bounded sample)."""

    @abstractmethod
    def view(self, name: str, sql: str) -> None:
        """Create (or replace) a temporary view."""

    @abstractmethod
    def write_parquet(self, sql: str, path: Path) -> None:
        """Write the result of ``sql`` as Parquet at ``path``, on the engine's side."""

    @abstractmethod
    def parquet_view(self, name: str, path: Path) -> None:
        """Create (or replace) a temporary view of a Parquet file or folder."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection or session."""

    def where(self, config: Config) -> str:
        """How messages name the table: its path, its catalog name or ``data.sql``."""
        if config.engine.table:
            return f"table {config.engine.table}"
        if config.engine.sql:
            return f"{config.path}: data.sql"
        return str(config.data_path)


def engine_error(where: str, exc: Exception) -> DataError:
    """An engine's failure as one line naming the table (the engine's first line of text)."""
    first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    return DataError(f"{where}: the engine could not read the table: {first.strip()}")
