"""Instant navigation: home -> each persona page -> home, through the site's own links."""

from __future__ import annotations

from helpers import Built, Tab, check_page, follow_link

PERSONA_LINKS = "article table a[href*='segments/']"
HOME_LINK = "article a[href$='index.html']"


def test_persona_round_trips_render_charts(tab: Tab, built: Built) -> None:
    page = tab.page
    home = check_page(page, tab.watch, built.base_url + "index.html")
    assert home.problems == []
    targets = list(
        dict.fromkeys(page.locator(PERSONA_LINKS).evaluate_all("l => l.map(a => a.href)"))
    )
    assert len(targets) >= 2, "the home page links no persona pages"

    for target in targets:
        persona, instant = follow_link(
            page, tab.watch, page.locator(f"{PERSONA_LINKS}[href='{target}']").first
        )
        assert persona.url == target
        assert instant, f"{target} was a full page load: instant navigation is off"
        assert persona.problems == [], f"{target}: {persona.problems}"
        assert persona.rendered > 0

        back, instant = follow_link(page, tab.watch, page.locator(HOME_LINK).last)
        assert back.url == built.base_url + "index.html"
        assert instant, "the way back was a full page load"
        assert back.problems == [], f"back home from {target}: {back.problems}"
        assert back.rendered == home.rendered
