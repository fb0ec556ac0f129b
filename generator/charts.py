"""Every chart of the site, built with Altair from aggregates (never more than ``MAX_POINTS`` rows).

Chart data uses fixed field names (``x``, ``y``, ``segment``, ``value``...) so that column names
from the data never become Vega field expressions; human labels only appear in titles.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from generator.changes import Changes
from generator.config import Config
from generator.model import Analysis, ChartSpec, SegmentProfile
from generator.privacy import Suppressor
from generator.tables import csv_text

# Okabe-Ito, the colour-blind-safe palette, ordered for contrast on light and dark backgrounds.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#999999")
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge", "stroke")
MAX_POINTS = 1_000
GRID = 24
HEIGHT = 300
METRICS = (
    ("inertia", "Inertia (within-segment spread)", "lower is tighter; look for the elbow"),
    ("silhouette", "Silhouette", "higher means better separated segments"),
    ("calinski_harabasz", "Calinski-Harabasz", "higher means denser, better separated"),
    ("davies_bouldin", "Davies-Bouldin", "lower means better separated"),
)


def spec(
    name: str, title: str, description: str, chart: alt.TopLevelMixin, data: pd.DataFrame
) -> ChartSpec:
    """Freeze an Altair chart into a stored spec plus the CSV of the data behind it."""
    chart = chart.properties(
        title=title,
        description=description,
        width="container",
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )
    # Schema validation costs ~0.1 s a chart; tests/test_site.py validates every spec instead.
    as_dict: dict[str, Any] = chart.configure_view(stroke=None).to_dict(validate=False)
    return ChartSpec(name, title, description, as_dict, csv_text(data))


def segment_names(analysis: Analysis) -> list[str]:
    """Display names used as the colour domain: ``1. High Income, High Spending``."""
    return [f"{p.number}. {p.name}" for p in analysis.profiles]


def _colour(analysis: Analysis, field: str = "segment", legend: bool = True) -> alt.Color:
    """Segment colours; layers that share a legend must all pass the same ``legend``."""
    names = segment_names(analysis)
    palette = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    return alt.Color(
        f"{field}:N",
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
            alt.Chart(data)
            .transform_lookup(lookup="s", from_=names)
            .mark_point(filled=True, size=40, opacity=0.7)
        )
        colour: Any = _colour(analysis)
        if highlight is not None:
            position = [p.number for p in analysis.profiles].index(highlight) + 1
            colour = alt.condition(
                f"datum.s == {position}", _colour(analysis), alt.value("#bbbbbb")
            )
        background = base.encode(x=x, y=y, color=colour, shape=_shape(analysis))
        what = f"{len(data):,} customers as points"
    else:
        data = _density(analysis, columns, Suppressor(config.privacy.min_group_size))
        background = (
            alt.Chart(data)
            .mark_rect(opacity=0.8)
            .encode(
                x=alt.X("x0:Q", title=x_title, bin="binned"),
                x2="x1:Q",
                y=alt.Y("y0:Q", title=y_title, bin="binned"),
                y2="y1:Q",
                color=alt.Color("customers:Q", title="Customers", scale=alt.Scale(scheme="greys")),
            )
        )
        what = "a density grid of customers (cells with few customers hidden)"
    centres = _centroids(
        analysis, columns, 0 if config.privacy.individual_points else config.privacy.min_group_size
    )
    marks = alt.Chart(centres).mark_point(filled=True, size=260, stroke="white", strokeWidth=1.5)
    labels = alt.Chart(centres).mark_text(dy=-16, fontWeight="bold", fontSize=13)
    centroid_layer = marks.encode(x=x, y=y, color=_colour(analysis), shape=_shape(analysis))
    text_layer = labels.encode(x=x, y=y, text="number:N", color=_colour(analysis))
    chart = alt.layer(background, centroid_layer, text_layer).properties(height=HEIGHT + 80)
    description = (
        f"Scatter map of {x_title} against {y_title} showing {what}, with each segment's "
        "centre marked by its number."
    )
    return spec(name, f"Segment map: {x_title} vs {y_title}", description, chart, data)


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
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("segment:N", title=None, sort=segment_names(analysis)),
            x=alt.X("customers:Q", title="Customers"),
            color=_colour(analysis, legend=False),
            tooltip=["segment:N", "customers:Q", alt.Tooltip("share:Q", format=".0%")],
        )
    )
    text = bars.mark_text(align="left", dx=4).encode(
        text=alt.Text("share:Q", format=".0%"), color=alt.value("#666")
    )
    description = "Bar chart of the number of customers in each segment. " + "; ".join(
        f"{n}: {c if c is not None else 'hidden'}"
        for n, c in zip(data["segment"], data["customers"], strict=True)
    )
    return spec("segment-sizes", "Customers per segment", description, bars + text, data)


def index_bars(analysis: Analysis, profile: SegmentProfile) -> ChartSpec:
    """How the segment's averages compare with everyone's (100 = the population average)."""
    rows = [(analysis.label(c), v) for c, v in profile.index]
    pop = dict(analysis.population.numeric)
    for column, stats in profile.numeric:
        mean = pop[column].mean
        rows.append((analysis.label(column), 100 * stats.mean / mean if mean else float("nan")))
    data = pd.DataFrame({"measure": [r[0] for r in rows], "index": [round(r[1], 1) for r in rows]})
    bars = (
        alt.Chart(data)
        .mark_bar(color=_segment_colour(profile))
        .encode(
            y=alt.Y("measure:N", title=None, sort=None),
            x=alt.X("index:Q", title="Index (100 = average customer)"),
            tooltip=["measure:N", "index:Q"],
        )
    )
    rule = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    description = (
        f"Bar chart of {profile.name} against the average customer, as an index: "
        + "; ".join(f"{m} {i:.0f}" for m, i in zip(data["measure"], data["index"], strict=True))
    )
    name = f"index-{profile.slug}"
    return spec(name, f"{profile.name} compared with the average", description, bars + rule, data)


def describe_ranges(analysis: Analysis, profile: SegmentProfile) -> ChartSpec | None:
    """The middle half (quartiles) and median of each numeric describe column, segment vs all."""
    if not profile.numeric:
        return None
    pop = dict(analysis.population.numeric)
    rows = []
    for column, stats in profile.numeric:
        label = analysis.label(column)
        for group, s in (("this segment", stats), ("all customers", pop[column])):
            rows.append(
                {
                    "row": f"{label}, {group}",
                    "group": group,
                    "q1": s.q1,
                    "median": s.median,
                    "q3": s.q3,
                }
            )
    data = pd.DataFrame(rows)
    colour = alt.Color(
        "group:N",
        title=None,
        scale=alt.Scale(
            domain=["this segment", "all customers"], range=[_segment_colour(profile), "#888888"]
        ),
        legend=alt.Legend(orient="bottom"),
    )
    base = alt.Chart(data).encode(y=alt.Y("row:N", title=None, sort=None), color=colour)
    bars = base.mark_bar(size=14, opacity=0.6).encode(
        x=alt.X("q1:Q", title="Middle half (bar) and median (tick)"),
        x2="q3:Q",
        tooltip=["row:N", "q1:Q", "median:Q", "q3:Q"],
    )
    ticks = base.mark_tick(thickness=3, size=22).encode(x="median:Q")
    description = f"Ranges for {profile.name} against all customers: " + "; ".join(
        f"{analysis.label(c)} median {s.median:g}, middle half {s.q1:g} to {s.q3:g}"
        for c, s in profile.numeric
    )
    columns = ", ".join(analysis.label(c) for c, _ in profile.numeric)
    return spec(
        f"ranges-{profile.slug}", f"{profile.name}: {columns}", description, bars + ticks, data
    )


def _segment_colour(profile: SegmentProfile) -> str:
    return PALETTE[(profile.number - 1) % len(PALETTE)]


def category_shares(
    analysis: Analysis, profile: SegmentProfile, suppress: Suppressor
) -> ChartSpec | None:
    """Share of each category value (e.g. gender) in the segment and in all customers."""
    if not profile.categorical:
        return None
    pop = dict(analysis.population.categorical)
    rows = []
    for column, shares in profile.categorical:
        groups = (
            ("This segment", shares, profile.size),
            ("All customers", pop[column], analysis.table.n_customers),
        )
        for group, parts, total in groups:
            for value, share in suppress.shares(parts, total):
                rows.append(
                    {
                        "measure": analysis.label(column),
                        "value": value,
                        "group": group,
                        "share": share,
                    }
                )
    data = pd.DataFrame(rows).assign(row=lambda d: d["measure"] + ", " + d["group"].str.lower())
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q", title="Share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            y=alt.Y("row:N", title=None, sort=None),
            color=alt.Color(
                "value:N",
                title=None,
                scale=alt.Scale(range=list(PALETTE)),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=["row:N", "value:N", alt.Tooltip("share:Q", format=".0%")],
        )
    )
    description = (
        f"Stacked bars of category shares in {profile.name} and in all customers: "
        + "; ".join(f"{r['group']} {r['value']} {_share_words(r['share'])}" for r in rows)
    )
    columns = ", ".join(analysis.label(c) for c, _ in profile.categorical)
    return spec(f"shares-{profile.slug}", f"{profile.name}: {columns}", description, chart, data)


def _share_words(share: object) -> str:
    return f"{share:.0%}" if isinstance(share, float) else "hidden"


def k_search(analysis: Analysis) -> list[ChartSpec]:
    """One line chart per metric over k, with the chosen k marked."""
    seg = analysis.segmentation
    data = pd.DataFrame(
        [{**{m: getattr(s, m) for m, _, _ in METRICS}, "k": s.k} for s in seg.scores]
    )
    charts = []
    for metric, title, reading in METRICS:
        line = (
            alt.Chart(data)
            .mark_line(point=True)
            .encode(
                x=alt.X(
                    "k:Q",
                    title="Number of segments (k)",
                    axis=alt.Axis(tickMinStep=1, format="d"),
                    scale=alt.Scale(zero=False),
                ),
                y=alt.Y(f"{metric}:Q", title=title, scale=alt.Scale(zero=False)),
                tooltip=["k:Q", alt.Tooltip(f"{metric}:Q", format=".3f")],
            )
        )
        chosen = pd.DataFrame({"k": [seg.k], "label": [f"chosen k = {seg.k}"]})
        rule = alt.Chart(chosen).mark_rule(color=PALETTE[4], strokeWidth=2).encode(x="k:Q")
        label = (
            alt.Chart(chosen)
            .mark_text(align="left", dx=4, y=8, color=PALETTE[4])
            .encode(x="k:Q", text="label:N")
        )
        values = "; ".join(f"k={k}: {v:.3g}" for k, v in zip(data["k"], data[metric], strict=True))
        description = f"Line chart of {title} for each k ({reading}); chosen k is {seg.k}. {values}"
        charts.append(
            spec(
                f"k-{metric.replace('_', '-')}",
                f"{title} by number of segments",
                description,
                (line + rule + label).properties(height=240),
                data[["k", metric]],
            )
        )
    return charts


def _visible_counts(counts: list[int], suppress: Suppressor) -> list[int | None]:
    return [c if ok else None for c, ok in zip(counts, suppress.visible(counts), strict=True)]


def distributions(analysis: Analysis, suppress: Suppressor) -> list[ChartSpec]:
    """A histogram per numeric column and a bar chart per categorical column of all customers."""
    frame = analysis.table.frame
    charts = []
    for number, column in enumerate((*analysis.table.features, *analysis.table.describe), 1):
        label = analysis.label(column)
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            counts = series.value_counts(sort=False).sort_index()
            data = pd.DataFrame(
                {
                    "value": [str(v) for v in counts.index],
                    "customers": _visible_counts(counts.tolist(), suppress),
                }
            )
            chart = (
                alt.Chart(data)
                .mark_bar(color=PALETTE[0])
                .encode(
                    y=alt.Y("value:N", title=None),
                    x=alt.X("customers:Q", title="Customers"),
                    tooltip=["value:N", "customers:Q"],
                )
            )
        else:
            hist, edges = np.histogram(series.to_numpy(dtype=np.float64), bins=20)
            data = pd.DataFrame(
                {
                    "from": edges[:-1],
                    "to": edges[1:],
                    "customers": _visible_counts(hist.astype(int).tolist(), suppress),
                }
            )
            chart = (
                alt.Chart(data)
                .mark_bar(color=PALETTE[0])
                .encode(
                    x=alt.X("from:Q", bin="binned", title=label),
                    x2="to:Q",
                    y=alt.Y("customers:Q", title="Customers"),
                    tooltip=["from:Q", "to:Q", "customers:Q"],
                )
            )
        description = f"Distribution of {label} over all customers, as counts per " + (
            "value." if "value" in data else "range of 20 equal bins."
        )
        # Numbered, so no file name ever comes from a column name in the data.
        charts.append(
            spec(
                f"distribution-{number}",
                f"Distribution of {label}",
                description,
                chart.properties(height=220),
                data,
            )
        )
    return charts


def flow(changes: Changes, suppress: Suppressor) -> ChartSpec | None:
    """A heatmap of customers by old segment (rows) and new segment (columns)."""
    moves = changes.flow
    if moves is None:
        return None
    cells = [
        (old, new, count)
        for old, row in zip(moves.rows, moves.counts, strict=True)
        for new, count in zip(moves.columns, row, strict=True)
    ]
    visible = suppress.visible([c for _, _, c in cells])
    data = pd.DataFrame(
        {
            "before": [f"was {old}" for old, _, _ in cells],
            "after": [f"now {new}" for _, new, _ in cells],
            "customers": [c if ok else None for (_, _, c), ok in zip(cells, visible, strict=True)],
        }
    )
    base = alt.Chart(data).encode(
        x=alt.X("after:N", title="Segment in this release", sort=None),
        y=alt.Y("before:N", title="Segment in the previous release", sort=None),
    )
    heat = base.mark_rect().encode(
        color=alt.Color("customers:Q", title="Customers", scale=alt.Scale(scheme="blues")),
        tooltip=["before:N", "after:N", "customers:Q"],
    )
    text = base.mark_text(fontSize=12).encode(text=alt.Text("customers:Q"), color=alt.value("#333"))
    stayed = sum(c for old, new, c in cells if old == new)
    description = (
        f"Heatmap of the {changes.common:,} customers present in both releases by previous and "
        f"current segment; {stayed:,} stayed in the same segment."
    )
    return spec("customer-flow", "Where customers moved", description, heat + text, data)
