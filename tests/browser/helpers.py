"""The page checker shared by the browser tests (and by the test that breaks a chart on purpose).

``Watch`` records what a page does (console errors, page errors, every request); ``check_page``
opens a page, waits for its charts and returns a ``PageReport`` whose ``problems`` list is empty
when the page is healthy. Tests assert on that list, so a failure prints every problem at once.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:  # playwright may be missing; conftest then skips (or fails under CI)
    from playwright.sync_api import BrowserContext, ConsoleMessage, Locator, Page, Request

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PROJECT_FILES = ("generator", "templates", "data", "mkdocs.yml")

# Totals for the closing summary (conftest prints them after the run).
STATS: Counter[str] = Counter()
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHART_TIMEOUT_MS = 20_000

# Per chart: its spec, its state, and whether its SVG/canvas has marks (Vega's role-mark groups
# with at least one child: a path, rect, text...).
CHART_STATES_JS = """
() => Array.from(document.querySelectorAll('.segments-chart')).map((el) => {
  const view = el.querySelector('svg.marks, canvas.marks');
  const marks = el.querySelectorAll('svg.marks .role-mark > *').length;
  const doc = el.querySelector('[role="graphics-document"]');
  return {
    spec: el.getAttribute('data-spec'),
    state: el.getAttribute('data-state'),
    view: view ? view.tagName.toLowerCase() : null,
    marks: view && view.tagName === 'CANVAS' ? 1 : marks,
    label: doc ? doc.getAttribute('aria-label') || '' : '',
    viewWidth: view ? view.getBoundingClientRect().width : 0,
    boxWidth: el.getBoundingClientRect().width,
    // how far the chart's title sticks out of its view (which clips it), left or right, in px
    titleOverflow: Array.from(el.querySelectorAll('svg.marks .role-title text')).reduce(
      (worst, text) => {
        const box = view.getBoundingClientRect(), t = text.getBoundingClientRect();
        return Math.max(worst, box.left - t.left, t.right - box.right);
      }, 0),
    // every word the chart draws, and what a page in its place says (a chart note)
    texts: Array.from(el.querySelectorAll('svg text')).map((t) => t.textContent),
    note: view ? '' : el.innerText,
    // per legend: how far it sticks out of the view on any side (px), its labels and swatches
    legends: Array.from(el.querySelectorAll('svg.marks .role-legend')).map((legend) => {
      const box = view.getBoundingClientRect(), b = legend.getBoundingClientRect();
      return {
        overflow: Math.max(box.left - b.left, b.right - box.right, box.top - b.top,
                           b.bottom - box.bottom),
        labels: Array.from(legend.querySelectorAll('.role-legend-label text'))
          .map((t) => t.textContent),
        fills: Array.from(legend.querySelectorAll('.role-legend-symbol path'))
          .map((p) => p.getAttribute('fill')),
      };
    }),
  };
})
"""

# The screen reader descriptions beside the charts.
DESCRIPTIONS_JS = """
() => Array.from(document.querySelectorAll('.segments-sr-only')).map((p) => p.textContent)
"""
# What Vega (or a template) prints for a value that is missing.
MISSING_WORDS = re.compile(r"\b(undefined|NaN|null|Infinity)\b")

CHARTS_SETTLED_JS = """
() => Array.from(document.querySelectorAll('.segments-chart')).every(
  (el) => ['rendered', 'failed'].includes(el.getAttribute('data-state')))
"""


@dataclass
class Watch:
    """Everything a browser context did: console errors, page errors and every request."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> Watch:
        """Record from every page of ``context`` (pages opened later included)."""
        context.on("request", self._on_request)
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        return self

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.console_errors.append(f"{message.text} ({where})")

    def foreign_requests(self) -> list[str]:
        """Requests to anything but loopback or local files/data."""
        return [url for url in self.requests if not is_local(url)]

    def mark(self) -> tuple[int, int, int]:
        """Positions to look back from (see ``since``)."""
        return len(self.console_errors), len(self.page_errors), len(self.requests)

    def since(self, mark: tuple[int, int, int]) -> list[str]:
        """Problems recorded after ``mark``: console errors, page errors, foreign requests."""
        console, errors, requests = mark
        return (
            [f"console error: {text}" for text in self.console_errors[console:]]
            + [f"page error: {text}" for text in self.page_errors[errors:]]
            + [
                f"request to another host: {url}"
                for url in self.requests[requests:]
                if not is_local(url)
            ]
        )


