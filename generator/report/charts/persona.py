"""The charts of a persona page: how a segment differs from everyone, by number and category."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd

from generator.model import Analysis, ChartSpec, SegmentProfile
from generator.report.charts.common import PALETTE, band, inline, spec
from generator.report.charts.words import say


def index_bars(analysis: Analysis, profile: SegmentProfile) -> ChartSpec:
    """How the segment's averages compare with everyone's (100 = the population average)."""
    rows = [(analysis.label(c), v) for c, v in profile.index.items()]
    pop = analysis.population.numeric
    for column, stats in profile.numeric.items():
        mean = pop[column].mean
        rows.append((analysis.label(column), 100 * stats.mean / mean if mean else float("nan")))
    data = pd.DataFrame({"measure": [r[0] for r in rows], "index": [round(r[1], 1) for r in rows]})
    bars = (
        alt.Chart(inline(data))
        .mark_bar(color=_segment_colour(profile))
        .encode(
            y=alt.Y("measure:N", title=None, sort=None),
            x=alt.X("index:Q", title=say("index.axis")),
            tooltip=[alt.Tooltip("measure:N"), alt.Tooltip("index:Q")],
        )
    )
    rule = (
        alt.Chart(inline(pd.DataFrame({"x": [100]})))
        .mark_rule(strokeDash=[4, 4])
        .encode(x=alt.X("x:Q"))
    )
    items = "; ".join(
        say("index.item", measure=m, index=i) if np.isfinite(i) else say("index.none", measure=m)
        for m, i in zip(data["measure"], data["index"], strict=True)
    )
    description = say("index.description", segment=profile.name, items=items)
    title = say("index.title", segment=profile.name)
    height = band(data["measure"].tolist())
    return spec(f"index-{profile.slug}", title, description, [bars, rule], data, height=height)


def describe_ranges(analysis: Analysis, profile: SegmentProfile) -> ChartSpec | None:
    """Quartiles and median of each numeric describe column, segment vs all, as percentiles.

    Columns of different units (a birth year, a count, a 0/1 flag) share one axis only when
    each value is placed by its percentile among all customers (mid-ranks): everyone's middle
    half then spans 25 to 75, and the segment's bar shows where its customers sit. The
    tooltips keep the values in the column's own units. 0/1 columns are rates, shown with the
    index bars instead.
    """
    rates = analysis.population.rates
    numeric = [(c, s) for c, s in profile.numeric.items() if c not in rates and s.count > 0]
    if not numeric:
        return None
    pop = analysis.population.numeric
    rows = []
    this_segment, everyone = say("group.segment"), say("group.everyone")
    for column, stats in numeric:
        placed = _placer(analysis, column)
        for group, s in ((this_segment, stats), (everyone, pop[column])):
            entry = say("group.segment_entry" if group == this_segment else "group.everyone_entry")
            label = say("row", column=analysis.label(column), group=entry)
            row: dict[str, object] = {"row": label, "group": group}
            for key in ("q1", "median", "q3"):
                row[key] = getattr(s, key)
                row[f"{key}_pct"] = round(placed(getattr(s, key)), 1)
            rows.append(row)
    data = pd.DataFrame(rows)
    colour = alt.Color(
        "group:N",
        title=None,
        scale=alt.Scale(
            domain=[this_segment, everyone], range=[_segment_colour(profile), "#888888"]
        ),
        legend=alt.Legend(orient="bottom"),
    )
    tooltip = [alt.Tooltip(f) for f in ("row:N", "q1:Q", "median:Q", "q3:Q")]
    y = alt.Y("row:N", title=None, sort=None)
    base = alt.Chart(inline(data)).encode(y=y, color=colour)
    bars = base.mark_bar(size=14, opacity=0.6).encode(
        x=alt.X(
            "q1_pct:Q",
            title=say("ranges.axis"),
            scale=alt.Scale(domain=[0, 100]),
        ),
        x2=alt.X2("q3_pct"),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(thickness=3, size=22).encode(x=alt.X("median_pct:Q"), tooltip=tooltip)
    items = "; ".join(
        say("ranges.item", column=analysis.label(c), median=s.median, q1=s.q1, q3=s.q3)
        for c, s in numeric
    )
    description = say("ranges.description", segment=profile.name, items=items)
    columns = ", ".join(analysis.label(c) for c, _ in numeric)
    title = say("ranges.title", segment=profile.name, columns=columns)
    height = band(data["row"].tolist())
    return spec(f"ranges-{profile.slug}", title, description, [bars, ticks], data, height=height)


def _placer(analysis: Analysis, column: str) -> Callable[[float], float]:
    """A value's percentile among all customers of ``column``.

    On an engine the frame is only a sample: the engine counted every customer below each
    published value (``WholeTable.percentiles``).
    """
    whole = analysis.table.whole
    if whole is not None:
        return whole.percentiles[column].__getitem__
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
