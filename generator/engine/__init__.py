"""Engines for the passes over every row: DuckDB (embedded) and Spark (local or Spark Connect).

``engine: local`` never imports this package. Otherwise the table stage opens an engine
(``session.open_engine``), the stages build their queries with ``sql`` (one SQL layer) and the
dialects (``dialect``) differ only in the source, the hash and fetching. Only aggregates and
bounded samples come back to the driver.
"""
