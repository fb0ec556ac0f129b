"""Session fixtures for the browser suite: one real build, one static server, one Chromium.

The site is built once from the shipped data by the real CLI (``segments build``, which runs
``mkdocs build --strict``) in a temporary copy of the project, so the worktree's docs/ and site/
are never touched. The build's SITE_URL is the address the fixture serves it on: Material's
instant navigation only takes over links whose URL is in sitemap.xml, port included.

Chromium is Debian's (``CHROMIUM``, default /usr/bin/chromium), never a downloaded one. When it or
Playwright is missing the tests skip with an install hint, or fail under ``CI=true``.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import STATS, Built, Tab, Watch, bound_server, copy_project, segments, sitemap_pages

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = (
    "run 'make browser-deps' (as root it apt-get installs chromium; otherwise "
    "'sudo apt-get install chromium', or set CHROMIUM=/path/to/chromium) and install the dev "
    "extras ('pip install -e .[dev]') for playwright"
)
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``browser``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the browser suite checked."""
    if STATS:
        shown = ", ".join(f"{value} {name}" for name, value in sorted(STATS.items()))
        terminalreporter.write_line(f"browser suite: {shown}")


def run_cli(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run the real CLI in ``project``; fail the session with its output when it fails.

    Returns:
        What the command printed on stdout.
    """
    result = segments(project, *args, env=env)
    if result.returncode != 0:
        pytest.fail(f"segments {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's sources and shipped data to build in."""
    return copy_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="session")
def built(project: Path) -> Iterator[Built]:
    """``segments build`` once, served on a free loopback port for the whole session."""
    with bound_server(project / "site") as (_server, base_url):
        run_cli(project, "build", env={"SITE_URL": base_url})
        yield Built(project, base_url)


@pytest.fixture(scope="session")
def offline_site(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``segments build --offline`` unzipped into a temporary folder; returns its site/."""
    run_cli(project, "build", "--offline")
    target = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(project / "site.zip") as archive:
        archive.extractall(target)
    return target / "site"


@pytest.fixture(scope="session")
def pages(built: Built) -> list[str]:
    """Every page of the site, from its sitemap."""
    found = sitemap_pages(built.site, built.base_url)
    assert found, "sitemap.xml lists no pages"
    return found


def _browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM}"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (Playwright gives it a fresh, temporary profile)."""
    problem = _browser_problem()
    if problem is not None:
        message = f"browser tests need Chromium and Playwright: {problem}; {INSTALL_HINT}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    """A desktop-sized page in a fresh context (no stored palette, no cache)."""
    yield from _tab(browser, viewport=DESKTOP)


@pytest.fixture
def phone(browser: Any) -> Iterator[Tab]:
    """A 375 px wide phone-sized page in a fresh context."""
    yield from _tab(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


def _tab(browser: Any, **options: Any) -> Iterator[Tab]:
    context = browser.new_context(service_workers="block", **options)
    watch = Watch().attach(context)
    try:
        yield Tab(context.new_page(), watch)
    finally:
        context.close()
        STATS["requests recorded"] += len(watch.requests)
        STATS["requests to other hosts"] += len(watch.foreign_requests())
