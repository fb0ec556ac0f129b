"""Engines for the passes over every row: DuckDB, Spark (local or Connect) and PostgreSQL.

``engine: local`` never imports this package. Otherwise the table stage opens the configured
engine through its adapter (``adapters``, the one table of engines), the stages build their
queries with ``sql`` (one SQL layer) and each engine's ``dialect`` spells what differs. Only
aggregates and bounded samples come back to the driver.
"""
