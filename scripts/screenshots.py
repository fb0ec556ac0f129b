"""Screenshots of the real site for the README: home and one persona page, desktop and phone.

Builds the site from the shipped data with the real CLI (``segments build``), serves site/ on a
free loopback port, opens it in Debian's Chromium (``CHROMIUM``, default /usr/bin/chromium) through
Playwright and writes PNGs into docs-images/ (not docs/, which the generator owns). The History
page needs several releases: ``history_demo.py`` builds the Mall refreshed three times in a
temporary folder, and its History page is shot at desktop size; ``outcome_demo.py`` builds a
telecom-like table with a churn outcome, whose summary is shot down to its segments table.

Usage: ``make screenshots`` or ``python scripts/screenshots.py [--no-build]``.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import history_demo
import outcome_demo
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs-images"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# name: viewport, device scale, how much of the page to keep (CSS px from the top)
SIZES: dict[str, tuple[dict[str, int], int, int]] = {
    "desktop": ({"width": 1280, "height": 900}, 1, 1500),
    "phone": ({"width": 375, "height": 812}, 2, 1400),
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` from a thread on a free loopback port; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def open_page(page: Page, url: str) -> None:
    """Open ``url`` and wait until every chart is drawn."""
    page.goto(url, wait_until="load")
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.segments-chart'))
                 .every((el) => el.dataset.state === 'rendered')""",
        timeout=30_000,
    )


def shoot(browser: Any, base_url: str) -> list[Path]:
    """Home and the largest segment's page at every size; returns the files written."""
    OUT.mkdir(exist_ok=True)
    written = []
    for size, (viewport, scale, height) in SIZES.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=scale)
        page = context.new_page()
        open_page(page, base_url + "index.html")
        persona = page.locator("article table a[href*='segments/']").first.evaluate("a => a.href")
        for name, url in (("home", base_url + "index.html"), ("persona", persona)):
            open_page(page, url)
            full = page.evaluate("() => document.scrollingElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": viewport["width"], "height": min(height, full)}
            target = OUT / f"{name}-{size}.png"
            page.screenshot(path=str(target), full_page=True, clip=clip, animations="disabled")
            written.append(target)
        context.close()
    return written


def shoot_history(browser: Any, base_url: str, page_name: str = "history.html") -> Path:
    """A page (the History page of the refreshed demo) at desktop size; returns the file."""
    viewport, scale, height = SIZES["desktop"]
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    open_page(page, base_url + page_name)
    full = page.evaluate("() => document.scrollingElement.scrollHeight")
    if page_name == "index.html":  # the summary down to its segments table
        height = page.evaluate(
            "() => document.querySelector('article table').getBoundingClientRect().bottom + 24"
        )
    clip = {"x": 0, "y": 0, "width": viewport["width"], "height": min(height, full)}
    stem = "history" if page_name == "history.html" else "outcome-summary"
    target = OUT / f"{stem}-desktop.png"
    page.screenshot(path=str(target), full_page=True, clip=clip, animations="disabled")
    context.close()
    return target


def main() -> int:
    """Build (unless --no-build), serve, and write the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="use the existing site/")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run([sys.executable, "-m", "generator", "build"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        refreshed = history_demo.build(Path(folder) / "mall")
        telecom = outcome_demo.build(Path(folder) / "telecom")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            with serve(ROOT / "site") as base_url:
                written = shoot(browser, base_url)
            with serve(refreshed) as base_url:
                written.append(shoot_history(browser, base_url))
            with serve(telecom) as base_url:
                written.append(shoot_history(browser, base_url, "index.html"))
            for path in written:
                print(f"wrote {path.relative_to(ROOT)}")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
