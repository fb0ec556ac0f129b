"""Score customers with the locked model (``segments assign``).

The new table goes through the build's own reading and validation (``pipeline.load_table``),
with the config's ``data.path`` swapped for the new file and no ``describe`` columns, so only the
ID and the feature columns are required. Each customer gets the locked segment whose centroid
is nearest in the locked scaler's space: the same rule K-Means used to label the build.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from generator.analysis.run import load_table
from generator.config.settings import Config, EngineSettings
from generator.errors import ConfigError
from generator.model import CustomerTable
from generator.release.lockfile import Lock, config_hash, lock_path
from generator.release.lockread import read_lock
from generator.report.downloads import neutralised

log = logging.getLogger(__name__)

CHUNK_CELLS = 1 << 22


def nearest_segment(lock: Lock, x: np.ndarray) -> np.ndarray:
    """Index into ``lock.segments`` of the nearest locked centroid for each row of ``x``.

    Rows are processed in chunks so memory stays bounded (about ``CHUNK_CELLS`` floats) for
    tables of any size.
    """
    centroids = lock.transform(lock.centroids())
    k, d = centroids.shape
    step = max(1, CHUNK_CELLS // (k * d))
    out = np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), step):
        z = lock.transform(x[start : start + step])
        gaps = ((z[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        out[start : start + step] = gaps.argmin(axis=1)
    return out


def score(lock: Lock, table: CustomerTable) -> pd.DataFrame:
    """The scored table: ID, segment number, slug and name, in ID order.

    Raises:
        ConfigError: When the table's features are not the locked model's features.
    """
    if tuple(table.features) != lock.features:
        raise ConfigError(
            f"the segments lock file scores features {list(lock.features)}, but the config "
            f"names {list(table.features)}; rebuild the site to lock the new features"
        )
    index = nearest_segment(lock, table.feature_matrix())
    segments = lock.segments
    return pd.DataFrame(
        {
            table.id_column: table.frame[table.id_column].to_numpy(),
            "segment": np.asarray([s.number for s in segments])[index],
            "slug": np.asarray([s.slug for s in segments], dtype=object)[index],
            "name": np.asarray([s.name for s in segments], dtype=object)[index],
        }
    )


def score_file(config: Config, path: Path) -> pd.DataFrame:
    """Read and validate ``path`` like the build does, and score it with the locked model.

    Raises:
        ConfigError: When there is no lock file (nothing has been built yet) or it is invalid.
        DataError: When the table does not pass the build's validation.
    """
    where = lock_path(config)
    lock = read_lock(where)
    if lock is None:
        raise ConfigError(
            f"{where}: no segments lock file; build the site first (segments build) so there "
            "is a published model to score customers with"
        )
    if lock.config_hash != config_hash(config):
        log.info("the config changed since the lock was written; scoring with the locked model")
    # The new customers' file is read in memory whatever the engine: an engine's table is a
    # sample on the driver, and every customer of this file needs a segment.
    local = EngineSettings()
    table = load_table(
        replace(config, data_path=path.resolve(), describe=(), outcomes=(), engine=local)
    )
    return score(lock, table)


def scored_csv(scored: pd.DataFrame) -> str:
    """The scored table as CSV text, one line per customer, safe to open in a spreadsheet."""
    return neutralised(scored).to_csv(index=False, lineterminator="\n")
