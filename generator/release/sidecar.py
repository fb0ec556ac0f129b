"""The assignments sidecar ``data/segments.assignments.csv``: each customer's published segment.

The lock file holds the model, not customers. To compare old and new assignments customer by
customer (adjusted Rand index, customer flow), the build also writes this sidecar beside the
lock: two columns, the customer ID and the segment number. It holds customer IDs, so it lives in
``data/`` with the analyst's table and is never published in the site. Commit it with the lock
(or keep it out of version control with the table; the change report then leaves out the
customer comparison). The lock records its SHA-256, so a sidecar from another release is caught.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from generator.config.settings import Config
from generator.errors import DataError
from generator.model import Analysis
from generator.release.lockfile import Lock

ASSIGNMENTS_NAME = "segments.assignments.csv"
ASSIGNMENTS_PARQUET = "segments.assignments.parquet"
# Cells starting so are formulas to a spreadsheet; the apostrophe is the escape itself.
ESCAPED_START = ("=", "+", "-", "@", "\t", "\r", "'")


@dataclass(frozen=True)
class Assignments:
    """Customer IDs (as text) and the segment number each was published in."""

    ids: np.ndarray
    numbers: np.ndarray


def assignments_path(config: Config) -> Path:
    """Where the sidecar of ``config`` lives: beside the config (and the lock).

    With an engine it is Parquet, written by the engine (``release.engine_sidecar``).
    """
    if not config.engine.is_local:
        return config.path.parent / ASSIGNMENTS_PARQUET
    return config.path.parent / ASSIGNMENTS_NAME


def segment_numbers(analysis: Analysis) -> np.ndarray:
    """Every customer's published segment number, in table row order."""
    numbers = np.asarray([p.number for p in analysis.profiles], dtype=np.int64)
    per_customer: np.ndarray = numbers[analysis.segmentation.labels]
    return per_customer


def assignments_csv(analysis: Analysis) -> str:
    """The sidecar's text: the ID column and ``segment``, one row per customer, in ID order."""
    table = analysis.table
    ids = pa.array(escaped(table.frame[table.id_column].to_numpy()))
    columns = pa.table({table.id_column: ids, "segment": pa.array(segment_numbers(analysis))})
    sink = io.BytesIO()
    # Arrow's writer: a second for 10M rows where pandas takes ten.
    pacsv.write_csv(columns, sink, pacsv.WriteOptions(quoting_style="needed"))
    return sink.getvalue().decode("utf-8")


def escaped(ids: np.ndarray) -> np.ndarray:
    """Text IDs that a spreadsheet would run as a formula, behind an apostrophe.

    Reversible: an ID that itself starts with an apostrophe gets one more (see ``unescaped``).
    """
    if ids.dtype.kind != "O":
        return ids
    series = pd.Series(ids, dtype=object)
    text = series.astype(str)
    risky = series.map(lambda v: isinstance(v, str)) & text.str.startswith(ESCAPED_START)
    return series.where(~risky, "'" + text).to_numpy(dtype=object)


def unescaped(ids: pd.Series) -> np.ndarray:
    """The IDs as the table holds them (see ``escaped``)."""
    plain = ids.where(~ids.str.startswith("'"), ids.str[1:])
    return plain.to_numpy(dtype=object)


def text_sha256(text: str) -> str:
    """SHA-256 of text as written (UTF-8), to record in the lock."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_assignments(path: Path, lock: Lock) -> Assignments | None:
    """Read the sidecar written with ``lock``; None when it (or its record in the lock) is absent.

    Raises:
        DataError: When the file does not belong to the lock or is malformed.
    """
    if not path.is_file() or lock.assignments_sha256 is None:
        return None
    text = path.read_text(encoding="utf-8")
    if text_sha256(text) != lock.assignments_sha256:
        raise DataError(
            f"{path}: does not belong to the segments lock file (its SHA-256 differs); restore "
            "both from the same release, or delete this file to leave out the customer comparison"
        )
    malformed = DataError(
        f"{path}: expected two columns, unique customer IDs and the locked segment numbers"
    )
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise malformed from exc
    numbers = pd.to_numeric(frame.iloc[:, -1], errors="coerce").to_numpy()
    known = np.isin(numbers, [s.number for s in lock.segments])
    ids = unescaped(frame.iloc[:, 0])
    if frame.shape[1] != 2 or not known.all() or not pd.Index(ids).is_unique:
        raise malformed
    return Assignments(ids, numbers.astype(np.int64))
