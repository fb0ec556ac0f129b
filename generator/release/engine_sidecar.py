"""The assignments sidecar when an engine holds the table: written by the engine as Parquet.

Labels never come back to the driver: the engine labels every customer with the published
segments' SQL ``CASE`` and writes the folder ``segments.assignments.parquet`` (Parquet parts of
ID, typed as in the table, and segment) beside the lock. The sidecar is a function of the table
and the published model, so its fingerprint is a hash of the table's fingerprint and that model,
kept in the lock and in the folder's ``_fingerprint`` file (readers skip files starting with
``_``): a sidecar from another release is caught without reading it. The customer-level
comparison with the previous release is a join on the engine that returns only the contingency
table.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from generator.analysis.engine_profile import labelled_sql
from generator.analysis.engine_run import engine_for
from generator.config.settings import Config
from generator.engine.session import Engine
from generator.errors import DataError
from generator.model import Analysis
from generator.release.lockfile import Lock
from generator.release.sidecar import assignments_path

PREVIOUS = "segments_previous"
FINGERPRINT = "_fingerprint"


def _numbered(engine: Engine, analysis: Analysis, id_column: str = "id") -> str:
    """Every customer's ID (``id_column``: ``id`` as text, ``id_key`` as stored) and number."""
    labelled = labelled_sql(engine, analysis.table, analysis.segmentation)
    whens = " ".join(f"WHEN {i} THEN {p.number}" for i, p in enumerate(analysis.profiles))
    number = f"CASE segment {whens} ELSE 0 END"
    return f"SELECT {id_column} AS id, {number} AS segment FROM ({labelled}) AS q"


def sidecar_fingerprint(config: Config, analysis: Analysis) -> str:
    """The fingerprint of the sidecar this release writes: the table's and the model's."""
    seg = analysis.segmentation
    model = {
        "data": analysis.table.source.sha256,
        "id_column": config.id_column,
        "scaler": [seg.scaler.log1p, list(seg.scaler.center), list(seg.scaler.scale)],
        "centres": [[float(v).hex() for v in row] for row in seg.scaled_centroids],
        "numbers": [p.number for p in analysis.profiles],
    }
    text = json.dumps(model, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def write_sidecar(config: Config, analysis: Analysis, folder: Path) -> Path:
    """Write the sidecar on the engine into ``folder`` (empty; the build moves it in place)."""
    with engine_for(config, analysis.table) as engine:
        d = engine.dialect
        # IDs as the table stores them: turning 100M whole numbers into text cost more than
        # labelling them. The comparison reads them back as text, as it reads older sidecars.
        numbered = _numbered(engine, analysis, "id_key")
        # No ORDER BY: sorting every ID costs more than the rest, and readers match by ID.
        query = f"SELECT id AS {d.quote(config.id_column)}, segment FROM ({numbered}) AS q"
        engine.write_parquet(query, folder)
    (folder / FINGERPRINT).write_text(sidecar_fingerprint(config, analysis) + "\n")
    return folder


def compare_on_engine(lock: Lock, analysis: Analysis, config: Config) -> dict[str, Any] | None:
    """Customers per (old, new) segment against the previous sidecar, as ``prepare`` keeps it.

    Raises:
        DataError: When the sidecar does not belong to the lock.
    """
    path = assignments_path(config)
    if not path.exists() or lock.assignments_sha256 is None:
        return None
    marker = path / FINGERPRINT
    written = marker.read_text().strip() if marker.is_file() else ""
    if written != lock.assignments_sha256:
        raise DataError(
            f"{path}: does not belong to the segments lock file (its fingerprint differs); "
            "restore both from the same release, or delete it to leave out the customer "
            "comparison"
        )
    with engine_for(config, analysis.table) as engine:
        d = engine.dialect
        engine.parquet_view(PREVIOUS, path)
        previous = (
            f"SELECT CAST({d.quote(config.id_column)} AS {d.text_type}) AS id, segment "
            f"FROM {PREVIOUS}"
        )
        rows = engine.fetch(
            f"SELECT o.segment AS old, n.segment AS new, count(*) AS c FROM ({previous}) o "
            f"FULL OUTER JOIN ({_numbered(engine, analysis)}) n ON o.id = n.id "
            "GROUP BY o.segment, n.segment"
        ).to_pylist()
    return contingency(lock, analysis, rows)


def contingency(lock: Lock, analysis: Analysis, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The comparison ``prepare`` stores, from (old, new, count) rows (None: absent there)."""
    old_numbers = sorted(s.number for s in lock.segments)
    new_numbers = sorted(p.number for p in analysis.profiles)
    counts = [[0] * len(new_numbers) for _ in old_numbers]
    left, joined = [0] * len(old_numbers), [0] * len(new_numbers)
    for row in rows:
        old, new, c = row["old"], row["new"], int(row["c"])
        if old is not None and new is not None:
            counts[old_numbers.index(old)][new_numbers.index(new)] += c
        elif old is not None:
            left[old_numbers.index(old)] += c
        elif new is not None:
            joined[new_numbers.index(new)] += c
    common = sum(map(sum, counts))
    flow = {
        "rows": old_numbers,
        "columns": new_numbers,
        "counts": counts,
        "left": left,
        "joined": joined,
    }
    return {"common": common, "ari": adjusted_rand(counts) if common else None, "flow": flow}


def adjusted_rand(counts: list[list[int]]) -> float:
    """scikit-learn's adjusted Rand index from a contingency table (exact integer pair counts)."""
    n = sum(map(sum, counts))
    squares = sum(c * c for row in counts for c in row)
    rows = sum(sum(row) ** 2 for row in counts)
    columns = sum(sum(column) ** 2 for column in zip(*counts, strict=True))
    tp, fp, fn = squares - n, columns - squares, rows - squares
    tn = n * n - fp - fn - squares
    if fn == 0 and fp == 0:
        return 1.0
    return float(2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)))
