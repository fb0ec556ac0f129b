"""Every chart of the site, built with Altair from aggregates (never more than ``MAX_POINTS`` rows).

Chart data uses fixed field names (``x``, ``y``, ``segment``, ``value``...) so that column names
from the data never become Vega field expressions; human labels only appear in titles.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from generator.model import Analysis, ChartSpec, FrozenMap
from generator.report.charts.words import say
from generator.report.downloads import csv_text
from generator.report.text import percent

# Okabe-Ito's six strongest colours, then six of Paul Tol's: twelve colours that stay apart on
# light and dark backgrounds (Okabe-Ito's yellow and grey vanish on one of them). With eight
# solid markers, colour and marker together differ for any two of the first 24 segments.
PALETTE = (
    *("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"),
    *("#882255", "#117733", "#332288", "#AA4499", "#44AA99", "#999933"),
)
SHAPES = (
    *("circle", "square", "triangle-up", "diamond"),
    *("cross", "triangle-down", "triangle-left", "triangle-right"),
)
MAX_POINTS = 1_000
HEIGHT = 300


def spec(
    name: str,
    title: str,
    description: str,
    layers: list[alt.Chart],
    data: pd.DataFrame,
    height: int | None = None,
    facts: Mapping[str, Any] = FrozenMap(),
) -> ChartSpec:
    """Freeze an Altair chart (layered when given several) into a stored spec plus its CSV.

    ``facts`` are computed with the chart for its caption (the template words them).
    """
    # Everything top-level goes in at once: properties() and configure_view() would each copy
    # the chart, and copying a layered chart deep-copies every layer twice more.
    top: dict[str, Any] = {
        "title": title,
        "description": description,
        "width": "container",
        "autosize": alt.AutoSizeParams(type="fit-x", contains="padding"),
        "config": alt.Config(view=alt.ViewConfig(stroke=None)),
    }
    if height is not None:
        top["height"] = height
    chart = alt.layer(*layers, **top) if len(layers) > 1 else layers[0].properties(**top)
    # Schema validation costs ~0.1 s a chart; tests/report/test_rendered_pages.py validates
    # every spec instead.
    as_dict: dict[str, Any] = chart.to_dict(validate=False)
    return ChartSpec(name, title, description, as_dict, csv_text(data), FrozenMap(facts))


def inline(frame: pd.DataFrame) -> alt.InlineData:
    """The frame's rows as chart data, missing numbers as null, just as Altair would inline them.

    Altair copies and checks a DataFrame column by column in every layer of every chart (~1 ms
    each); these frames are small and plain, so the rows are made directly.
    """
    rows = frame.to_dict(orient="records")
    return alt.InlineData(values=[{str(k): _finite(v) for k, v in row.items()} for row in rows])


def _finite(value: object) -> object:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def segment_names(analysis: Analysis) -> list[str]:
    """Display names used as the colour domain: ``1. High Income, High Spending``."""
    return [say("segment.name", number=p.number, name=p.name) for p in analysis.profiles]


def colour(analysis: Analysis, legend: bool = True) -> alt.Color:
    """Segment colours; layers that share a legend must all pass the same ``legend``."""
    names = segment_names(analysis)
    palette = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    return alt.Color(
        "segment:N",
        title=say("segment.legend"),
        scale=alt.Scale(domain=names, range=palette),
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=280) if legend else None,
    )


def shape(analysis: Analysis, legend: bool = True) -> alt.Shape:
    """Segment markers; with the colours' legend they merge into one (same field and title)."""
    names = segment_names(analysis)
    return alt.Shape(
        "segment:N",
        title=say("segment.legend"),
        scale=alt.Scale(domain=names, range=[SHAPES[i % len(SHAPES)] for i in range(len(names))]),
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=280) if legend else None,
    )


def segment_sizes(analysis: Analysis, visible: list[bool]) -> ChartSpec:
    """Customers per segment with their shares; hidden segments show no bar."""
    # Sizes from the profiles, not the frame: a hidden one there makes the column float (NaN).
    sizes = [p.size if ok else None for p, ok in zip(analysis.profiles, visible, strict=True)]
    data = pd.DataFrame(
        {
            "segment": segment_names(analysis),
            "customers": sizes,
            "share": [
                p.share if ok else None for p, ok in zip(analysis.profiles, visible, strict=True)
            ],
        }
    )
    bars = (
        alt.Chart(inline(data))
        .mark_bar()
        .encode(
            y=alt.Y("segment:N", title=None, sort=segment_names(analysis)),
            x=alt.X("customers:Q", title=say("customers")),
            color=colour(analysis, legend=False),
            tooltip=[
                alt.Tooltip("segment:N"),
                alt.Tooltip("customers:Q"),
                alt.Tooltip("share:Q", format=".0%"),
            ],
        )
    )
    # The label is the pages' own rounding of the share (Vega's ".0%" rounds halves otherwise).
    data["label"] = [percent(v) if v is not None else None for v in data["share"]]
    text = bars.mark_text(align="left", dx=4).encode(
        text=alt.Text("label:N"), color=alt.ColorValue("#666")
    )
    items = "; ".join(
        say("sizes.item", segment=n, customers=c if c is not None else say("hidden"))
        for n, c in zip(data["segment"], sizes, strict=True)
    )
    description = say("sizes.description", items=items)
    return spec("segment-sizes", say("sizes.title"), description, [bars, text], data)
