"""The charts of the methodology, data and What-changed pages."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from generator.model import Analysis, ChartSpec
from generator.release.changes import Changes
from generator.report.charts.common import NOTE, PALETTE, band, inline, spec
from generator.report.charts.words import say
from generator.report.privacy import Suppressor
from generator.table.bins import rounded_edges

METRICS = ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin")


def k_search(analysis: Analysis) -> list[ChartSpec]:
    """One line chart per metric over k, with the chosen k marked."""
    seg = analysis.segmentation
    data = pd.DataFrame([{**{m: getattr(s, m) for m in METRICS}, "k": s.k} for s in seg.scores])
    rows = inline(data)
    charts = []
    for metric in METRICS:
        title = say(f"k_search.{metric}.name")
        line = (
            alt.Chart(rows)
            .mark_line(point=True)
            .encode(
                x=alt.X(
                    "k:Q",
                    title=say("k_search.axis"),
                    axis=alt.Axis(tickMinStep=1, format="d"),
                    scale=alt.Scale(zero=False),
                ),
                y=alt.Y(f"{metric}:Q", title=title, scale=alt.Scale(zero=False)),
                tooltip=[alt.Tooltip("k:Q"), alt.Tooltip(f"{metric}:Q", format=".3f")],
            )
        )
        chosen = inline(pd.DataFrame({"k": [seg.k], "label": [say("k_search.chosen", k=seg.k)]}))
        rule = alt.Chart(chosen).mark_rule(color=PALETTE[4], strokeWidth=2).encode(x=alt.X("k:Q"))
        label = (
            alt.Chart(chosen)
            .mark_text(align="left", dx=4, y=8, color=PALETTE[4])
            .encode(x=alt.X("k:Q"), text=alt.Text("label:N"))
        )
        values = "; ".join(
            say("k_search.value", k=k, value=v)
            for k, v in zip(data["k"], data[metric], strict=True)
        )
        reading = say(f"k_search.{metric}.reading")
        description = say(
            "k_search.description", metric=title, reading=reading, k=seg.k, values=values
        )
        charts.append(
            spec(
                f"k-{metric.replace('_', '-')}",
                say("k_search.title", metric=title),
                description,
                [line, rule, label],
                data[["k", metric]],
                height=240,
            )
        )
    return charts


def _visible_counts(counts: list[int], suppress: Suppressor) -> list[int | None]:
    return [c if ok else None for c, ok in zip(counts, suppress.visible(counts), strict=True)]


def _value_counts(analysis: Analysis, column: str) -> pd.Series:
    """Customers per value, sorted by value (over every row when an engine measured them)."""
    whole = analysis.table.whole
    if whole is not None:
        counts = whole.categories[column]
        return pd.Series(list(counts.values()), index=list(counts))
    return analysis.table.frame[column].value_counts(sort=False).sort_index()


def _published_counts(analysis: Analysis, column: str) -> pd.Series:
    """Customers per value: of the described segments when privacy hides a segment.

    Everyone's counts beside the published segments' shares would give the hidden segment's
    values away (``report/disclosure.py``).
    """
    described = analysis.population.described
    if described is None:
        return _value_counts(analysis, column)
    shares = analysis.population.categorical[column]
    return pd.Series([round(v * described) for v in shares.values()], index=list(shares))


def _histogram(analysis: Analysis, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Counts in about 20 round-number bins, and the edges (over every row on an engine)."""
    whole = analysis.table.whole
    if whole is not None:
        return whole.histograms[column]
    values = analysis.table.frame[column].to_numpy(dtype=np.float64)
    # A describe column may have gaps: they are not customers at any value.
    values = values[~np.isnan(values)]
    hist, edges = np.histogram(values, bins=rounded_edges(values, 20))
    return hist, edges


def coded_tails(hist: np.ndarray, edges: np.ndarray, least: int) -> tuple[np.ndarray, np.ndarray]:
    """The histogram with its end bins widened inwards until each holds ``least`` customers.

    A far bin of one or two customers, beside empty bins, says where those customers are even
    when its count is hidden: the end bins are top- and bottom-coded instead.
    """
    counts, cuts = list(hist.astype(int)), list(edges)
    while len(counts) > 1 and counts[0] < least:
        first = counts.pop(0)
        counts[0] += first
        cuts.pop(1)
    while len(counts) > 1 and counts[-1] < least:
        last = counts.pop()
        counts[-1] += last
        cuts.pop(-2)
    return np.asarray(counts), np.asarray(cuts)


