"""The analysis half of the program: config and table in, ``Analysis`` out."""

from __future__ import annotations

import pyarrow as pa

from generator.config.settings import Config
from generator.model import Analysis, CustomerTable
from generator.runtime.timing import stage
from generator.table.customers import customer_rows
from generator.table.read import read_table
from generator.table.validation import validate


def load_table(config: Config) -> CustomerTable:
    """Read and validate the configured table (on the engine when one is configured)."""
    if not config.engine.is_local:
        from generator.analysis.engine_run import load_on_engine

        return load_on_engine(config)
    with stage("load"):
        raw, source = read_table(config)
    raw, source = customer_rows(raw, source, config)
    with stage("validate"):
        table = validate(raw, source, config)
    del raw
    # Arrow's allocator keeps freed pages for reuse; hand the raw table's back to the system.
    pa.default_memory_pool().release_unused()
    return table


def run_analysis(config: Config) -> Analysis:
    """Load, validate, segment and profile (stages timed when a caller is recording)."""
    if not config.engine.is_local:
        from generator.analysis.engine_run import analyse_on_engine

        return analyse_on_engine(config)
    # Imported here so `segments validate` does not pay for loading scikit-learn.
    from generator.analysis.kmeans import segment
    from generator.analysis.profile import analyse

    table = load_table(config)
    segmentation = segment(table, config)
    with stage("profile"):
        return analyse(table, segmentation, config)
