"""At 375 px wide: no sideways scrolling, every chart fits its column (titles: see helpers)."""

from __future__ import annotations

from helpers import Tab, check_page

OVERFLOW_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"


def test_phone_width_has_no_horizontal_overflow(phone: Tab, pages: list[str]) -> None:
    problems = []
    for url in pages:
        report = check_page(phone.page, phone.watch, url)
        problems += [f"{url}: {p}" for p in report.problems]
        scroll_width, inner_width = phone.page.evaluate(OVERFLOW_JS)
        if scroll_width > inner_width:
            problems.append(f"{url}: page is {scroll_width}px wide in a {inner_width}px window")
        problems += [
            f"{url}: chart {c['spec']} is {c['viewWidth']:.0f}px in a {c['boxWidth']:.0f}px column"
            for c in report.charts
            if c["viewWidth"] > c["boxWidth"] + 0.5 or c["boxWidth"] > inner_width
        ]

    assert not problems, "\n".join(problems)
