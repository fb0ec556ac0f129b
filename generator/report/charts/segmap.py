"""The segment map: two features against each other, every segment's centre marked.

The axes are ``map: [x, y]`` from the config, or else the two features that separate the
segments best (the largest share of the column's variance lying between segments), leaving out
flags and two-valued codes while two other features remain. Each axis
stops at Tukey's far fence (three interquartile ranges beyond the quartiles; measured in
``log1p`` units on the log axes of ``scaling: log``), so one extreme customer cannot squash
everyone else into a corner; the chart's facts say how many customers lie
outside. Individual customers appear only when the config allows it; otherwise a density grid,
whose small cells are hidden, is drawn (and when every cell is too small, nothing is, and the
facts say so).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from generator.analysis.mapgrid import (
    GRID,
    axis_range,
    best_pair,
    grid_bounds,
    grid_edges,
    round_range,
    separation,
    slack,
)
from generator.config.settings import Config
from generator.model import Analysis, ChartSpec, FrozenMap, MapGrid
from generator.report.charts.common import (
    HEIGHT,
    MAX_POINTS,
    colour,
    inline,
    segment_names,
    shape,
    spec,
)
from generator.report.charts.words import say
from generator.report.privacy import Suppressor

GREY = "#bbbbbb"


def map_columns(analysis: Analysis, config: Config) -> tuple[str, str] | None:
    """The two features the map plots (config order), or None with fewer than two features."""
    features = analysis.table.features
    if len(features) < 2:
        return None
    whole = analysis.table.whole
    if whole is not None:
        # On an engine the frame is a sample: the engine chose the axes on every customer.
        return whole.segment_map.columns if whole.segment_map is not None else None
    if config.map_axes is not None:
        return config.map_axes
    frame = analysis.table.frame
    labels = analysis.segmentation.labels
    score = {f: separation(frame[f].to_numpy(dtype=np.float64), labels) for f in features}
    return best_pair(features, score, [f for f in features if frame[f].nunique() > 2])


def _scale(bounds: tuple[float, float], log: bool) -> alt.Scale:
    # symlog with constant 1 is log1p: zeros (common in spend) stay on the axis.
    if log:
        return alt.Scale(type="symlog", constant=1, domain=list(bounds), nice=False)
    return alt.Scale(domain=list(bounds), zero=False, nice=False)


def segment_map(
    analysis: Analysis, config: Config, name: str = "segment-map", highlight: int | None = None
) -> ChartSpec | None:
    """The map chart; ``highlight`` (a segment number) colours that segment alone.

    Under ``scaling: log`` both axes are log axes (symlog, so zeros stay), as K-Means saw them.
    """
    columns = map_columns(analysis, config)
    if columns is None:
        return None
    private, log = not config.privacy.individual_points, config.scaling == "log"
    centres = _centres(analysis, columns, config.privacy.min_group_size if private else 0)
    xs, ys = (analysis.table.frame[c].to_numpy(dtype=np.float64) for c in columns)
    measured = _measured(analysis)
    if measured is None:
        ranges = [
            axis_range(v, centres[a].to_numpy(dtype=float), log) for v, a in ((xs, "x"), (ys, "y"))
        ]
        if private:  # round numbers at the ends: a data range would publish the extremes exactly
            ranges = [round_range(r) for r in ranges]
    else:
        ranges = list(measured.ranges)
    inside = _within(xs, ranges[0]) & _within(ys, ranges[1])
    # On an engine the frame is a sample: the engine counted the customers outside the axes.
    outside: int | None = int((~inside).sum()) if measured is None else measured.outside
    titles = (analysis.label(columns[0]), analysis.label(columns[1]))
    scales = [_scale(r, log) for r in ranges]
    x = alt.X("x:Q", title=titles[0], scale=scales[0])
    y = alt.Y("y:Q", title=titles[1], scale=scales[1])
    if private:
        counts = None if measured is None else measured.counts
        data, outside = _density(
            xs[inside], ys[inside], ranges, config.privacy.min_group_size, log, counts, outside or 0
        )
        layers = [_density_layer(data, titles, scales)] if len(data) else []
        what = say("map.grid")
    else:
        data = _points(analysis, xs, ys, inside)
        layers = [_points_layer(analysis, data, x, y, highlight)]
        what = say("map.points", count=len(data))
    if len(centres):
        layers += _centre_layers(analysis, centres, x, y, highlight)
    if not layers:
        return None  # nothing may be drawn: no map rather than an empty frame
    description = say("map.description", x=titles[0], y=titles[1], what=what)
    least = config.privacy.min_group_size
    facts = _facts(outside, private and not len(data), private, highlight, log, least)
    title = say("map.title", x=titles[0], y=titles[1])
    return spec(name, title, description, layers, data, HEIGHT + 80, facts)


def _facts(
    outside: int | None,
    empty: bool,
    private: bool,
    highlight: int | None,
    log: bool,
    least: int = 0,
) -> FrozenMap[str, object]:
    """What the caption states (``partials/chart.j2``, ``map_note``)."""
    return FrozenMap(
        {
            "outside": outside,
            "outside_hidden": outside is None,
            "least": least,
            "empty_grid": empty,
            "points": not private,
            "highlight": highlight is not None,
            "log": log,
        }
    )


def _within(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    low, high = slack(bounds)
    return np.asarray((values >= low) & (values <= high))


def _measured(analysis: Analysis) -> MapGrid | None:
    """The map's ranges and counts an engine measured over every customer (None locally)."""
    whole = analysis.table.whole
    return None if whole is None else whole.segment_map


