"""Every chart of the site, built with Altair from aggregates (never more than ``MAX_POINTS`` rows).

Chart data uses fixed field names (``x``, ``y``, ``segment``, ``value``...) so that column names
from the data never become Vega field expressions; human labels only appear in titles.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from generator.model import Analysis, ChartSpec, FrozenMap
from generator.report.charts.checks import check
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
# Hidden parts (a small group, or one hidden to protect it) are this grey, outside the palette.
HIDDEN_GREY = "#BBBBBB"
MAX_POINTS = 1_000
HEIGHT = 300

# Axis and legend labels break at spaces into lines of at most this many characters, at most
# LINES of them, the last ending in "..." when words were left out (the tooltips and the CSV
# keep the whole name). The expression is fixed: no data ever becomes part of it.
AXIS_WRAP = 34
LEGEND_WRAP = 36
LINES = 3
LINE_PX = 13  # a label line's height at Vega's 10-11 px label fonts
BAND_PX = 20  # Vega-Lite's default band for one line


def _wrap_expr(width: int) -> str:
    lines = rf"split(trim(replace(datum.label, /(.{{1,{width}}})(\s+|$)/g, '$1\n')), '\n')"
    last = LINES - 1
    kept = ", ".join(f"{lines}[{i}]" for i in range(last))
    return f"length({lines}) > {LINES} ? [{kept}, {lines}[{last}] + '\u2026'] : {lines}"


def label_lines(text: str, width: int = AXIS_WRAP) -> int:
    """How many lines the wrap expression draws ``text`` on (Python's reading of the same rule)."""
    return max(1, min(LINES, len(re.findall(rf"(.{{1,{width}}})(?:\s+|$)", text))))


# Words drawn beside marks (a bar's share, "hidden") take this style: grey on the light page,
# and segments.js lightens it for the dark palette.
NOTE = "segments-note"


def _config(band: alt.Step | None = None) -> alt.Config:
    """Every chart's config: discrete axes wrap their labels, notes take their style.

    Legends wrap through ``wrapped_legend`` (Vega-Lite's legend config has no labelExpr).
    ``band`` sets a discrete band's height (as config: an explicit step height makes Vega-Lite
    warn).
    """
    view = alt.ViewConfig(stroke=None)
    if band is not None:
        view = alt.ViewConfig(stroke=None, discreteHeight=band.to_dict())
    return alt.Config(
        view=view,
        axisDiscrete=alt.AxisConfig(labelExpr=_wrap_expr(AXIS_WRAP), labelLimit=220),
        style={NOTE: {"color": "#555"}},
    )


def wrapped_legend(**options: Any) -> alt.Legend:
    """A legend whose labels wrap (and abbreviate) instead of being cut at its label limit."""
    return alt.Legend(labelExpr=_wrap_expr(LEGEND_WRAP), labelLimit=280, **options)


def band(labels: Sequence[str]) -> alt.Step | None:
    """A band tall enough for the longest wrapped label, or None when one line fits."""
    lines = max((label_lines(str(label)) for label in labels), default=1)
    return alt.Step(max(BAND_PX, LINE_PX * lines + 6)) if lines > 1 else None


def spec(
    name: str,
    title: str,
    description: str,
    layers: list[alt.Chart],
    data: pd.DataFrame,
    height: int | alt.Step | None = None,
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
        "config": _config(height if isinstance(height, alt.Step) else None),
    }
    if height is not None and not isinstance(height, alt.Step):
        top["height"] = height
    chart = alt.layer(*layers, **top) if len(layers) > 1 else layers[0].properties(**top)
    # Schema validation costs ~0.1 s a chart; tests/report/test_rendered_pages.py validates
    # every spec instead.
    as_dict: dict[str, Any] = chart.to_dict(validate=False)
    check(name, as_dict)
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
        legend=wrapped_legend(orient="bottom", columns=1) if legend else None,
    )


def shape(analysis: Analysis, legend: bool = True) -> alt.Shape:
    """Segment markers; with the colours' legend they merge into one (same field and title)."""
    names = segment_names(analysis)
    return alt.Shape(
        "segment:N",
        title=say("segment.legend"),
        scale=alt.Scale(domain=names, range=[SHAPES[i % len(SHAPES)] for i in range(len(names))]),
        legend=wrapped_legend(orient="bottom", columns=1) if legend else None,
    )


def _room_for_labels(sizes: list[int | None]) -> alt.Scale:
    """An axis long enough that the share printed after the longest bar stays inside."""
    largest = max((s for s in sizes if s is not None), default=0)
    return alt.Scale(domainMax=largest * 1.15) if largest else alt.Scale()


def segment_sizes(analysis: Analysis, visible: list[bool]) -> ChartSpec:
    """Customers per segment with their shares; a hidden segment shows no bar, and says so."""
    names = segment_names(analysis)
    shown = list(zip(analysis.profiles, visible, strict=True))
    # Sizes from the profiles, not the frame: a hidden one there makes the column float (NaN).
    sizes = [p.size if ok else None for p, ok in shown]
    shares = [p.share if ok else None for p, ok in shown]
    data = pd.DataFrame({"segment": names, "customers": sizes, "share": shares})
    # Beside each bar, the pages' own rounding of its share (Vega's ".0%" rounds halves
    # otherwise), or the word "hidden" at zero where a hidden segment's bar would be.
    text_rows = data.assign(
        label=[percent(v) if v is not None else say("hidden") for v in shares],
        at=[c if c is not None else 0 for c in sizes],
    )
    rows = inline(text_rows)  # one object for both layers
    y = alt.Y("segment:N", title=None, sort=names)
    bars = (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("customers:Q", title=say("customers"), scale=_room_for_labels(sizes)),
            color=colour(analysis, legend=False),
            tooltip=[
                alt.Tooltip("segment:N"),
                alt.Tooltip("customers:Q"),
                alt.Tooltip("share:Q", format=".0%"),
            ],
        )
    )
    text = (
        alt.Chart(rows)
        .mark_text(align="left", dx=4, style=NOTE)
        .encode(y=y, x=alt.X("at:Q"), text=alt.Text("label:N"))
    )
    items = "; ".join(
        say("sizes.item", segment=n, customers=c if c is not None else say("hidden"))
        for n, c in zip(names, sizes, strict=True)
    )
    description = say("sizes.description", items=items)
    return spec(
        "segment-sizes", say("sizes.title"), description, [bars, text], data, height=band(names)
    )