def distributions(analysis: Analysis, suppress: Suppressor) -> list[ChartSpec]:
    """A histogram per numeric column and a bar chart per categorical column of all customers."""
    frame = analysis.table.frame
    charts = []
    for number, column in enumerate((*analysis.table.features, *analysis.table.describe), 1):
        label = analysis.label(column)
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            counts = _published_counts(analysis, column)
            data = pd.DataFrame(
                {
                    "value": [str(v) for v in counts.index],
                    "customers": _visible_counts(counts.tolist(), suppress),
                }
            )
            layers = _value_bars(data)
        else:
            hist, edges = _histogram(analysis, column)
            if suppress.enabled:
                hist, edges = coded_tails(hist, edges, suppress.min_group_size)
            data = pd.DataFrame(
                {
                    "from": edges[:-1],
                    "to": edges[1:],
                    "customers": _visible_counts(hist.astype(int).tolist(), suppress),
                }
            )
            layers = _bin_bars(data, label)
        if "value" in data:
            scope = "of_values" if analysis.population.described is None else "of_described"
            description = say(f"distribution.{scope}", column=label)
        elif suppress.enabled:
            description = say(
                "distribution.of_coded_bins",
                column=label,
                bins=len(data),
                least=suppress.min_group_size,
            )
        else:
            description = say("distribution.of_bins", column=label, bins=len(data))
        # Numbered, so no file name ever comes from a column name in the data.
        charts.append(
            spec(
                f"distribution-{number}",
                say("distribution.title", column=label),
                description,
                layers,
                data,
                height=band(data["value"].tolist()) if "value" in data else 220,
            )
        )
    return charts


def _bin_bars(data: pd.DataFrame, label: str) -> list[alt.Chart]:
    """A histogram; a hidden bin says "hidden" upward from its foot, unlike an empty one."""
    x = alt.X("from:Q", bin="binned", title=label)
    bars = (
        alt.Chart(inline(data))
        .mark_bar(color=PALETTE[0])
        .encode(
            x=x,
            x2=alt.X2("to"),
            y=alt.Y("customers:Q", title=say("customers")),
            tooltip=[alt.Tooltip(f) for f in ("from:Q", "to:Q", "customers:Q")],
        )
    )
    hidden = data[data["customers"].isna()]
    if hidden.empty:
        return [bars]
    feet = hidden.assign(mid=(hidden["from"] + hidden["to"]) / 2, at=0, label=say("hidden"))
    words = (
        alt.Chart(inline(feet))
        .mark_text(angle=270, align="left", baseline="middle", dx=3, style=NOTE)
        .encode(x=alt.X("mid:Q"), y=alt.Y("at:Q"), text=alt.Text("label:N"))
    )
    return [bars, words]


def _value_bars(data: pd.DataFrame) -> list[alt.Chart]:
    """Customers per category value; a hidden count says "hidden" where its bar would be."""
    rows = inline(
        data.assign(
            label=[say("hidden") if c is None or c != c else "" for c in data["customers"]],
            at=0,
        )
    )
    y = alt.Y("value:N", title=None, sort=None)
    bars = (
        alt.Chart(rows)
        .mark_bar(color=PALETTE[0])
        .encode(
            y=y,
            x=alt.X("customers:Q", title=say("customers")),
            tooltip=[alt.Tooltip("value:N"), alt.Tooltip("customers:Q")],
        )
    )
    hidden = (
        alt.Chart(rows)
        .mark_text(align="left", dx=4, style=NOTE)
        .encode(y=y, x=alt.X("at:Q"), text=alt.Text("label:N"))
    )
    return [bars, hidden]


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
    # Row and column totals are the segment sizes: hide so that none gives a cell away.
    visible = [ok for row in suppress.visible_grid(moves.counts) for ok in row]
    data = pd.DataFrame(
        {
            "before": [say("flow.before", number=old) for old, _, _ in cells],
            "after": [say("flow.after", number=new) for _, new, _ in cells],
            "customers": [c if ok else None for (_, _, c), ok in zip(cells, visible, strict=True)],
        }
    )
    # A hidden cell says so: a count's text layer would draw its null as "null".
    shown = zip(cells, visible, strict=True)
    labels = [f"{c:,}" if ok else say("hidden") for (_, _, c), ok in shown]
    base = alt.Chart(inline(data.assign(label=labels))).encode(
        x=alt.X("after:N", title=say("flow.after_axis"), sort=None),
        y=alt.Y("before:N", title=say("flow.before_axis"), sort=None),
    )
    heat = base.mark_rect().encode(
        color=alt.Color("customers:Q", title=say("customers"), scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip(f) for f in ("before:N", "after:N", "customers:Q")],
    )
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("label:N"), color=alt.ColorValue("#333")
    )
    diagonal = [(c, ok) for (old, new, c), ok in zip(cells, visible, strict=True) if old == new]
    description = say("flow.description", common=changes.common)
    # A total over hidden cells would give them away (total minus the shown ones).
    if all(ok for _, ok in diagonal):
        description += say("flow.stayed", stayed=sum(c for c, _ in diagonal))
    description += "."
    return spec("customer-flow", say("flow.title"), description, [heat, text], data)
