"""The charts of a persona page: how a segment differs from everyone, by number and category."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd

from generator.model import Analysis, ChartSpec, SegmentProfile
from generator.report.charts.common import PALETTE, inline, spec
from generator.report.charts.words import say
from generator.report.privacy import Suppressor


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
        say("index.item", measure=m, index=i)
        for m, i in zip(data["measure"], data["index"], strict=True)
    )
    description = say("index.description", segment=profile.name, items=items)
    title = say("index.title", segment=profile.name)
    return spec(f"index-{profile.slug}", title, description, [bars, rule], data)


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
            label = say("row", column=analysis.label(column), group=group)
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
    base = alt.Chart(inline(data)).encode(y=alt.Y("row:N", title=None, sort=None), color=colour)
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
    return spec(f"ranges-{profile.slug}", title, description, [bars, ticks], data)


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


def category_shares(
    analysis: Analysis, profile: SegmentProfile, suppress: Suppressor
) -> ChartSpec | None:
    """Share of each category value (e.g. gender) in the segment and in all customers."""
    if not profile.categorical:
        return None
    pop = analysis.population.categorical
    rows = []
    for column, shares in profile.categorical.items():
        groups = (
            ("segment", shares, profile.size),
            ("everyone", pop[column], analysis.table.n_customers),
        )
        for group, parts, total in groups:
            measure = analysis.label(column)
            label = say("row", column=measure, group=say(f"group.{group}"))
            for value, share in suppress.shares(parts, total):
                rows.append(
                    {
                        "measure": measure,
                        "value": value,
                        "group": say(f"group.{group}_entry"),
                        "share": share,
                        "row": label,
                    }
                )
    data = pd.DataFrame(rows)
    chart = (
        alt.Chart(inline(data))
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title=say("shares.axis"),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
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
    items = "; ".join(
        say("shares.item", group=r["group"], value=r["value"], share=_share_words(r["share"]))
        for r in rows
    )
    description = say("shares.description", segment=profile.name, items=items)
    columns = ", ".join(analysis.label(c) for c in profile.categorical)
    title = say("shares.title", segment=profile.name, columns=columns)
    return spec(f"shares-{profile.slug}", title, description, [chart], data)


def _share_words(share: object) -> str:
    return say("shares.share", share=share) if isinstance(share, float) else say("hidden")