def _centres(analysis: Analysis, columns: tuple[str, str], min_size: int) -> pd.DataFrame:
    """Segment centres (means); a segment under ``min_size`` customers is too small to show."""
    centres = pd.DataFrame(
        {
            "x": [p.mean[columns[0]] for p in analysis.profiles],
            "y": [p.mean[columns[1]] for p in analysis.profiles],
            "segment": segment_names(analysis),
            "number": [str(p.number) for p in analysis.profiles],
        }
    )
    return centres[[p.size >= min_size for p in analysis.profiles]].reset_index(drop=True)


def _centre_layers(
    analysis: Analysis, centres: pd.DataFrame, x: alt.X, y: alt.Y, highlight: int | None
) -> list[alt.Chart]:
    rows = inline(centres)  # one object, shared by both layers
    marks = alt.Chart(rows).mark_point(filled=True, size=260, stroke="white", strokeWidth=1.5)
    labels = alt.Chart(rows).mark_text(dy=-16, fontWeight="bold", fontSize=13)
    hue = _highlighted(analysis, f"datum.number == '{highlight}'", highlight)
    return [
        marks.encode(x=x, y=y, color=hue, shape=shape(analysis, highlight is None)),
        labels.encode(x=x, y=y, text=alt.Text("number:N"), color=hue),
    ]


def _highlighted(
    analysis: Analysis, test: str, highlight: int | None
) -> alt.Color | alt.ColorValue:
    """Segment colours, or (for one segment's map) its colour and grey for everything else."""
    if highlight is None:
        return colour(analysis)
    # A typed channel: encode() would look a condition's dict up in the whole schema.
    return alt.ColorValue(**alt.condition(test, colour(analysis, legend=False), alt.value(GREY)))


def _points(analysis: Analysis, xs: np.ndarray, ys: np.ndarray, inside: np.ndarray) -> pd.DataFrame:
    rows = np.flatnonzero(inside)
    if len(rows) > MAX_POINTS:
        rng = np.random.default_rng(0)
        rows = np.sort(rng.choice(rows, MAX_POINTS, replace=False))
    return pd.DataFrame(
        {
            "x": _plot_precision(xs[rows]),
            "y": _plot_precision(ys[rows]),
            "s": analysis.segmentation.labels[rows] + 1,
        }
    )


def _points_layer(
    analysis: Analysis, data: pd.DataFrame, x: alt.X, y: alt.Y, highlight: int | None
) -> alt.Chart:
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
    position = None
    if highlight is not None:
        position = [p.number for p in analysis.profiles].index(highlight) + 1
    hue = _highlighted(analysis, f"datum.s == {position}", highlight)
    chart: alt.Chart = base.encode(x=x, y=y, color=hue, shape=shape(analysis, highlight is None))
    return chart


def _plot_precision(values: np.ndarray) -> np.ndarray:
    """Round to about a thousandth of the range: finer than a pixel, and far fewer bytes."""
    span = float(np.ptp(values)) if len(values) else 0.0
    decimals = max(0, 3 - int(np.ceil(np.log10(span)))) if span > 0 else 0
    return np.round(values, decimals)


def _density(
    xs: np.ndarray,
    ys: np.ndarray,
    ranges: list[tuple[float, float]],
    min_group_size: int,
    log: bool,
    counted: np.ndarray | None = None,
    outside: int = 0,
) -> tuple[pd.DataFrame, int | None]:
    """Counts on a GRID x GRID grid over the axes' ranges; small cells are dropped.

    On log axes the cells are equal in ``log1p`` units, so they look equal on the chart.
    ``counted``: the grid's counts an engine measured over every customer (else counted here).
    The customers ``outside`` the axes are one more part of the whole: their count is
    returned, or None when it is too small to publish (then the caption says "fewer than").
    """
    forward = np.log1p if log else (lambda v: v)
    bounds = grid_bounds(ranges, log)
    if counted is None:
        counts, x_edges, y_edges = np.histogram2d(forward(xs), forward(ys), bins=GRID, range=bounds)
    else:
        counts, (x_edges, y_edges) = counted, grid_edges(bounds)
    if log:
        x_edges, y_edges = np.expm1(x_edges), np.expm1(y_edges)
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
    shown = Suppressor(min_group_size).visible([*cells["customers"].tolist(), outside])
    return cells[shown[:-1]].reset_index(drop=True), outside if shown[-1] else None


def _density_layer(
    data: pd.DataFrame, titles: tuple[str, str], scales: list[alt.Scale]
) -> alt.Chart:
    # Opacity, not colour: the colour scale belongs to the segments (one legend per chart).
    chart: alt.Chart = (
        alt.Chart(inline(data))
        .mark_rect(color="#555555")
        .encode(
            x=alt.X("x0:Q", title=titles[0], bin="binned", scale=scales[0]),
            x2=alt.X2("x1"),
            y=alt.Y("y0:Q", title=titles[1], bin="binned", scale=scales[1]),
            y2=alt.Y2("y1"),
            opacity=alt.Opacity("customers:Q", legend=None, scale=alt.Scale(range=[0.15, 0.8])),
            tooltip=[alt.Tooltip("customers:Q", title=say("customers"))],
        )
    )
    return chart
