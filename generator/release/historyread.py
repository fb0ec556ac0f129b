"""Reading the release history, which anyone may have edited: every field is checked.

The History page renders the file's figures as they are, so a wrong type, a share outside 0 to
1, a size above the release's customers or a flow into a segment the release does not have is
a ``ConfigError`` naming the file, the field and what was expected (one line, exit 2).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from generator.errors import ConfigError
from generator.model import FrozenMap
from generator.release.history import (
    FORMAT,
    FlowCell,
    History,
    HistoryEntry,
    HistoryFlow,
    HistorySegment,
)
from generator.release.lockread import MAX_INT, is_bounded_number

MAX_BYTES = 16 * 2**20
T = TypeVar("T")


class _Bad(ValueError):
    """A field that is not what the format expects: ``where`` it is and ``what`` was expected."""

    def __init__(self, where: str, value: Any, what: str) -> None:
        shown = json.dumps(value, ensure_ascii=False)[:40] if value is not _MISSING else None
        super().__init__(f"{where} is missing" if shown is None else f"{where} is {shown}")
        self.what = what


_MISSING = object()


def read_history(path: Path) -> History | None:
    """The history file at ``path``, checked; None when there is none.

    Raises:
        ConfigError: When the file exists but is not a valid release history.
    """
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_BYTES:
        raise _error(path, f"larger than {MAX_BYTES // 2**20} MB", "a release history")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise _error(path, f"not JSON ({str(exc)[:80]})", "a release history in JSON") from exc
    try:
        return history_from(raw)
    except _Bad as exc:
        raise _error(path, str(exc), exc.what) from exc


def history_from(raw: Any) -> History:
    """A history from its JSON data, every field checked.

    Raises:
        ValueError: Naming the first bad field (its ``what`` says what was expected).
    """
    if not isinstance(raw, dict):
        raise _Bad("content", raw, "an object with the keys format and releases")
    if raw.get("format") != FORMAT:
        raise _Bad("format", raw.get("format", _MISSING), f"{FORMAT}")
    _keys(raw, {"format", "releases"}, "")
    releases = _list(raw, "releases", "")
    return History(tuple(_entry(item, f"releases[{i}]") for i, item in enumerate(releases)))


def _error(path: Path, problem: str, expected: str) -> ConfigError:
    return ConfigError(
        f"{path}: the release history's {problem} (expected {expected}); restore it from "
        "version control, or delete it and run segments history --rebuild-from GIT_RANGE"
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _entry(item: Any, where: str) -> HistoryEntry:
    _keys(item, {"fingerprint", "date", "n_customers", "segments", "flow"}, where)
    n = _get(item, "n_customers", where, _whole, "a whole number from 1 to 2^53", minimum=1)
    segments = tuple(
        _segment(s, f"{where}.segments[{i}]", n)
        for i, s in enumerate(_list(item, "segments", where))
    )
    numbers = [s.number for s in segments]
    if not segments or len(set(numbers)) != len(numbers) or numbers != sorted(numbers):
        raise _Bad(f"{where}.segments", numbers, "segments in number order, each number once")
    if len({s.slug for s in segments}) != len(segments):
        raise _Bad(f"{where}.segments", [s.slug for s in segments], "a different slug each")
    flow = item["flow"]
    return HistoryEntry(
        fingerprint=_get(item, "fingerprint", where, _text, "a non-empty string"),
        date=_optional(item, "date", where, _date, "a date as YYYY-MM-DD, or null"),
        n_customers=n,
        segments=segments,
        flow=_flow(flow, f"{where}.flow", set(numbers)) if flow is not None else None,
    )


def _segment(item: Any, where: str, n: int) -> HistorySegment:
    _keys(
        item,
        {"number", "slug", "name", "size", "share", "share_noise", "centroid"}
        | {"value_share", "outcomes"},
        where,
    )
    fraction = "a number from 0 to 1, or null"
    return HistorySegment(
        number=_get(item, "number", where, _whole, "a whole number from 1", minimum=1),
        slug=_get(item, "slug", where, _text, "a non-empty string"),
        name=_get(item, "name", where, _text, "a non-empty string"),
        size=_optional(item, "size", where, _whole, f"a whole number up to {n:,}, or null", n),
        share=_optional(item, "share", where, _fraction, fraction),
        share_noise=_optional(item, "share_noise", where, _fraction, fraction),
        centroid=_optional(item, "centroid", where, _numbers, "numbers by column, or null"),
        value_share=_optional(item, "value_share", where, _number, "a number, or null"),
        outcomes=_optional(item, "outcomes", where, _rates, "rates (or null) by column, or null"),
    )


def _flow(item: Any, where: str, numbers: set[int]) -> HistoryFlow:
    _keys(item, {"since", "cells"}, where)
    cells = []
    for i, cell in enumerate(_list(item, "cells", where)):
        at = f"{where}.cells[{i}]"
        _keys(cell, {"from", "to", "customers"}, at)
        after = _get(cell, "to", at, _whole, "a segment number of this release", minimum=1)
        if after not in numbers:
            raise _Bad(f"{at}.to", after, "a segment number of this release")
        cells.append(
            FlowCell(
                before=_get(cell, "from", at, _whole, "a segment number", minimum=1),
                after=after,
                customers=_optional(cell, "customers", at, _whole, "a whole number, or null"),
            )
        )
    return HistoryFlow(_get(item, "since", where, _text, "a fingerprint"), tuple(cells))


def _keys(item: Any, keys: set[str], where: str) -> None:
    """``item`` is an object with exactly ``keys`` (a misspelt key is a mistake, not data)."""
    expected = f"an object with the keys {', '.join(sorted(keys))}"
    if not isinstance(item, dict):
        raise _Bad(where, item, expected)
    for key in sorted(keys - set(item)):
        raise _Bad(_at(where, key), _MISSING, expected)
    for key in sorted(set(item) - keys):
        raise _Bad(_at(where, key), item[key], f"no key {key!r}: {expected}")


def _at(where: str, key: str) -> str:
    """The path of ``key`` inside ``where`` (``releases[2].segments``)."""
    return f"{where}.{key}" if where else key


def _list(item: dict[str, Any], key: str, where: str) -> list[Any]:
    value = item[key]
    if not isinstance(value, list) or len(value) > 100_000:
        raise _Bad(_at(where, key), value, "a list")
    return value


def _get(
    item: dict[str, Any],
    key: str,
    where: str,
    check: Callable[..., T | None],
    what: str,
    *args: Any,
    **kwargs: Any,
) -> T:
    value = check(item[key], *args, **kwargs)
    if value is None:
        raise _Bad(_at(where, key), item[key], what)
    return value


def _optional(
    item: dict[str, Any], key: str, where: str, check: Callable[..., T | None], what: str, *a: Any
) -> T | None:
    return None if item[key] is None else _get(item, key, where, check, what, *a)


def _whole(value: Any, maximum: int = MAX_INT, minimum: int = 0) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool)
    return value if ok and minimum <= value <= maximum else None


def _number(value: Any) -> float | None:
    return float(value) if is_bounded_number(value) else None


def _fraction(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and 0 <= number <= 1 else None


def _numbers(value: Any) -> FrozenMap[str, float] | None:
    return _mapping(value, _number)


def _rates(value: Any) -> FrozenMap[str, float | None] | None:
    """Outcome rates by column, a rate privacy hid being null."""
    if not isinstance(value, dict) or not value or not all(value):
        return None
    checked = {key: None if v is None else _fraction(v) for key, v in value.items()}
    if any(checked[key] is None and value[key] is not None for key in value):
        return None
    return FrozenMap((key, None if v is None else float(v)) for key, v in checked.items())


def _fractions(value: Any) -> FrozenMap[str, float] | None:
    return _mapping(value, _fraction)


def _mapping(value: Any, check: Callable[[Any], float | None]) -> FrozenMap[str, float] | None:
    if not isinstance(value, dict) or not value:
        return None
    checked = {key: check(v) for key, v in value.items()}
    if any(v is None or not key for key, v in checked.items()):
        return None
    return FrozenMap((key, float(v)) for key, v in checked.items() if v is not None)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value and len(value) <= 1_000 else None


def _date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        day = dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None
    return day if day == value else None
