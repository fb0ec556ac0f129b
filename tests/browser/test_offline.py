"""site.zip, unzipped and opened from file:// with no server: charts, links and search work."""

from __future__ import annotations

from pathlib import Path

from helpers import Tab, check_page, search


def test_offline_home_and_persona_render_from_file(tab: Tab, offline_site: Path) -> None:
    home = check_page(tab.page, tab.watch, (offline_site / "index.html").as_uri())
    assert home.problems == []
    assert home.rendered > 0
    html = (offline_site / "index.html").read_text(encoding="utf-8")
    assert html.count('<script type="application/json">') == len(home.charts), "specs not inlined"

    link = tab.page.locator("article table a[href*='segments/']").first
    target = link.evaluate("a => a.href")
    link.click()
    tab.page.wait_for_url(target)
    persona = check_page(tab.page, tab.watch)
    assert persona.url.startswith("file://")
    assert persona.problems == []
    assert persona.rendered > 0
    assert all(url.startswith("file://") for url in tab.watch.requests), tab.watch.requests


def test_offline_search_works_from_file(tab: Tab, offline_site: Path) -> None:
    check_page(tab.page, tab.watch, (offline_site / "index.html").as_uri())
    link = tab.page.locator("article table a[href*='segments/']").first
    name, href = link.inner_text().strip(), link.evaluate("a => a.href")

    results = search(tab.page, name)

    assert any(found.split("?")[0] == href and name in title for title, found in results), results
    assert tab.watch.since((0, 0, 0)) == []
