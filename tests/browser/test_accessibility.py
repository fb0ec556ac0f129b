"""axe-core on every page (light and dark), chart text alternatives, colour-blind-safe segments."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import AXE, STATS, Built, Tab, check_page, describe_violations, run_axe, toggle_palette

from generator.report.charts.common import PALETTE, SHAPES

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


@pytest.fixture(scope="session")
def axe() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run 'npm ci' (make browser-deps does)")
    return str(AXE)


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_no_serious_axe_violations(tab: Tab, pages: list[str], axe: str, scheme: str) -> None:
    failures = []
    for url in pages:
        report = check_page(tab.page, tab.watch, url)
        assert report.problems == []
        if tab.page.evaluate("() => document.body.dataset.mdColorScheme") != scheme:
            report, _ = toggle_palette(tab.page, tab.watch)  # Material remembers the choice
            assert report.problems == []
        violations = run_axe(tab.page, AXE)
        STATS["axe page checks"] += 1
        STATS["axe serious/critical violations"] += len(violations)
        if violations:
            failures.append(describe_violations(f"{url} ({scheme})", violations))
    assert not failures, "\n".join(failures)


def test_charts_carry_a_text_description(tab: Tab, pages: list[str]) -> None:
    checked = 0
    for url in pages:
        check_page(tab.page, tab.watch, url)
        for chart in tab.page.locator(".segments-chart").all():
            described: dict[str, Any] = chart.evaluate(
                """(el) => ({
                  spec: el.dataset.spec,
                  before: el.previousElementSibling?.matches('p.segments-sr-only')
                    ? el.previousElementSibling.textContent.trim() : '',
                  label: el.querySelector('[role="graphics-document"]')
                    ?.getAttribute('aria-label') ?? '',
                })"""
            )
            # A visually hidden sentence before the chart, and Vega's own ARIA label on the view.
            assert len(described["before"]) > 20, described
            assert described["label"] == described["before"], described
            checked += 1
    assert checked > 0


def test_segment_palette_starts_okabe_ito_and_tells_12_segments_apart() -> None:
    assert set(PALETTE[:6]) <= OKABE_ITO
    assert len(set(PALETTE)) == len(PALETTE) >= 12  # a distinct colour for each of 12 segments
    pairs = {(PALETTE[i % len(PALETTE)], SHAPES[i % len(SHAPES)]) for i in range(24)}
    assert len(pairs) == 24 and not {"wedge", "stroke"} & set(SHAPES)  # both barely visible


def _segment_layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        layer
        for layer in spec["layer"]
        if layer.get("encoding", {}).get("color", {}).get("field") == "segment"
        and layer.get("encoding", {}).get("shape")
    ]


def test_map_tells_segments_apart_by_shape_and_label(built: Built) -> None:
    spec = json.loads((built.site / "charts" / "segment-map.json").read_text(encoding="utf-8"))
    layers = _segment_layers(spec)
    assert layers, "no map layer encodes the segment by shape"
    for layer in layers:
        shape, colour = layer["encoding"]["shape"], layer["encoding"]["color"]
        assert shape["field"] == "segment"
        shapes, colours = shape["scale"]["range"], colour["scale"]["range"]
        segments = shape["scale"]["domain"]
        assert len(set(shapes[: len(segments)])) == len(segments), shapes
        assert len(set(colours[: len(segments)])) == len(segments), colours
    labels = [
        layer
        for layer in spec["layer"]
        if layer.get("mark", {}).get("type") == "text" and "text" in layer.get("encoding", {})
    ]
    assert labels, "segment centres are not labelled"
