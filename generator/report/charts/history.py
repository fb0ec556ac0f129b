"""The History page's chart: each segment's share of customers over the releases."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from generator.model import Analysis, ChartSpec
from generator.report.charts.common import PALETTE, SHAPES, inline, spec, wrapped_legend
from generator.report.charts.words import say
from generator.report.history import HistoryView, SegmentLine
from generator.report.text import percent


def shares_over_releases(view: HistoryView, analysis: Analysis) -> ChartSpec:
    """One line per segment number, a point per release; new and retired segments labelled.

    A segment keeps the colour it has on the other pages; retired ones take the next colours.
    A hidden share is a gap in its line, never a line drawn through it.
    """
    names = [say("segment.name", number=s.number, name=s.name) for s in view.segments]
    data = pd.DataFrame(_rows(view, names))
    order = [r.label for r in view.releases]
    markers = [SHAPES[i % len(SHAPES)] for i in range(len(names))]
    # Colour and marker share the field, title and legend, so Vega draws one legend of both.
    legend = wrapped_legend(orient="bottom", columns=1)
    base = alt.Chart(inline(data.drop(columns=["mark"]))).encode(
        x=alt.X("release:O", title=say("history.axis"), sort=order, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title=say("history.share_axis"), axis=alt.Axis(format=".0%")),
        color=alt.Color(
            "segment:N",
            title=say("segment.legend"),
            scale=alt.Scale(domain=names, range=_colours(view, analysis)),
            legend=legend,
        ),
    )
    line = base.mark_line(invalid=None).encode(detail="segment:N")
    points = base.mark_point(filled=True, size=60).encode(
        shape=alt.Shape(
            "segment:N",
            title=say("segment.legend"),
            scale=alt.Scale(domain=names, range=markers),
            legend=legend,
        ),
        tooltip=[alt.Tooltip(f) for f in ("segment:N", "release:O", "label:N", "customers:Q")],
    )
    # The words beside points get rows of their own: a row without one would draw "null".
    marked = alt.Chart(inline(data[data["mark"].notna()]), encoding=base.encoding)
    marks = marked.mark_text(dy=-12, fontSize=11, fontWeight="bold").encode(text="mark:N")
    description = say(
        "history.description",
        releases=len(view.releases),
        items="; ".join(_item(view, s, n) for s, n in zip(view.segments, names, strict=True)),
    )
    frame = data.drop(columns=["mark"]).dropna(subset=["share"])
    return spec(
        "history-shares",
        say("history.title"),
        description,
        [line, points, marks],
        frame,
        height=320,
    )


def _rows(view: HistoryView, names: list[str]) -> list[dict[str, Any]]:
    rows = []
    for line, name in zip(view.segments, names, strict=True):
        for i, point in enumerate(view.releases):
            if not line.present[i]:
                continue
            share = line.shares[i]
            rows.append(
                {
                    "release": point.label,
                    "segment": name,
                    "share": share,
                    "label": _percent(share),
                    "customers": line.sizes[i],
                    "mark": _mark(line, i),
                }
            )
    return rows


def _mark(line: SegmentLine, i: int) -> str | None:
    """The label beside a point: new on a new segment's first, retired on a retired one's last."""
    if line.new and i == line.first:
        return say("history.new")
    if line.retired and i == line.last:
        return say("history.retired")
    return None


def _colours(view: HistoryView, analysis: Analysis) -> list[str]:
    current = [p.number for p in analysis.profiles]
    others = [s.number for s in view.segments if s.number not in current]
    place = {number: i for i, number in enumerate([*current, *others])}
    return [PALETTE[place[s.number] % len(PALETTE)] for s in view.segments]


def _item(view: HistoryView, line: SegmentLine, name: str) -> str:
    points = [
        say("history.point", release=r.label, share=_percent(share))
        for r, share, present in zip(view.releases, line.shares, line.present, strict=True)
        if present
    ]
    return say("history.item", segment=name, points=", ".join(points))


def _percent(share: float | None) -> str:
    return percent(share) if share is not None else say("hidden")
