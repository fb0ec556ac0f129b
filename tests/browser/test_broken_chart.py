"""The checker catches a chart that fails to draw: break a spec on purpose and expect a report."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import Built, Tab, check_page, serve


def test_checker_reports_a_broken_chart(tab: Tab, built: Built, tmp_path: Path) -> None:
    broken = tmp_path / "site"
    shutil.copytree(built.site, broken)
    (broken / "charts" / "segment-sizes.json").write_text('{"mark": ', encoding="utf-8")

    with serve(broken) as base_url:
        report = check_page(tab.page, tab.watch, base_url + "index.html")

    sizes = next(c for c in report.charts if c["spec"].endswith("segment-sizes.json"))
    assert sizes["state"] == "failed"
    assert any("charts/segment-sizes.json is not rendered" in p for p in report.problems)
    assert any(p.startswith("console error: segments chart failed") for p in report.problems)
    assert any("1 charts rendered but the page has 2 chart specs" in p for p in report.problems)
    assert tab.page.locator(".segments-chart[data-state='failed']").inner_text() == (
        "This chart could not be drawn."
    )
