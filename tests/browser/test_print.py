"""Printing, as Chromium prints to PDF: the summary on one page, persona pages without
navigation, charts as vector text and shapes (no pictures), redrawn at the paper's width."""

from __future__ import annotations

import io

import pytest
from helpers import STATS, Built, Tab, check_page
from pypdf import PdfReader

PAPERS = ("A4", "Letter")
# Words only the site's navigation and chrome print: the tabs' header, the search box, the
# table of contents and the export menu.
CHROME = ("Table of contents", "Search", "Save as SVG", "Back to top")


def printed(tab: Tab, url: str, paper: str) -> PdfReader:
    report = check_page(tab.page, tab.watch, url)
    assert report.problems == [] and report.rendered > 0
    pdf = tab.page.pdf(format=paper, print_background=True)
    STATS["pages printed"] += 1
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


@pytest.mark.parametrize("paper", PAPERS)
def test_the_summary_prints_on_one_page(tab: Tab, built: Built, paper: str) -> None:
    pdf = printed(tab, built.base_url + "index.html", paper)
    assert len(pdf.pages) == 1
    text = text_of(pdf)
    assert "Mall Customers: customer segments" in text
    # The charts are drawn as text and shapes, not pictures.
    assert "Customers per segment" in text and "Segment map: Income vs Spending" in text
    assert "40%" in text
    assert sum(len(page.images) for page in pdf.pages) == 0
    assert [word for word in CHROME if word in text] == []


@pytest.mark.parametrize("paper", PAPERS)
def test_a_persona_page_prints_without_navigation(
    tab: Tab, built: Built, pages: list[str], paper: str
) -> None:
    persona = next(url for url in pages if "/segments/" in url)
    pdf = printed(tab, persona, paper)
    text = text_of(pdf)
    heading = tab.page.locator("article h1").inner_text()
    assert heading in text
    titles = tab.page.locator(".segments-chart").evaluate_all(
        "(els) => els.map((el) => el.getAttribute('data-title'))"
    )
    assert titles and all(title.split(":")[0] in text for title in titles), titles
    assert sum(len(page.images) for page in pdf.pages) == 0
    assert [word for word in CHROME if word in text] == []
    # Folded sections print open (and fold again after printing).
    folded = tab.page.evaluate(
        """() => Array.from(document.querySelectorAll('article details'))
                 .filter((d) => !d.closest('.segments-chart'))
                 .map((d) => [d.open, d.querySelector(':scope > :not(summary)')?.textContent])"""
    )
    words = " ".join(text.split())
    STATS["folded sections printed"] += len(folded)
    for is_open, inside in folded:
        assert not is_open
        assert inside and " ".join(inside.split())[:40] in words, inside


def test_printing_redraws_charts_at_the_papers_width(tab: Tab, built: Built) -> None:
    check_page(tab.page, tab.watch, built.base_url + "index.html")
    widths = (
        "() => Array.from(document.querySelectorAll('.segments-chart svg.marks'),"
        " (s) => s.getBoundingClientRect().width)"
    )
    screen = tab.page.evaluate(widths)
    tab.page.emulate_media(media="print")
    tab.page.wait_for_function(
        f"(before) => ({widths})().every((w, i) => Math.abs(w - before[i]) > 50)",
        arg=screen,
        timeout=10_000,
    )
    paper = tab.page.evaluate(widths)
    boxes = tab.page.evaluate(
        "() => Array.from(document.querySelectorAll('.segments-chart'), (el) => el.clientWidth)"
    )
    # Side by side on the summary: each chart fits its half of the page.
    assert all(w <= box + 1 for w, box in zip(paper, boxes, strict=True)), (paper, boxes)
    tab.page.emulate_media(media="screen")
