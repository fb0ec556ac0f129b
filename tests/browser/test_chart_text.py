"""Every chart's text in Chromium, on the Mall demo and on a messy table (issue 19).

``check_page`` reads every word each chart draws, its legends and the descriptions beside it:
no "undefined", "NaN" or "null", no legend cut off, no colour standing for two values. Here it
runs over every page of a site built from a telecom-like table with long column names, 16
yes/no columns, many regions and blank cells; then the long names must wrap or abbreviate with
the whole name in the tooltip, and the stacked charts must stay within six columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers import (
    STATS,
    Built,
    Tab,
    bound_server,
    check_page,
    copy_project,
    segments,
    sitemap_pages,
)

from generator.report.charts.words import say
from tests.fixtures.messy import write_messy


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The messy table's site, built by the real CLI and served."""
    project = copy_project(tmp_path_factory.mktemp("messy"))
    config = write_messy(project / "messy")
    with bound_server(project / "site") as (_server, base_url):
        result = segments(project, "build", "--config", str(config), env={"SITE_URL": base_url})
        assert result.returncode == 0, result.stdout + result.stderr
        yield Built(project, base_url)


def test_mall_sizes_chart_reads_numbers(tab: Tab, built: Built) -> None:
    report = check_page(tab.page, tab.watch, built.base_url + "index.html")
    assert report.problems == []
    sizes = next(c for c in report.charts if c["spec"].endswith("segment-sizes.json"))
    assert [t for t in sizes["texts"] if t.endswith("%")] == ["20%", "18%", "40%", "11%", "12%"]


def test_every_chart_of_a_messy_site_draws_only_real_words(tab: Tab, messy: Built) -> None:
    pages = sitemap_pages(messy.site, messy.base_url)
    reports = [check_page(tab.page, tab.watch, url) for url in pages]
    problems = [f"{r.url}: {p}" for r in reports for p in r.problems]
    assert problems == []
    charts = [c for r in reports for c in r.charts]
    assert len(charts) > 40 and all(c["texts"] for c in charts)
    STATS["messy charts checked"] += len(charts)
    hidden = say("shares.hidden")
    legends = [label for c in charts for legend in c["legends"] for label in legend["labels"]]
    assert hidden in legends, "no hidden part is named in a legend"
    stacked = [c for c in charts if "/shares-" in c["spec"]]
    assert len(stacked) == 12  # 20 columns a segment: four charts of at most six
    for chart in stacked:
        rows = [t for t in chart["texts"] if t.startswith(("This segment:", "All customers:"))]
        assert 0 < len(rows) <= 12, chart["spec"]  # two bars a column


def test_every_chart_of_a_messy_site_fits_a_phone(phone: Tab, messy: Built) -> None:
    # On a phone the labels wrap shorter and legends stack: nothing runs off the edge.
    pages = sitemap_pages(messy.site, messy.base_url)
    reports = [check_page(phone.page, phone.watch, url) for url in pages]
    assert [f"{r.url}: {p}" for r in reports for p in r.problems] == []
    assert sum(len(c["legends"]) for r in reports for c in r.charts) > 10


def test_long_names_wrap_and_the_tooltip_holds_the_whole_name(tab: Tab, messy: Built) -> None:
    check_page(tab.page, tab.watch, messy.base_url + "index.html")
    chart = tab.page.locator(".segments-chart[data-spec$='segment-sizes.json']")
    labels = chart.locator(".role-axis[aria-label^='Y-axis'] .role-axis-label text")
    # Wrapped labels are drawn as one <tspan> a line; abbreviated ones end with an ellipsis.
    lines = [labels.nth(i).locator("tspan").count() for i in range(labels.count())]
    assert max(lines) == 3, lines
    bars = chart.locator(".mark-rect.role-mark path")
    assert bars.count() == labels.count()
    cut = 0
    for i in range(bars.count()):
        shown = " ".join(labels.nth(i).locator("tspan").all_text_contents())
        whole = " ".join(hover_tooltip(tab, bars.nth(i)).split())
        assert whole.startswith(shown.removesuffix("\u2026")), (shown, whole)
        if shown.endswith("\u2026"):
            cut += 1
            assert len(whole) > len(shown), (shown, whole)
        else:
            assert whole == shown
    assert cut == 2  # the two long names; the third fits in three lines


def hover_tooltip(tab: Tab, mark: Any) -> str:
    """The first value of the tooltip shown over ``mark`` (hovered again if a redraw hid it)."""
    tip = tab.page.locator("#vg-tooltip-element.visible td.value").first
    for _ in range(5):
        mark.hover(force=True)
        try:
            tip.wait_for(state="visible", timeout=2_000)
            return tip.inner_text()
        except Exception:
            tab.page.mouse.move(0, 0)
    raise AssertionError("no tooltip appeared")


def test_a_page_opened_from_disk_says_how_to_view_its_charts(tab: Tab, built: Built) -> None:
    persona = sorted((built.site / "segments").glob("*.html"))[0]
    for page in (built.site / "index.html", persona):
        tab.page.goto(page.as_uri())
        tab.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.segments-chart')).every("
            "(el) => el.getAttribute('data-state') === 'needs-server')",
            timeout=10_000,
        )
        notes = tab.page.locator(".segments-chart").all_inner_texts()
        assert notes, page
        for note in notes:
            assert "opened straight from a file" in note, note
            assert "python3 -m http.server" in note and "segments build --offline" in note, note
        assert tab.page.locator(".segments-chart svg").count() == 0
