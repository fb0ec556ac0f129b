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
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.config.settings import Config
from generator.errors import ConfigError
from generator.model import Analysis

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
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()


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


def model_json(lock: Lock) -> dict[str, Any]:
    """The scoring model for other systems (published as ``downloads/model.json``).

    To score a customer: take the features in ``features`` order, apply ``log1p`` when
    ``scaler.log1p`` is true, subtract ``scaler.center`` and divide by ``scaler.scale``; the
    customer belongs to the segment whose ``scaled_centroid`` is nearest (Euclidean distance).
    """
    scaled = lock.transform(lock.centroids())
    return {
        "format": "segments-model/1",
        "features": list(lock.features),
        "scaler": _scaler_dict(lock),
        "segments": [
            {
                "number": s.number,
                "slug": s.slug,
                "name": s.name,
                "centroid": dict(zip(lock.features, _rounded(s.centroid), strict=True)),
                "scaled_centroid": _rounded(scaled[i]),
            }
            for i, s in enumerate(lock.segments)
        ],
        "scoring": (
            "x = features in order; if scaler.log1p: x = log1p(x); z = (x - scaler.center) / "
            "scaler.scale; segment = the one whose scaled_centroid is nearest to z (Euclidean)"
        ),
    }


def read_lock(path: Path) -> Lock | None:
    """Read a lock file; None when there is none (a first build).

    Raises:
        ConfigError: When the file exists but is not a valid lock (the message says how to
            start afresh).
    """
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _corrupt(path, f"not valid JSON ({exc})") from exc
    try:
        return _parse(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise _corrupt(path, f"bad or missing field {exc}") from exc


def _corrupt(path: Path, why: str) -> ConfigError:
    return ConfigError(
        f"{path}: the segments lock file is {why}; restore it from version control, or delete "
        "it (or build with --relock) to start numbering afresh"
    )


def _parse(raw: Any) -> Lock:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError(f"'format' (expected {FORMAT})")
    features = tuple(_strings(raw["features"]))
    scaler = raw["scaler"]
    center, scale = _floats(scaler["center"]), _floats(scaler["scale"])
    segments = tuple(_segment(item, len(features)) for item in raw["segments"])
    numbers = [s.number for s in segments]
    if len(center) != len(features) or len(scale) != len(features) or 0 in scale:
        raise ValueError("'scaler' (one center and one non-zero scale per feature)")
    if not segments or len(set(numbers)) != len(numbers):
        raise ValueError("'segments' (at least one, with unique numbers)")
    if len({s.slug for s in segments}) != len(segments):
        raise ValueError("'segments' (unique slugs)")
    highest = _int(raw["highest_number"])
    if highest < max(numbers):
        raise ValueError("'highest_number' (at least the highest segment number)")
    return Lock(
        features=features,
        log1p=_bool(scaler["log1p"]),
        center=center,
        scale=scale,
        segments=segments,
        highest_number=highest,
        n_customers=_int(raw["n_customers"]),
        data_sha256=str(raw["data_sha256"]),
        config_hash=str(raw["config_hash"]),
        date=_optional_str(raw.get("date")),
        assignments_sha256=_optional_str(raw.get("assignments_sha256")),
        previous=_parse(raw["previous"]) if raw.get("previous") is not None else None,
        comparison=_comparison(raw.get("comparison")),
    )


def _comparison(value: Any) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise ValueError(f"'comparison' {value!r} (expected a mapping)")
    return value


def _segment(item: Any, n_features: int) -> LockedSegment:
    centroid = _floats(item["centroid"])
    if len(centroid) != n_features:
        raise ValueError("'centroid' (one value per feature)")
    number = _int(item["number"])
    if number < 1:
        raise ValueError("'number' (>= 1)")
    slug, name = _strings([item["slug"], item["name"]])
    base = item.get("base_name")
    base_name = _strings([base])[0] if base is not None else None
    return LockedSegment(number, slug, name, _int(item["size"]), centroid, base_name)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r} (expected a whole number >= 0)")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} (expected true or false)")
    return value


def _floats(values: Any) -> tuple[float, ...]:
    if not isinstance(values, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    ):
        raise ValueError(f"{values!r} (expected a list of numbers)")
    return tuple(float(v) for v in values)


def _strings(values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"{values!r} (expected non-empty strings)")
    return list(values)


def _optional_str(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{value!r} (expected a string)")
    return value


def _rounded(values: Any) -> list[float]:
    """Round to ``DIGITS`` significant digits so floating noise never shows up as a diff."""
    return [float(f"{float(v):.{DIGITS}g}") for v in values]
