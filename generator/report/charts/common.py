"""Every chart of the site, built with Altair from aggregates (never more than ``MAX_POINTS`` rows).

Chart data uses fixed field names (``x``, ``y``, ``segment``, ``value``...) so that column names
from the data never become Vega field expressions; human labels only appear in titles.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from generator.config.settings import Config
from generator.model import Analysis, ChartSpec
from generator.report.downloads import csv_text
from generator.report.privacy import Suppressor

# Okabe-Ito, the colour-blind-safe palette, ordered for contrast on light and dark backgrounds.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#999999")
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge", "stroke")
MAX_POINTS = 1_000
GRID = 24
HEIGHT = 300


def spec(
    name: str,
    title: str,
    description: str,
    layers: list[alt.Chart],
    data: pd.DataFrame,
    height: int | None = None,
) -> ChartSpec:
    """Freeze an Altair chart (layered when given several) into a stored spec plus its CSV."""
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
    # Schema validation costs ~0.1 s a chart; tests/test_site.py validates every spec instead.
    as_dict: dict[str, Any] = chart.to_dict(validate=False)
    return ChartSpec(name, title, description, as_dict, csv_text(data))


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
    return [f"{p.number}. {p.name}" for p in analysis.profiles]


def _colour(analysis: Analysis, legend: bool = True) -> alt.Color:
    """Segment colours; layers that share a legend must all pass the same ``legend``."""
    names = segment_names(analysis)
    palette = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    return alt.Color(
        "segment:N",
        title="Segment",
        scale=alt.Scale(domain=names, range=palette),
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=280) if legend else None,
    )


def _shape(analysis: Analysis) -> alt.Shape:
    names = segment_names(analysis)
    return alt.Shape(
        "segment:N",
        title="Segment",
        scale=alt.Scale(domain=names, range=[SHAPES[i % len(SHAPES)] for i in range(len(names))]),
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=280),
    )


def _centroids(analysis: Analysis, columns: tuple[str, str], min_size: int) -> pd.DataFrame:
    """Segment centres; a segment under ``min_size`` customers is too small to show one."""
    names = segment_names(analysis)
    centres = pd.DataFrame(
        {
            "x": [dict(p.centroid)[columns[0]] for p in analysis.profiles],
            "y": [dict(p.centroid)[columns[1]] for p in analysis.profiles],
            "segment": names,
            "number": [str(p.number) for p in analysis.profiles],
        }
    )
    return centres[[p.size >= min_size for p in analysis.profiles]].reset_index(drop=True)


def segment_map(
    analysis: Analysis, config: Config, name: str = "segment-map", highlight: int | None = None
) -> ChartSpec | None:
    """The first two features against each other, coloured and shaped by segment, with centroids.

    Individual customers appear only when the config allows it (and at most ``MAX_POINTS`` of
    them); otherwise the background is a density grid with small cells suppressed.
    """
    features = analysis.table.features
    if len(features) < 2:
        return None
    columns = (features[0], features[1])
    x_title, y_title = analysis.label(columns[0]), analysis.label(columns[1])
    x = alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False))
    y = alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False))
    if config.privacy.individual_points:
        data = _points(analysis, columns)
        # Points carry only a segment number; names join in once, so bytes grow by ~30 a point.
        names = alt.LookupData(
            data=alt.InlineData(
                values=[{"s": i + 1, "segment": n} for i, n in enumerate(segment_names(analysis))]
            ),
            key="s",
            fields=["segment"],
        )
        base = (
            alt.Chart(inline(data))
            .transform_lookup(lookup="s", from_=names)
            .mark_point(filled=True, size=40, opacity=0.7)
        )
        colour: alt.Color | alt.ColorValue = _colour(analysis)
        if highlight is not None:
            position = [p.number for p in analysis.profiles].index(highlight) + 1
            # A typed channel: encode() would look a condition's dict up in the whole schema.
            colour = alt.ColorValue(
                **alt.condition(f"datum.s == {position}", _colour(analysis), alt.value("#bbbbbb"))
            )
        background = base.encode(x=x, y=y, color=colour, shape=_shape(analysis))
        what = f"{len(data):,} customers as points"
    else:
        data = _density(analysis, columns, Suppressor(config.privacy.min_group_size))
        background = (
            alt.Chart(inline(data))
            .mark_rect(opacity=0.8)
            .encode(
                x=alt.X("x0:Q", title=x_title, bin="binned"),
                x2=alt.X2("x1"),
                y=alt.Y("y0:Q", title=y_title, bin="binned"),
                y2=alt.Y2("y1"),
                color=alt.Color("customers:Q", title="Customers", scale=alt.Scale(scheme="greys")),
            )
        )
        what = "a density grid of customers (cells with few customers hidden)"
    centres = _centroids(
        analysis, columns, 0 if config.privacy.individual_points else config.privacy.min_group_size
    )
    centre_rows = inline(centres)  # one object, shared by both layers
    marks = alt.Chart(centre_rows).mark_point(
        filled=True, size=260, stroke="white", strokeWidth=1.5
    )
    labels = alt.Chart(centre_rows).mark_text(dy=-16, fontWeight="bold", fontSize=13)
    centroid_layer = marks.encode(x=x, y=y, color=_colour(analysis), shape=_shape(analysis))
    text_layer = labels.encode(x=x, y=y, text=alt.Text("number:N"), color=_colour(analysis))
    description = (
        f"Scatter map of {x_title} against {y_title} showing {what}, with each segment's "
        "centre marked by its number."
    )
    layers = [background, centroid_layer, text_layer]
    title = f"Segment map: {x_title} vs {y_title}"
    return spec(name, title, description, layers, data, height=HEIGHT + 80)


def _points(analysis: Analysis, columns: tuple[str, str]) -> pd.DataFrame:
    frame = analysis.table.frame
    rows = np.arange(len(frame))
    if len(rows) > MAX_POINTS:
        rng = np.random.default_rng(0)
        rows = np.sort(rng.choice(len(frame), MAX_POINTS, replace=False))
    return pd.DataFrame(
        {
            "x": _plot_precision(frame[columns[0]].to_numpy()[rows]),
            "y": _plot_precision(frame[columns[1]].to_numpy()[rows]),
            "s": analysis.segmentation.labels[rows] + 1,
        }
    )


def _plot_precision(values: np.ndarray) -> np.ndarray:
    """Round to about a thousandth of the range: finer than a pixel, and far fewer bytes."""
    span = float(np.ptp(values)) if len(values) else 0.0
    decimals = max(0, 3 - int(np.ceil(np.log10(span)))) if span > 0 else 0
    return np.round(values, decimals)


def _density(analysis: Analysis, columns: tuple[str, str], suppress: Suppressor) -> pd.DataFrame:
    """Counts on a GRID x GRID grid; cells under the minimum group size are dropped."""
    whole = analysis.table.whole
    if whole is not None and whole.density is not None:
        counts, x_edges, y_edges = whole.density  # measured over every row by the engine
    else:
        frame = analysis.table.frame
        xs, ys = frame[columns[0]].to_numpy(), frame[columns[1]].to_numpy()
        counts, x_edges, y_edges = np.histogram2d(xs, ys, bins=GRID)
    i, j = np.nonzero(counts)
    cells = pd.DataFrame(
        {
            "x0": x_edges[i],
            "x1": x_edges[i + 1],
            "y0": y_edges[j],
            "y1": y_edges[j + 1],
            "customers": counts[i, j].astype(int),
        }
    )
    return cells[suppress.visible(cells["customers"].tolist())].reset_index(drop=True)


def segment_sizes(analysis: Analysis, visible: list[bool]) -> ChartSpec:
    """Customers per segment with their shares; hidden segments show no bar."""
    data = pd.DataFrame(
        {
            "segment": segment_names(analysis),
            "customers": [
                p.size if ok else None for p, ok in zip(analysis.profiles, visible, strict=True)
            ],
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
            x=alt.X("customers:Q", title="Customers"),
            color=_colour(analysis, legend=False),
            tooltip=[
                alt.Tooltip("segment:N"),
                alt.Tooltip("customers:Q"),
                alt.Tooltip("share:Q", format=".0%"),
            ],
        )
    )
    text = bars.mark_text(align="left", dx=4).encode(
        text=alt.Text("share:Q", format=".0%"), color=alt.ColorValue("#666")
    )
    description = "Bar chart of the number of customers in each segment. " + "; ".join(
        f"{n}: {c if c is not None else 'hidden'}"
        for n, c in zip(data["segment"], data["customers"], strict=True)
    )
    return spec("segment-sizes", "Customers per segment", description, [bars, text], data)