@dataclass(frozen=True)
class Built:
    """The project copy that was built and the address its site/ is served on."""

    project: Path
    base_url: str

    @property
    def site(self) -> Path:
        """The built site/ folder."""
        return self.project / "site"


@dataclass
class Tab:
    """A page in its own fresh context, with everything it does recorded."""

    page: Any
    watch: Watch


def is_local(url: str) -> bool:
    """Whether ``url`` stays on this machine (loopback, file:, data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in {"file", "data", "blob", "about"}:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOOPBACK


@dataclass
class PageReport:
    """What ``check_page`` saw on one page; ``problems`` is empty when the page is healthy."""

    url: str
    charts: list[dict[str, Any]]
    problems: list[str]

    @property
    def rendered(self) -> int:
        """Charts that hold a Vega view with marks."""
        return sum(1 for c in self.charts if _is_rendered(c))


def _is_rendered(chart: dict[str, Any]) -> bool:
    return chart["state"] == "rendered" and chart["view"] is not None and chart["marks"] > 0


def wait_for_charts(page: Page, timeout_ms: int = CHART_TIMEOUT_MS) -> list[dict[str, Any]]:
    """Wait until every chart is rendered or failed; return each chart's state."""
    with contextlib.suppress(Exception):  # a chart that never settles is reported below
        page.wait_for_function(CHARTS_SETTLED_JS, timeout=timeout_ms)
    states: list[dict[str, Any]] = page.evaluate(CHART_STATES_JS)
    return states


def chart_problems(page: Page) -> tuple[list[dict[str, Any]], list[str]]:
    """Chart states and what is wrong with them: failures, missing views, counts that differ."""
    charts = wait_for_charts(page)
    problems = [
        f"chart {c['spec']} is not rendered (state={c['state']}, view={c['view']}, "
        f"marks={c['marks']})"
        for c in charts
        if not _is_rendered(c)
    ]
    problems += [
        f"chart {c['spec']}: its title is cut off ({c['titleOverflow']:.0f}px outside the view)"
        for c in charts
        if c["titleOverflow"] > 0.5
    ]
    problems += [p for c in charts for p in _text_problems(c)]
    problems += [
        f"a chart description says {found!r}: {text[:120]!r}"
        for text in page.evaluate(DESCRIPTIONS_JS)
        if (found := MISSING_WORDS.search(text))
    ]
    specs = page.locator(".segments-chart[data-spec]").count()
    rendered = sum(1 for c in charts if _is_rendered(c))
    STATS["page views checked"] += 1
    STATS["charts checked"] += len(charts)
    if rendered != specs:
        problems.append(f"{rendered} charts rendered but the page has {specs} chart specs")
    return charts, problems


def _text_problems(chart: dict[str, Any]) -> list[str]:
    """Missing values drawn as words, legends cut off, one colour for two values."""
    name = chart["spec"]
    STATS["chart texts read"] += len(chart["texts"])
    problems = [
        f"chart {name} draws {text!r}" for text in chart["texts"] if MISSING_WORDS.search(text)
    ]
    for legend in chart["legends"]:
        STATS["legends checked"] += 1
        if legend["overflow"] > 0.5:
            problems.append(f"chart {name}: a legend is cut off ({legend['overflow']:.0f}px)")
        pairs = dict(zip(legend["labels"], legend["fills"], strict=False))
        shared = [f for f in set(pairs.values()) if list(pairs.values()).count(f) > 1]
        if shared:
            problems.append(f"chart {name}: legend colours {shared} stand for several values")
    return problems


def check_page(page: Page, watch: Watch, url: str | None = None) -> PageReport:
    """Open ``url`` (or check the current page) and report everything wrong with it."""
    mark = watch.mark()
    if url is not None:
        page.goto(url, wait_until="load")
    charts, problems = chart_problems(page)
    return PageReport(page.url, charts, problems + watch.since(mark))


