"""The segments lock file ``data/segments.lock.json``: the model of the last published release.

The lock holds what the next build needs to keep segment identity (numbers, slugs and names,
centroids in original units, the scaler) and what it needs to say what changed (sizes, the
data's SHA-256 and row count). It holds no customer data: per-customer assignments live in the
optional sidecar ``data/segments.assignments.csv`` (see ``generator.release.sidecar``), which is
never published.

The file is written with sorted keys and rounded numbers, and its date comes from
``SOURCE_DATE_EPOCH`` (absent when unset), never from the clock, so two builds of the same data
write the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from generator.config.settings import Config
from generator.model import Analysis
from generator.runtime.epoch import source_date_epoch

FORMAT = 1
LOCK_NAME = "segments.lock.json"
DIGITS = 10


@dataclass(frozen=True)
class LockedSegment:
    """One segment of the locked release; ``centroid`` is in original units, feature order.

    ``name`` is the name published; ``base_name`` is the one it had before a config persona
    override (None when no override renamed it). Matching keeps the base name and the override
    is applied again, so removing an override brings the segment's own name back.
    """

    number: int
    slug: str
    name: str
    size: int
    centroid: tuple[float, ...]
    base_name: str | None = None

    @property
    def own_name(self) -> str:
        """The name the segment keeps across releases, without overrides."""
        return self.base_name or self.name


@dataclass(frozen=True)
class Lock:
    """The model of the last published release (see the module docstring)."""

    features: tuple[str, ...]
    log1p: bool
    center: tuple[float, ...]
    scale: tuple[float, ...]
    segments: tuple[LockedSegment, ...]
    highest_number: int
    n_customers: int
    data_sha256: str
    config_hash: str
    date: str | None = None
    assignments_sha256: str | None = None
    # The release before this one and how customers moved since it (aggregates only), kept so
    # that rebuilding this release renders the same "What changed" page.
    previous: Lock | None = None
    comparison: dict[str, Any] | None = None

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Scale rows of original feature values the way the locked model does."""
        values = np.log1p(x) if self.log1p else np.asarray(x, dtype=np.float64)
        scaled: np.ndarray = (values - np.asarray(self.center)) / np.asarray(self.scale)
        return scaled

    def centroids(self) -> np.ndarray:
        """The locked centroids in original units (segments x features)."""
        return np.asarray([s.centroid for s in self.segments], dtype=np.float64)


def lock_path(config: Config) -> Path:
    """Where the lock file of ``config`` lives: beside the config file."""
    return config.path.parent / LOCK_NAME


