"""Reading the segments lock file, which anyone may have edited: every field is checked.

Numbers are bounded (whole numbers JSON round-trips exactly, floats whose squares cannot
overflow), and the remembered customer comparison is checked field by field, since the "What
changed" page renders it as is. Anything else is a ``ConfigError`` that says how to start afresh.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from generator.errors import ConfigError
from generator.release.lockfile import FORMAT, Lock, LockedSegment

# Bounds on a hand-edited lock: integers JSON round-trips exactly, floats whose squares fit.
MAX_INT = 2**53
MAX_FLOAT = 1e100


def read_lock(path: Path) -> Lock | None:
    """Read a lock file; None when there is none (a first build).

    Raises:
        ConfigError: When the file exists but is not a valid lock (the message says how to
            start afresh).
    """
    if not path.is_file():
        return None
    try:
        return parse_lock(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ConfigError(
            f"{path}: the segments lock file is {exc}; restore it from version control, or "
            "delete it (or build with --relock) to start numbering afresh"
        ) from exc


def parse_lock(text: str) -> Lock:
    """A lock from the text of a lock file (one on disk, or one committed to git).

    Raises:
        ValueError: Saying what is wrong ("not valid JSON (...)", "bad or missing field ...").
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc})") from exc
    except RecursionError as exc:  # a hand-made chain of thousands of nested objects
        raise ValueError("not a lock file (its objects are nested too deeply)") from exc
    try:
        return _parse(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"bad or missing field {exc}") from exc


def _parse(raw: Any, nested: bool = False) -> Lock:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError(f"'format' (expected {FORMAT})")
    if nested and raw.get("previous") is not None:  # a release keeps its predecessor only
        raise ValueError("'previous' (the previous release holds no 'previous' of its own)")
    features = tuple(_strings(raw["features"]))
    scaler = raw["scaler"]
    center, scale = _floats(scaler["center"]), _floats(scaler["scale"])
    segments = tuple(_segment(item, len(features)) for item in raw["segments"])
    numbers = [s.number for s in segments]
    tiny = any(abs(v) < 1 / MAX_FLOAT for v in scale)
    if len(center) != len(features) or len(scale) != len(features) or tiny:
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
        n_customers=_customers(raw["n_customers"], segments),
        data_sha256=str(raw["data_sha256"]),
        config_hash=str(raw["config_hash"]),
        date=_optional_str(raw.get("date")),
        assignments_sha256=_optional_str(raw.get("assignments_sha256")),
        previous=_parse(raw["previous"], True) if raw.get("previous") is not None else None,
        comparison=_comparison(raw.get("comparison")),
    )


def _customers(value: Any, segments: tuple[LockedSegment, ...]) -> int:
    """The release's customer count: shares are divided by it, so at least every segment's."""
    count = _int(value)
    if count < max(1, *(s.size for s in segments)):
        raise ValueError(f"'n_customers' {count} (expected at least the largest segment size)")
    return count


def _comparison(value: Any) -> dict[str, Any] | None:
    """The remembered customer comparison, checked field by field (it is rendered as is)."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"common", "ari", "flow"}:
        raise ValueError("'comparison' (expected common, ari and flow)")
    ari = value["ari"]
    if ari is not None and not (is_bounded_number(ari) and -1 <= float(ari) <= 1):
        raise ValueError(f"'comparison.ari' {str(ari)[:40]} (expected a number from -1 to 1)")
    if value["common"] is not None:
        _int(value["common"])
    if value["flow"] is not None:
        _flow(value["flow"])
    return value


def _flow(flow: Any) -> None:
    if not isinstance(flow, dict) or set(flow) != {"rows", "columns", "counts", "left", "joined"}:
        raise ValueError("'comparison.flow' (expected rows, columns, counts, left and joined)")
    rows, columns = _ints(flow["rows"]), _ints(flow["columns"])
    counts = flow["counts"]
    shaped = isinstance(counts, list) and len(counts) == len(rows)
    if not shaped or any(len(_ints(row)) != len(columns) for row in counts):
        raise ValueError("'comparison.flow.counts' (one count per row and column)")
    if len(_ints(flow["left"])) != len(rows) or len(_ints(flow["joined"])) != len(columns):
        raise ValueError("'comparison.flow' (one left count per row, one joined per column)")


def _ints(values: Any) -> list[int]:
    if not isinstance(values, list):
        raise ValueError(f"{str(values)[:40]} (expected a list of whole numbers)")
    return [_int(v) for v in values]


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _segment(item: Any, n_features: int) -> LockedSegment:
    centroid = _floats(item["centroid"])
    if len(centroid) != n_features:
        raise ValueError("'centroid' (one value per feature)")
    number = _int(item["number"])
    if number < 1:
        raise ValueError("'number' (>= 1)")
    slug, name = _strings([item["slug"], item["name"]])
    if not SLUG.fullmatch(slug):  # a page's file name: never markup, a path or ../
        raise ValueError(f"'slug' {slug[:40]!r} (expected a-z, 0-9 and -, as segments writes it)")
    base = item.get("base_name")
    base_name = _strings([base])[0] if base is not None else None
    return LockedSegment(number, slug, name, _int(item["size"]), centroid, base_name)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
        raise ValueError(f"{str(value)[:40]} (expected a whole number from 0 to 2^53)")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} (expected true or false)")
    return value


def _floats(values: Any) -> tuple[float, ...]:
    if not isinstance(values, list) or not all(is_bounded_number(v) for v in values):
        raise ValueError(f"{str(values)[:80]} (expected a list of numbers within ±1e100)")
    return tuple(float(v) for v in values)


def is_bounded_number(value: Any) -> bool:
    """A JSON number whose square (in distances) cannot overflow."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        return False
    return math.isfinite(number) and abs(number) <= MAX_FLOAT


def _strings(values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"{values!r} (expected non-empty strings)")
    return list(values)


def _optional_str(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{value!r} (expected a string)")
    return value
