"""What every stored chart spec must hold before it is written: no text Vega would misdraw.

Vega draws a field a row does not have as "undefined" and a text field holding null as "null"
(and NaN as "NaN"). The Customers-per-segment chart once printed "undefined" after every bar
because its text layer read a field its rows lacked. ``check`` walks the finished spec, view by
view, and refuses it when an encoding names a field that some of its rows lack, or a text
channel would draw a missing value, so such a chart never reaches a page.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from generator.errors import RenderError

# What Vega prints for a value that is missing, in any case.
MISSING_WORDS = {"undefined", "nan", "null", "infinity", "-infinity"}


def check(name: str, spec: Mapping[str, Any]) -> None:
    """Raise ``RenderError`` naming each field a view reads but its rows lack or misdraw."""
    datasets = spec.get("datasets", {})
    problems = [
        problem
        for view, rows in _views(spec, datasets, None)
        for problem in _view_problems(view, rows)
    ]
    if problems:
        raise RenderError(f"chart {name}: " + "; ".join(sorted(set(problems))))


def _views(
    view: Mapping[str, Any], datasets: Mapping[str, Any], rows: list[Any] | None
) -> Iterator[tuple[Mapping[str, Any], list[Any] | None]]:
    """Each view with the rows it draws (its own data, else its parent's)."""
    data = view.get("data")
    if isinstance(data, Mapping):
        if "values" in data:
            rows = list(data["values"])
        elif "name" in data:
            rows = list(datasets.get(data["name"], []))
    yield view, rows
    for layer in view.get("layer", ()):
        yield from _views(layer, datasets, rows)


def _view_problems(view: Mapping[str, Any], rows: list[Any] | None) -> list[str]:
    encoding = view.get("encoding")
    if not isinstance(encoding, Mapping) or rows is None:
        return []
    made = _made_by_transforms(view.get("transform", ()))
    if made is None:
        return []  # a transform we cannot follow: its output fields are unknown
    problems = []
    for channel, field in _fields(encoding):
        if field in made:
            continue
        if any(field not in row for row in rows):
            problems.append(f"the {channel} channel reads '{field}', which some rows lack")
        elif channel == "text" and any(_misdrawn(row[field]) for row in rows):
            problems.append(f"the text channel would draw a missing '{field}' as a word")
    return problems


def _made_by_transforms(transforms: Any) -> set[str] | None:
    """The fields the view's transforms add (None when one is of a kind not followed here)."""
    made: set[str] = set()
    for transform in transforms:
        if "filter" in transform:
            continue
        if "lookup" in transform:
            source = transform.get("from", {})
            made.update(source.get("fields", ()) or ())
            made.update([transform["as"]] if isinstance(transform.get("as"), str) else ())
        elif "calculate" in transform:
            made.add(transform["as"])
        else:
            return None
    return made


def _fields(encoding: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for channel, definition in encoding.items():
        for item in definition if isinstance(definition, list) else [definition]:
            if isinstance(item, Mapping) and isinstance(item.get("field"), str):
                yield channel, item["field"]


def _misdrawn(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, str) and value.strip().lower() in MISSING_WORDS