def config_hash(config: Config) -> str:
    """SHA-256 of the settings that change the analysis (``Config.analysis_dict``)."""
    text = json.dumps(config.analysis_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def release_date() -> str | None:
    """The build date from ``SOURCE_DATE_EPOCH`` (ISO, UTC), or None when it is unset."""
    epoch = source_date_epoch()
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date().isoformat()


def lock_from(
    analysis: Analysis,
    config: Config,
    previous: Lock | None = None,
    assignments_sha256: str | None = None,
    base_names: Mapping[int, str] | None = None,
) -> Lock:
    """The lock of a (matched) analysis, ready to be written after a successful build.

    Args:
        analysis: The analysis as published (after ``refresh``), so numbers are the kept ones.
        config: The config it was built with (hashed into the lock).
        previous: The lock it replaces; its highest number is carried over so a retired
            number is never given to a new segment.
        assignments_sha256: The SHA-256 of the assignments sidecar written with this lock.
        base_names: Each segment's name before persona overrides, by number.
    """
    seg = analysis.segmentation
    numbers = [p.number for p in analysis.profiles]
    own = base_names or {}
    segments = tuple(
        LockedSegment(
            p.number,
            p.slug,
            p.name,
            p.size,
            tuple(map(float, seg.centroids[i])),
            own.get(p.number) if own.get(p.number) != p.name else None,
        )
        for i, p in enumerate(analysis.profiles)
    )
    return Lock(
        features=analysis.table.features,
        log1p=seg.scaler.log1p,
        center=seg.scaler.center,
        scale=seg.scaler.scale,
        segments=segments,
        highest_number=max([*numbers, previous.highest_number if previous else 0]),
        n_customers=analysis.table.n_customers,
        data_sha256=analysis.table.source.sha256,
        config_hash=config_hash(config),
        date=release_date(),
        assignments_sha256=assignments_sha256,
    )


def _scaler_dict(lock: Lock) -> dict[str, Any]:
    return {"log1p": lock.log1p, "center": _rounded(lock.center), "scale": _rounded(lock.scale)}


def lock_dict(lock: Lock) -> dict[str, Any]:
    """The lock as plain JSON data (rounded; keys absent when their value is None)."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "features": list(lock.features),
        "scaler": _scaler_dict(lock),
        "segments": [
            {
                "number": s.number,
                "slug": s.slug,
                "name": s.name,
                "size": s.size,
                "centroid": _rounded(s.centroid),
                **({"base_name": s.base_name} if s.base_name is not None else {}),
            }
            for s in lock.segments
        ],
        "highest_number": lock.highest_number,
        "n_customers": lock.n_customers,
        "data_sha256": lock.data_sha256,
        "config_hash": lock.config_hash,
        "date": lock.date,
        "assignments_sha256": lock.assignments_sha256,
        "previous": lock_dict(lock.previous) if lock.previous is not None else None,
        "comparison": lock.comparison,
    }
    return {key: value for key, value in data.items() if value is not None}


def lock_json(lock: Lock) -> str:
    """The lock file's text: sorted keys, two-space indent, rounded numbers, final newline."""
    return json.dumps(lock_dict(lock), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def model_json(
    lock: Lock, withheld: Collection[int] = (), centre_from: Collection[int] | None = None
) -> dict[str, Any]:
    """The scoring model for other systems (published as ``downloads/model.json``).

    To score a customer: take the features in ``features`` order, apply ``log1p`` when
    ``scaler.log1p`` is true, subtract ``scaler.center`` and divide by ``scaler.scale``; the
    customer belongs to the segment whose ``scaled_centroid`` is nearest (Euclidean distance).

    The centres of the segments numbered in ``withheld`` (those too small to describe under the
    privacy rule: a one-customer segment's centre is that customer's row) are null; such a model
    scores their customers into the nearest published segment.

    ``centre_from`` (when some segment is hidden): the segments whose size-weighted centre
    becomes ``scaler.center``. Everyone's mean, beside the published centres and sizes, would
    give a hidden segment's centre away; nearest-centre scoring does not depend on the centre
    (it moves the customer and every centre alike), so nothing else changes.
    """
    if centre_from is not None:
        lock = replace(lock, center=_centre(lock, centre_from))
    scaled = lock.transform(lock.centroids())
    segments = []
    for i, s in enumerate(lock.segments):
        hidden = s.number in withheld
        centroid = dict(zip(lock.features, _rounded(s.centroid), strict=True))
        segments.append(
            {
                "number": s.number,
                "slug": s.slug,
                "name": s.name,
                "centroid": None if hidden else centroid,
                "scaled_centroid": None if hidden else _rounded(scaled[i]),
            }
        )
    return {
        "format": "segments-model/1",
        "features": list(lock.features),
        "scaler": _scaler_dict(lock),
        "segments": segments,
        "withheld": sorted(withheld),
        "scoring": (
            "x = features in order; if scaler.log1p: x = log1p(x); z = (x - scaler.center) / "
            "scaler.scale; segment = the one whose scaled_centroid is nearest to z (Euclidean); "
            "segments in withheld (too small to publish) have no centre and are never chosen"
        ),
    }


def _centre(lock: Lock, numbers: Collection[int]) -> tuple[float, ...]:
    """The size-weighted mean of the centres of segments ``numbers``, in log1p units if logged."""
    rows = [i for i, s in enumerate(lock.segments) if s.number in numbers]
    if not rows:
        return tuple(0.0 for _ in lock.features)
    centres = lock.centroids()[rows]
    values = np.log1p(centres) if lock.log1p else centres
    weights = np.array([lock.segments[i].size for i in rows], dtype=np.float64)
    return tuple(float(v) for v in (values * weights[:, None]).sum(axis=0) / weights.sum())


def _rounded(values: Any) -> list[float]:
    """Round to ``DIGITS`` significant digits so floating noise never shows up as a diff."""
    return [float(f"{float(v):.{DIGITS}g}") for v in values]
