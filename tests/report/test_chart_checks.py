"""Charts never draw a missing value as a word, and stacked charts stay readable (issue 19)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from generator.analysis.run import run_analysis
from generator.config.settings import load_config
from generator.errors import RenderError
from generator.release.prepare import prepare
from generator.report.charts.checks import check
from generator.report.charts.common import PALETTE, inline, label_lines, spec
from generator.report.charts.shares import MAX_COLUMNS, MAX_VALUES
from generator.report.charts.words import say
from generator.report.pages import make_charts
from tests.conftest import MALL_CONFIG
from tests.fixtures.messy import SERVICES, write_messy


def rows_of(chart_spec: dict) -> list[dict]:
    return [row for rows in chart_spec["datasets"].values() for row in rows]


def test_a_text_layer_reading_a_field_its_rows_lack_is_refused() -> None:
    # The shape of the old "Customers per segment" chart: the label added after inlining.
    data = pd.DataFrame({"segment": ["1. A", "2. B"], "customers": [3, 4]})
    bars = alt.Chart(inline(data)).mark_bar().encode(y="segment:N", x="customers:Q")
    text = bars.mark_text().encode(text=alt.Text("label:N"))
    with pytest.raises(RenderError) as caught:
        spec("sizes", "Sizes", "A bar chart of the sizes.", [bars, text], data)
    assert str(caught.value) == "chart sizes: the text channel reads 'label', which some rows lack"


@pytest.mark.parametrize("missing", [None, float("nan"), "undefined", "NaN", "null"])
def test_a_text_layer_that_would_draw_a_missing_value_is_refused(missing: object) -> None:
    values = [{"x": 1, "label": "12%"}, {"x": 2, "label": missing}]
    chart = {"data": {"values": values}, "mark": "text", "encoding": {"text": {"field": "label"}}}
    with pytest.raises(RenderError, match="would draw a missing 'label' as a word"):
        check("c", chart)


def test_fields_a_lookup_adds_are_known() -> None:
    chart = {
        "data": {"values": [{"s": 1}]},
        "transform": [{"lookup": "s", "from": {"data": {}, "key": "s", "fields": ["segment"]}}],
        "mark": "point",
        "encoding": {"color": {"field": "segment"}},
    }
    check("c", chart)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("Income", 1),
        ("1. Medium Income, Medium Spending", 1),
        ("Monthly Charges Including Taxes And Regional Fees, this segment", 2),
        ("1. High Monthly Charges Including Taxes And Regional Fees, High Tenure With The", 3),
        ("word " * 40, 3),
    ],
)
def test_labels_wrap_onto_at_most_three_lines(text: str, lines: int) -> None:
    assert label_lines(text) == lines


def test_mall_sizes_chart_prints_each_share_beside_its_bar() -> None:
    config = load_config(MALL_CONFIG)
    release = prepare(run_analysis(config), config, relock=False)
    charts = {c.name: c for c in make_charts(release, config)}
    rows = rows_of(charts["segment-sizes"].spec)
    assert [r["label"] for r in rows] == ["20%", "18%", "40%", "11%", "12%"]
    assert [r["customers"] for r in rows] == [39, 35, 81, 22, 23]


@pytest.fixture(scope="module")
def messy_charts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    config = load_config(write_messy(Path(tmp_path_factory.mktemp("messy"))))
    release = prepare(run_analysis(config), config, relock=True)
    return {c.name: c.spec for c in make_charts(release, config)}


def test_stacked_charts_hold_six_columns_six_values_and_one_colour_each(
    messy_charts: dict[str, dict],
) -> None:
    shares = {name: s for name, s in messy_charts.items() if name.startswith("shares-")}
    assert len(shares) == 3 * 4  # 20 columns per segment: four charts of at most six
    hidden = say("shares.hidden")
    for name, chart in shares.items():
        rows = rows_of(chart)
        assert len({r["measure"] for r in rows}) <= MAX_COLUMNS, name
        bars: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            bars[r["row"]].append(r)
        for row, parts in bars.items():
            assert len([p for p in parts if p["value"] != hidden]) <= MAX_VALUES, (name, row)
            assert sum(p["share"] for p in parts) == pytest.approx(1), (name, row)
        scale = chart["encoding"]["color"]["scale"]
        assert len(set(scale["domain"])) == len(scale["domain"]) == len(scale["range"])
        assert len(set(scale["range"])) == len(scale["range"]), name  # no colour reused
        assert set(scale["range"]) <= {*PALETTE, "#BBBBBB"}
        assert {r["value"] for r in rows} == set(scale["domain"]), name


def test_hidden_parts_of_a_bar_are_drawn_and_named(messy_charts: dict[str, dict]) -> None:
    hidden = say("shares.hidden")
    named = [
        r
        for name, chart in messy_charts.items()
        if name.startswith("shares-")
        for r in rows_of(chart)
        if r["value"] == hidden
    ]
    # "Complained" is rare (2%) in two of the three segments: its bars there are hidden.
    complained = [r for r in named if r["measure"] == SERVICES[-1]]
    assert len(complained) == 2 and all(r["share"] == pytest.approx(1) for r in complained)
    legend_names = [
        c["encoding"]["color"]["scale"]
        for name, c in messy_charts.items()
        if name.startswith("shares-") and any(r["value"] == hidden for r in rows_of(c))
    ]
    assert all(s["domain"][-1] == hidden and s["range"][-1] == "#BBBBBB" for s in legend_names)


def test_yes_and_no_keep_their_colours_across_a_page(messy_charts: dict[str, dict]) -> None:
    colours: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, chart in messy_charts.items():
        if name.startswith("shares-"):
            scale = chart["encoding"]["color"]["scale"]
            page = name.removeprefix("shares-").split(".")[0]
            for value, colour in zip(scale["domain"], scale["range"], strict=True):
                colours[(page, value)].add(colour)
    yes_no = {key: found for key, found in colours.items() if key[1] in ("Yes", "No")}
    assert len(yes_no) == 6 and all(len(found) == 1 for found in yes_no.values()), colours


def test_a_hidden_histogram_bin_says_so(messy_charts: dict[str, dict]) -> None:
    # Total charges: a few customers in two of its bins, hidden (not drawn as empty bins).
    words = [
        r
        for name, chart in messy_charts.items()
        if name.startswith("distribution-")
        for r in rows_of(chart)
        if r.get("label") == say("hidden") and "mid" in r
    ]
    assert words and all(r["customers"] is None and r["from"] < r["mid"] < r["to"] for r in words)
