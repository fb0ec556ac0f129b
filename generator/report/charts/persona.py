"""The charts of a persona page: how a segment differs from everyone, by number and category."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd

from generator.model import Analysis, ChartSpec, SegmentProfile
from generator.report.charts.common import PALETTE, inline, spec
from generator.report.privacy import Suppressor


def index_bars(analysis: Analysis, profile: SegmentProfile) -> ChartSpec:
    """How the segment's averages compare with everyone's (100 = the population average)."""
    rows = [(analysis.label(c), v) for c, v in profile.index]
    pop = dict(analysis.population.numeric)
    for column, stats in profile.numeric:
        mean = pop[column].mean
        rows.append((analysis.label(column), 100 * stats.mean / mean if mean else float("nan")))
    data = pd.DataFrame({"measure": [r[0] for r in rows], "index": [round(r[1], 1) for r in rows]})
    bars = (
        alt.Chart(inline(data))
        .mark_bar(color=_segment_colour(profile))
        .encode(
            y=alt.Y("measure:N", title=None, sort=None),
            x=alt.X("index:Q", title="Index (100 = average customer)"),
            tooltip=[alt.Tooltip("measure:N"), alt.Tooltip("index:Q")],
        )
    )
    rule = (
        alt.Chart(inline(pd.DataFrame({"x": [100]})))
        .mark_rule(strokeDash=[4, 4])
        .encode(x=alt.X("x:Q"))
    )
    description = (
        f"Bar chart of {profile.name} against the average customer, as an index: "
        + "; ".join(f"{m} {i:.0f}" for m, i in zip(data["measure"], data["index"], strict=True))
    )
    name = f"index-{profile.slug}"
    return spec(name, f"{profile.name} compared with the average", description, [bars, rule], data)


def describe_ranges(analysis: Analysis, profile: SegmentProfile) -> ChartSpec | None:
    """Quartiles and median of each numeric describe column, segment vs all, as percentiles.

    Columns of different units (a birth year, a count, a 0/1 flag) share one axis only when
    each value is placed by its percentile among all customers (mid-ranks): everyone's middle
    half then spans 25 to 75, and the segment's bar shows where its customers sit. The
    tooltips keep the values in the column's own units. 0/1 columns are rates, shown with the
    index bars instead.
    """
    rates = analysis.population.rates
    numeric = [(c, s) for c, s in profile.numeric if c not in rates and s.count > 0]
    if not numeric:
        return None
    pop = dict(analysis.population.numeric)
    rows = []
    for column, stats in numeric:
        placed = _placer(analysis, column)
        for group, s in (("this segment", stats), ("all customers", pop[column])):
            row: dict[str, object] = {"row": f"{analysis.label(column)}, {group}", "group": group}
            for key in ("q1", "median", "q3"):
                row[key] = getattr(s, key)
                row[f"{key}_pct"] = round(placed(getattr(s, key)), 1)
            rows.append(row)
    data = pd.DataFrame(rows)
    colour = alt.Color(
        "group:N",
        title=None,
        scale=alt.Scale(
            domain=["this segment", "all customers"], range=[_segment_colour(profile), "#888888"]
        ),
        legend=alt.Legend(orient="bottom"),
    )
    tooltip = [alt.Tooltip(f) for f in ("row:N", "q1:Q", "median:Q", "q3:Q")]
    base = alt.Chart(inline(data)).encode(y=alt.Y("row:N", title=None, sort=None), color=colour)
    bars = base.mark_bar(size=14, opacity=0.6).encode(
        x=alt.X(
            "q1_pct:Q",
            title="Percentile among all customers",
            scale=alt.Scale(domain=[0, 100]),
        ),
        x2=alt.X2("q3_pct"),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(thickness=3, size=22).encode(x=alt.X("median_pct:Q"), tooltip=tooltip)
    description = f"Ranges for {profile.name} against all customers: " + "; ".join(
        f"{analysis.label(c)} median {s.median:g}, middle half {s.q1:g} to {s.q3:g}"
        for c, s in numeric
    )
    columns = ", ".join(analysis.label(c) for c, _ in numeric)
    return spec(
        f"ranges-{profile.slug}", f"{profile.name}: {columns}", description, [bars, ticks], data
    )


def _placer(analysis: Analysis, column: str) -> Callable[[float], float]:
    """A value's percentile among all customers of ``column``.

    On an engine the frame is only a sample: the engine counted every customer below each
    published value (``WholeTable.percentiles``).
    """
    whole = analysis.table.whole
    if whole is not None:
        return dict(dict(whole.percentiles)[column]).__getitem__
    values = analysis.table.frame[column].to_numpy(dtype=np.float64)
    ordered = np.sort(values[~np.isnan(values)])
    return lambda value: _percentile(ordered, value)


def _percentile(ordered: np.ndarray, value: float) -> float:
    """Where ``value`` sits among the sorted values, 0 to 100, ties counting half."""
    below = np.searchsorted(ordered, value, side="left")
    upto = np.searchsorted(ordered, value, side="right")
    return float(100 * (below + upto) / 2 / len(ordered))


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
        alt.Chart(inline(data))
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
            tooltip=[
                alt.Tooltip("row:N"),
                alt.Tooltip("value:N"),
                alt.Tooltip("share:Q", format=".0%"),
            ],
        )
    )
    description = (
        f"Stacked bars of category shares in {profile.name} and in all customers: "
        + "; ".join(f"{r['group']} {r['value']} {_share_words(r['share'])}" for r in rows)
    )
    columns = ", ".join(analysis.label(c) for c, _ in profile.categorical)
    return spec(f"shares-{profile.slug}", f"{profile.name}: {columns}", description, [chart], data)


def _share_words(share: object) -> str:
    return f"{share:.0%}" if isinstance(share, float) else "hidden"