def copy_project(target: Path) -> Path:
    """Copy the project's sources and shipped data into ``target`` (to build there)."""
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def segments(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI (``python -m generator``) in ``project``, sharing the Vega bundle cache."""
    from tests.conftest import run_cli

    cache = {"SEGMENTS_CACHE": str(ROOT / ".segments-cache")}  # the Vega bundle, made once
    return run_cli(*args, cwd=project, env={**cache, **(env or {})})


def sitemap_pages(site: Path, base_url: str) -> list[str]:
    """Every page the sitemap lists, as URLs under ``base_url`` (whatever site_url says)."""
    tree = ET.parse(site / "sitemap.xml")
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text or "" for loc in tree.getroot().iterfind("s:url/s:loc", namespace)]
    return [urljoin(base_url, urlsplit(loc).path.lstrip("/")) for loc in locs]


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port from a thread; yields the base URL."""
    with bound_server(directory) as (_server, base_url):
        yield base_url


@contextmanager
def bound_server(directory: Path) -> Iterator[tuple[http.server.ThreadingHTTPServer, str]]:
    """A threaded static server already listening (so its port is known before a build)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


# Mark the window and the current chart containers (or their Vega views), so that a new page or a
# re-render can be told apart from the old one still showing: instant navigation swaps content in
# place, and the palette toggle redraws views inside the same containers.
MARK_JS = """
(selector) => {
  window.__segmentsTestMark = true;
  document.querySelectorAll(selector).forEach((el) => { el.dataset.testOld = '1'; });
}
"""
GONE_JS = """
(selector) => Array.from(document.querySelectorAll(selector)).every((el) => !el.dataset.testOld)
"""
CONTAINERS = ".segments-chart"
VIEWS = ".segments-chart .marks"  # Vega's root <svg> or <canvas>


def follow_link(page: Page, watch: Watch, link: Locator) -> tuple[PageReport, bool]:
    """Click a link of the site; return the new page's report and whether it was instant.

    Instant means Material swapped the content without loading a new document (the window
    keeps a mark set before the click).
    """
    mark = watch.mark()
    page.evaluate(MARK_JS, CONTAINERS)
    target = link.evaluate("(a) => a.href")
    link.click()
    page.wait_for_url(target.split("#")[0])
    page.wait_for_function(GONE_JS, arg=CONTAINERS, timeout=CHART_TIMEOUT_MS)
    instant = bool(page.evaluate("() => window.__segmentsTestMark === true"))
    charts, problems = chart_problems(page)
    return PageReport(page.url, charts, problems + watch.since(mark)), instant


def toggle_palette(page: Page, watch: Watch) -> tuple[PageReport, str]:
    """Click Material's dark/light toggle; wait for every chart to be drawn again."""
    mark = watch.mark()
    before = page.evaluate("() => document.body.dataset.mdColorScheme")
    page.evaluate(MARK_JS, VIEWS)
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function("(before) => document.body.dataset.mdColorScheme !== before", arg=before)
    page.wait_for_function(GONE_JS, arg=VIEWS, timeout=CHART_TIMEOUT_MS)
    charts, problems = chart_problems(page)
    scheme = str(page.evaluate("() => document.body.dataset.mdColorScheme"))
    return PageReport(page.url, charts, problems + watch.since(mark)), scheme


def search(page: Page, words: str) -> list[tuple[str, str]]:
    """Type into Material's search box; return the (title, href) of every result."""
    toggle = page.locator("label.md-header__button[for='__search']")
    if toggle.is_visible():  # phones: the box hides behind the search icon
        toggle.click()
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(words, delay=20)
    results = page.locator("li.md-search-result__item > a.md-search-result__link")
    results.first.wait_for(timeout=CHART_TIMEOUT_MS)
    found: list[tuple[str, str]] = page.evaluate(
        """() => Array.from(document.querySelectorAll(
               'li.md-search-result__item > a.md-search-result__link')).map(
             (a) => [a.querySelector('h1, h2')?.textContent.trim() ?? '', a.href])"""
    )
    return found


def run_axe(page: Page, axe_script: Path) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the current page (all default rules)."""
    # Evaluated through DevTools, not added as a <script>: the pages' Content-Security-Policy
    # (rightly) refuses inline scripts it has no hash for.
    page.evaluate(axe_script.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const result = await axe.run(document, { resultTypes: ['violations'] });
          return result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary),
            }));
        }"""
    )
    return violations


def describe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    """Every violation, with each offending element, for a failure message."""
    lines = [f"{url}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"      {node}" for node in v["nodes"])
    return "\n".join(lines)
