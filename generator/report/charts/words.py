"""The charts' words (titles, axes, legends, descriptions), from ``templates/charts/words.yml``.

Templates own the words, Python the numbers: a chart asks for ``say("flow.title")`` or
``say("map.points", count=n)`` and the table's ``{placeholder}`` is filled by Python's format
rules. The table is trusted (it ships with the generator), read once per process.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from generator.errors import RenderError
from generator.runtime.resources import templates_dir

WORDS = templates_dir() / "charts" / "words.yml"


def say(key: str, /, **values: object) -> str:
    """The words at ``key`` (dotted: ``k_search.silhouette.name``), filled with ``values``.

    Raises:
        RenderError: When the table has no words at ``key``, or they name a value not given.
    """
    node: Any = _table(WORDS)
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, str):
        raise RenderError(f"{WORDS}: no words at {key!r}")
    try:
        return node.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        given = ", ".join(sorted(values)) or "none"
        raise RenderError(
            f"{WORDS}: the words at {key!r} cannot be filled ({type(exc).__name__}: {exc}); "
            f"the chart gives the values: {given}"
        ) from exc


@functools.cache
def _table(path: Path) -> dict[str, Any]:
    table: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return table
