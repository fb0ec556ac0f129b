"""The analysis half when an engine holds the table: load, segment and profile on the engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.config.settings import Config
from generator.engine.adapters import open_engine
from generator.engine.session import Engine
from generator.model import Analysis, CustomerTable
from generator.runtime import cache
from generator.runtime.timing import stage
from generator.table.engine_load import load_whole, reopen


def engine_temp() -> Path:
    """Where engines spill to disk and Spark keeps its temporary files: under the cache."""
    return cache.folder().resolve() / "engine-tmp"


@contextmanager
def engine_for(config: Config, table: CustomerTable | None = None) -> Iterator[Engine]:
    """The configured engine; with ``table`` its checked customers are registered again."""
    with open_engine(config, engine_temp()) as engine:
        if table is not None and table.whole is not None:
            reopen(config, engine, table.whole)
        yield engine


def load_on_engine(config: Config) -> CustomerTable:
    """Check and sample the table on the engine (``segments validate``)."""
    with engine_for(config) as engine, stage("load"):
        return load_whole(config, engine)


def analyse_on_engine(config: Config) -> Analysis:
    """Load, segment and profile with every pass over all rows on the engine."""
    from generator.analysis.engine_fit import moments, segment_whole, value_bounds
    from generator.analysis.engine_profile import analyse_whole

    with engine_for(config) as engine:
        with stage("load"):
            table = load_whole(config, engine)
        with stage("fit"):
            # The features' moments serve the scaler and the profiles (means, sd, Pearson's r).
            features = [engine.dialect.quote(c) for c in table.features]
            raw = moments(engine, features, value_bounds(table, table.features), pairs=True)
        segmentation = segment_whole(table, config, engine, raw)
        with stage("profile"):
            return analyse_whole(table, segmentation, config, engine, raw)
