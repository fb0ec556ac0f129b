"""The report stage's values: chart specs and the rendered files of ``docs/``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.model.frozen import FrozenMap


@dataclass(frozen=True)
class ChartSpec:
    """One Vega-Lite chart, stored as JSON, with the words the page shows around it.

    ``facts`` are numbers computed with the chart that its caption states (for the map: how many
    customers lie outside the axes, whether the density grid is empty); the template words them.
    """

    name: str
    title: str
    description: str
    spec: dict[str, Any]
    data_csv: str
    facts: FrozenMap[str, Any] = field(default_factory=FrozenMap)


@dataclass(frozen=True)
class RenderedPage:
    """A file to write under the output folder, relative path and bytes."""

    path: str
    content: bytes
