"""Every page of the built site, served on loopback, in a real Chromium."""

from __future__ import annotations

from helpers import Built, Tab, check_page


def test_sitemap_lists_every_page(built: Built, pages: list[str]) -> None:
    on_disk = {
        p.relative_to(built.site).as_posix()
        for p in built.site.rglob("*.html")
        if p.name != "404.html"
    }
    listed = {url.removeprefix(built.base_url) for url in pages}
    assert listed == on_disk
    assert any(name.startswith("segments/") for name in listed)


def test_every_page_renders_its_charts_without_errors(tab: Tab, pages: list[str]) -> None:
    reports = [check_page(tab.page, tab.watch, url) for url in pages]
    problems = {r.url: r.problems for r in reports if r.problems}
    assert not problems, "\n".join(f"{url}: {p}" for url, p in problems.items())
    assert sum(r.rendered for r in reports) >= len(pages), "expected charts on most pages"


def test_no_request_leaves_loopback(tab: Tab, pages: list[str]) -> None:
    for url in pages:
        check_page(tab.page, tab.watch, url)
    assert tab.watch.requests, "no request was recorded"
    assert tab.watch.foreign_requests() == []
