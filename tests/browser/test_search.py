"""Material's built-in search finds a persona page by the persona's name."""

from __future__ import annotations

from helpers import Built, Tab, check_page, search


def test_search_finds_persona_by_name(tab: Tab, built: Built) -> None:
    check_page(tab.page, tab.watch, built.base_url + "index.html")
    link = tab.page.locator("article table a[href*='segments/']").last
    name, href = link.inner_text().strip(), link.evaluate("a => a.href")

    results = search(tab.page, name)

    assert any(found.split("?")[0] == href and name in title for title, found in results), results
    assert tab.watch.since((0, 0, 0)) == []
