"""The dark/light toggle draws every chart again, in the new theme, without errors."""

from __future__ import annotations

from helpers import Built, Tab, check_page, toggle_palette


def test_palette_toggle_rerenders_charts(tab: Tab, built: Built, pages: list[str]) -> None:
    persona = next(url for url in pages if "/segments/" in url)
    for url in (built.base_url + "index.html", persona):
        first = check_page(tab.page, tab.watch, url)
        assert first.problems == []
        schemes = []
        for _ in range(2):  # to the other palette and back
            report, scheme = toggle_palette(tab.page, tab.watch)
            assert report.problems == [], f"{url} after switching to {scheme}: {report.problems}"
            assert report.rendered == first.rendered
            schemes.append(scheme)
        assert sorted(schemes) == ["default", "slate"]
