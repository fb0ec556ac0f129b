"""The History page in Chromium: three releases of a seeded table, built by the real CLI.

Growth, then a split (a new segment): the page draws its chart with no error or warning, the
chart's text (axes, legend, the "new" label) holds no "undefined", "NaN" or "null", axe finds no
serious violation, and a phone shows it without sideways scrolling.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from helpers import AXE, Tab, bound_server, check_page, copy_project, describe_violations, run_axe
from helpers import segments as run_segments

from tests.e2e.refreshes import CONFIG, FIRST_EPOCH, QUARTER, releases, write_release

OVERFLOW_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = copy_project(tmp_path_factory.mktemp("releases"))
    shutil.rmtree(project / "data")
    (project / "data").mkdir()
    (project / "data" / "segments.yml").write_text(CONFIG, encoding="utf-8")
    tables = releases()
    with bound_server(project / "site") as (_server, base_url):
        for i, table in enumerate((tables[0], tables[1], tables[3])):
            write_release(project, table, seed=i)
            env = {"SITE_URL": base_url, "SOURCE_DATE_EPOCH": str(FIRST_EPOCH + i * QUARTER)}
            result = run_segments(project, "build", env=env)
            assert result.returncode == 0, result.stderr
        yield base_url


def test_the_history_page_draws_its_chart_truthfully(tab: Tab, history_site: str) -> None:
    warnings: list[str] = []
    tab.page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    report = check_page(tab.page, tab.watch, history_site + "history.html")
    assert not report.problems, report.problems
    assert report.rendered == 1
    texts = tab.page.locator(".segments-chart svg text").all_text_contents()
    assert "new" in texts and "Share of customers by release" in texts
    assert not [t for t in texts if any(bad in t for bad in ("undefined", "NaN", "null"))]
    legend = tab.page.locator(".segments-chart svg .role-legend").all_text_contents()
    assert all(f"{n}. " in " ".join(legend) for n in (1, 2, 3, 4, 5)), legend
    assert not warnings, warnings
    article = tab.page.inner_text("article")
    assert "3 releases, from 2024-01-01" in article
    violations = run_axe(tab.page, AXE)
    assert not violations, describe_violations("history.html", violations)


def test_the_summary_links_the_history_page(tab: Tab, history_site: str) -> None:
    check_page(tab.page, tab.watch, history_site + "index.html")
    link = tab.page.locator("article a[href$='history.html']")
    assert link.count() == 1
    assert link.inner_text() == "How the segments moved over 3 releases"


def test_the_history_page_fits_a_phone(phone: Tab, history_site: str) -> None:
    report = check_page(phone.page, phone.watch, history_site + "history.html")
    assert not report.problems, report.problems
    width, viewport = phone.page.evaluate(OVERFLOW_JS)
    assert width <= viewport
