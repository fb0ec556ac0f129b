"""A persona page's category profile: stacked bars of value shares, segment against everyone.

One stacked chart is read only when it stays small: at most ``MAX_COLUMNS`` columns (two bars
each), at most ``MAX_VALUES`` parts per bar (the smallest values pooled as "Other") and no more
values than the palette has colours, so no colour stands for two values. More columns make more
charts: the first is ``shares-<slug>``, the next ``shares-<slug>.2`` and so on. A part hidden to
protect a small group is drawn in grey and named, never left blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from generator.analysis.categories import OTHER
from generator.model import Analysis, ChartSpec, SegmentProfile
from generator.report.charts.common import (
    HIDDEN_GREY,
    PALETTE,
    band,
    inline,
    spec,
    wrapped_legend,
)
from generator.report.charts.words import say
from generator.report.privacy import Suppressor

MAX_COLUMNS = 6
MAX_VALUES = 6
# A hidden remainder under half a thousandth is float dust, not a hidden group.
DUST = 5e-4


def category_shares(
    analysis: Analysis, profile: SegmentProfile, suppress: Suppressor
) -> list[ChartSpec]:
    """Share of each category value (e.g. gender) in the segment and in all customers."""
    pop = analysis.population.categorical
    columns = [
        (column, _pooled(shares, pop[column])) for column, shares in profile.categorical.items()
    ]
    charts: list[ChartSpec] = []
    page: dict[str, str] = {}
    for number, part in enumerate(_parts(columns), 1):
        name = f"shares-{profile.slug}" + (f".{number}" if number > 1 else "")
        colours = _colours([v for _, pooled in part for v in pooled[1]], page)
        charts.append(_chart(name, analysis, profile, suppress, part, colours))
    return charts


def _colours(values: list[str], page: dict[str, str]) -> dict[str, str]:
    """A colour per value, none shared within the chart; a value keeps its colour on the page.

    ``page`` (the colours given so far on this page) is updated. A new value takes a colour
    the page has not used yet while there is one.
    """
    values = list(dict.fromkeys(values))
    chosen: dict[str, str] = {}
    for value in sorted(values, key=lambda v: v not in page):  # known values first
        used = set(chosen.values())
        known = page.get(value)
        if known is not None and known not in used:
            chosen[value] = known
            continue
        free = [c for c in PALETTE if c not in used]
        fresh = [c for c in free if c not in page.values()]
        chosen[value] = (fresh or free)[0]
        page.setdefault(value, chosen[value])
    return chosen


Pooled = tuple[dict[str, float], dict[str, float]]  # (this segment's shares, everyone's)


def _pooled(segment: Mapping[str, float], everyone: Mapping[str, float]) -> Pooled:
    """Both groups' shares, all but the ``MAX_VALUES - 1`` largest values pooled as "Other".

    The largest are everyone's; the kept values stay in the column's own order.
    """
    if len(everyone) <= MAX_VALUES:
        return dict(segment), dict(everyone)
    ranked = sorted((v for v in everyone if v != OTHER), key=lambda v: (-everyone[v], v))
    kept = set(ranked[: MAX_VALUES - 1])

    def pool(shares: Mapping[str, float]) -> dict[str, float]:
        out = {v: s for v, s in shares.items() if v in kept}
        out[OTHER] = sum(s for v, s in shares.items() if v not in kept)
        return out

    return pool(segment), pool(everyone)


def _parts(columns: list[tuple[str, Pooled]]) -> list[list[tuple[str, Pooled]]]:
    """Columns in order, cut into charts of at most MAX_COLUMNS columns and palette values."""
    parts: list[list[tuple[str, Pooled]]] = []
    values: set[str] = set()
    for column, pooled in columns:
        new = values | set(pooled[1]) | set(pooled[0])
        if not parts or len(parts[-1]) >= MAX_COLUMNS or len(new) > len(PALETTE):
            parts.append([])
            new = set(pooled[1]) | set(pooled[0])
        parts[-1].append((column, pooled))
        values = new
    return parts


def _chart(
    name: str,
    analysis: Analysis,
    profile: SegmentProfile,
    suppress: Suppressor,
    columns: list[tuple[str, Pooled]],
    palette: dict[str, str],
) -> ChartSpec:
    shown, drawn = _rows(analysis, profile, suppress, columns)
    hidden = say("shares.hidden")
    domain = list(dict.fromkeys(r["value"] for r in drawn if r["value"] != hidden))
    colours = [palette[v] for v in domain]
    if any(r["value"] == hidden for r in drawn):
        domain, colours = [*domain, hidden], [*colours, HIDDEN_GREY]
    order = {v: i for i, v in enumerate(domain)}
    for r in drawn:
        r["order"] = order[r["value"]]
    long_labels = max((len(v) for v in domain), default=0) > 12
    rows = [r["row"] for r in shown]
    chart = (
        alt.Chart(inline(pd.DataFrame(drawn)))
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title=say("shares.axis"),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y("row:N", title=None, sort=list(dict.fromkeys(rows))),
            color=alt.Color(
                "value:N",
                title=None,
                scale=alt.Scale(domain=domain, range=colours),
                legend=wrapped_legend(
                    orient="bottom", columns=min(len(domain), 2 if long_labels else 4)
                ),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("row:N"),
                alt.Tooltip("value:N"),
                alt.Tooltip("share:Q", format=".0%"),
            ],
        )
    )
    items = "; ".join(
        say("shares.item", group=r["group"], value=r["value"], share=_share_words(r["share"]))
        for r in shown
    )
    description = say("shares.description", segment=profile.name, items=items)
    labels = ", ".join(analysis.label(c) for c, _ in columns)
    title = say("shares.title", segment=profile.name, columns=labels)
    data = pd.DataFrame(shown)
    return spec(name, title, description, [chart], data, height=band(rows))


def _rows(
    analysis: Analysis,
    profile: SegmentProfile,
    suppress: Suppressor,
    columns: list[tuple[str, Pooled]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The published rows (hidden shares as None) and the drawn ones (hidden parts as one)."""
    # When a segment is hidden, the shares are the published segments' (report/disclosure.py).
    described = analysis.population.described
    others = "everyone" if described is None else "described"
    shown, drawn = [], []
    for column, (segment, everyone) in columns:
        measure = analysis.label(column)
        groups = (
            ("segment", segment, profile.size),
            (others, everyone, described or analysis.table.n_customers),
        )
        for group, parts, total in groups:
            entry = say(f"group.{group}_entry")
            label = say("row", column=measure, group=entry)
            base = {"measure": measure, "group": entry, "row": label}
            published = suppress.shares(parts, total)
            shown += [{**base, "value": v, "share": s} for v, s in published]
            drawn += [{**base, "value": v, "share": s} for v, s in published if s is not None]
            # What is hidden is what the shown parts leave, which anyone can already work out.
            rest = sum(parts.values()) - sum(s for _, s in published if s is not None)
            if any(s is None for _, s in published) and rest > DUST:
                drawn.append({**base, "value": say("shares.hidden"), "share": rest})
    return shown, drawn


def _share_words(share: object) -> str:
    return say("shares.share", share=share) if isinstance(share, float) else say("hidden")
