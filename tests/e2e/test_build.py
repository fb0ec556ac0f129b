"""End to end: the real CLI, real MkDocs (strict), real files; and nothing lost on failure."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.e2e
CACHE = {"SEGMENTS_CACHE": str(ROOT / ".segments-cache"), "SOURCE_DATE_EPOCH": "1700000000"}


def make_project(folder: Path) -> Path:
    """A project folder: mkdocs.yml, the generator (linked, for the hook) and the Mall data."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    shutil.copytree(
        ROOT / "data",
        folder / "data",
        ignore=shutil.ignore_patterns("*.lock.json", "*.history.json"),
    )
    return folder


def build(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("build", *args, cwd=folder, env=CACHE)


def snapshot(folder: Path) -> dict[str, str]:
    """Hash of every file under docs/ and site/ (empty when they do not exist)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for top in ("docs", "site")
        for p in sorted((folder / top).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_project(tmp_path_factory.mktemp("mall"))
    result = build(folder)
    assert result.returncode == 0, result.stderr
    return folder


def test_site_has_every_page(built: Path) -> None:
    site = built / "site"
    for page in (
        "index.html",
        "methodology.html",
        "data.html",
        "downloads.html",
        "downloads/segments.json",
        "downloads/segment-profiles.csv",
        "assets/vendor/vega-bundle.js",
        "search/search_index.json",
    ):
        assert (site / page).is_file(), page
    personas = sorted(p.name for p in (site / "segments").glob("*.html"))
    assert personas == [
        "high-income-high-spending.html",
        "high-income-low-spending.html",
        "low-income-high-spending.html",
        "low-income-low-spending.html",
        "medium-income-medium-spending.html",
    ]


def test_one_release_has_no_history_page(built: Path) -> None:
    history = json.loads((built / "data" / "segments.history.json").read_text())
    assert len(history["releases"]) == 1
    assert not (built / "docs" / "history.md").exists()
    assert "history.md" not in (built / "docs" / "index.md").read_text()
    assert "History" not in (built / "docs" / ".nav.yml").read_text()


def test_no_script_style_or_font_from_another_host(built: Path) -> None:
    import re

    pattern = re.compile(
        r"<(script|link|img|source)\b[^>]*\b(src|href)=\"(https?:)?//(?!127\.0\.0\.1[:/])"
    )
    for page in (built / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not pattern.search(text), page
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def test_rebuild_is_byte_identical_and_check_passes(built: Path) -> None:
    before = snapshot(built)
    assert build(built).returncode == 0
    assert snapshot(built) == before
    check = run_cli("generate", "--check", cwd=built, env=CACHE)
    assert check.returncode == 0, check.stderr
    assert check.stdout == "docs/ is up to date\n"


def test_check_reads_the_config_once(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step of a command works from one reading of the config, not one reading each."""
    from generator.commands import build as commands

    for name, value in CACHE.items():
        monkeypatch.setenv(name, value)
    reads: list[Path] = []
    load = commands.load_config
    monkeypatch.setattr(commands, "load_config", lambda path: reads.append(path) or load(path))
    config = built / "data" / "segments.yml"
    assert commands.check(commands.Project(config)) == []
    assert reads == [config]


def test_check_reports_a_stale_docs_folder(built: Path) -> None:
    page = built / "docs" / "index.md"
    original = page.read_bytes()
    page.write_bytes(original + b"\nedited by hand\n")
    try:
        result = run_cli("generate", "--check", cwd=built, env=CACHE)
        assert result.returncode == 1
        assert result.stderr == "docs/ is stale: 1 files differ (index.md); run segments generate\n"
    finally:
        page.write_bytes(original)


def test_shuffled_rows_give_identical_docs(built: Path, tmp_path: Path) -> None:
    other = make_project(tmp_path / "shuffled")
    table = pd.read_csv(other / "data" / "mall_customers.csv").sample(frac=1, random_state=5)
    table.to_csv(other / "data" / "mall_customers.csv", index=False)
    assert run_cli("generate", cwd=other, env=CACHE).returncode == 0
    docs = {k: v for k, v in snapshot(built).items() if k.startswith("docs/")}
    shuffled = snapshot(other)
    # The data file's hash differs (the rows moved), so compare all but the methodology page.
    differing = sorted(k for k in docs if docs[k] != shuffled.get(k))
    assert differing == ["docs/methodology.md"]
    assert set(docs) == set(shuffled)


def test_bad_data_leaves_docs_and_site_untouched(built: Path) -> None:
    before = snapshot(built)
    table = built / "data" / "mall_customers.csv"
    good = table.read_bytes()
    table.write_bytes(good.replace(b"\n3,Female,20,16,6\n", b"\n3,Female,twenty,16,6\n"))
    try:
        result = build(built)
    finally:
        table.write_bytes(good)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {table}: 1 problem: line 4, column 'Age': value 'twenty' is not a number\n"
    )
    assert snapshot(built) == before


def wait_for_staging(folder: Path, process: subprocess.Popen[str], limit: float = 120) -> None:
    """Wait until the build has staged docs/ (analysis done, MkDocs running)."""
    deadline = time.monotonic() + limit
    while not any(p.name.startswith(".segments-tmp-") for p in folder.iterdir()):
        assert process.poll() is None, "the build ended before it staged anything"
        assert time.monotonic() < deadline, "the build never staged docs/"
        time.sleep(0.02)


def start_build(folder: Path) -> subprocess.Popen[str]:
    """``segments build`` in the background, its stderr kept for the test to read.

    The child starts with Ctrl-C's default action even when the tests run from a shell that
    ignores it (a background job, as ``make test &`` is): a Python that starts with SIGINT
    ignored keeps ignoring it, and the interrupt test would see the build finish.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), **CACHE}
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.mark.parametrize("moment", [0.3, 1.5, "staging"])
def test_killed_build_leaves_docs_and_site_untouched(built: Path, moment: float | str) -> None:
    before = snapshot(built)
    process = start_build(built)
    if moment == "staging":
        wait_for_staging(built, process)
    else:
        time.sleep(float(moment))
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert snapshot(built) == before
    leftovers = [p.name for p in built.iterdir() if p.name.startswith(".segments-tmp-")]
    # Staging folders may be left by kill -9; the next build removes them.
    assert build(built).returncode == 0
    assert not [p for p in built.iterdir() if p.name.startswith(".segments-tmp-")], leftovers
    assert snapshot(built) == before


def test_interrupted_build_exits_130_and_loses_nothing(built: Path) -> None:
    before = snapshot(built)
    process = start_build(built)
    wait_for_staging(built, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.fail("the build finished before the interrupt; lower the delay")
    assert process.returncode == 130
    assert stderr.endswith("interrupted; the previous docs/ and site/ are unchanged\n")
    assert snapshot(built) == before


def test_offline_build_writes_a_zip(built: Path) -> None:
    import zipfile

    result = build(built, "--offline")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(built / "site.zip") as archive:
        names = archive.namelist()
        index = archive.read("site/index.html").decode()
    assert "site/segments/high-income-high-spending.html" in names
    assert 'type="application/json"' in index and "navigation.instant" not in index


def refreshed_table(path: Path) -> None:
    """The issue's refresh: rows shuffled, 10% of spending changed, 10 removed, 20 new."""
    import numpy as np

    rng = np.random.default_rng(3)
    table = pd.read_csv(path)
    table = table.drop(table.index[rng.choice(len(table), 10, replace=False)])
    changed = rng.choice(len(table), 19, replace=False)
    spend = table.columns[4]
    table.iloc[changed, 4] = np.clip(table.iloc[changed, 4] + rng.integers(-5, 6, 19), 1, 100)
    new = table.sample(20, random_state=1).assign(CustomerID=range(201, 221))
    pd.concat([table, new]).sample(frac=1, random_state=2).to_csv(path, index=False)
    assert spend == "Spending Score (1-100)"


def test_refresh_keeps_segments_and_reports_changes(tmp_path: Path) -> None:
    folder = make_project(tmp_path / "refresh")
    assert build(folder).returncode == 0
    first = (folder / "docs" / "downloads" / "segments.json").read_text()
    refreshed_table(folder / "data" / "mall_customers.csv")
    result = build(folder)
    assert result.returncode == 0, result.stderr
    import json

    before = [(s["number"], s["slug"], s["name"]) for s in json.loads(first)["segments"]]
    summary = json.loads((folder / "docs" / "downloads" / "segments.json").read_text())
    assert [(s["number"], s["slug"], s["name"]) for s in summary["segments"]] == before
    changes = (folder / "docs" / "changes.md").read_text()
    assert "**200 customers then, 210 now.**" in changes
    assert "Of the 190 customers in both releases, the agreement" in changes
    assert (
        "[What changed since the last release](changes.md)"
        in (folder / "docs" / "index.md").read_text()
    )
    assert (folder / "site" / "changes.html").is_file()
    # Rebuilding the same release renders the same pages, and --check agrees.
    snap = snapshot(folder)
    assert build(folder).returncode == 0
    assert snapshot(folder) == snap
    assert run_cli("generate", "--check", cwd=folder, env=CACHE).returncode == 0


def test_strict_refuses_untrustworthy_segments(tmp_path: Path) -> None:
    folder = make_project(tmp_path / "strict")
    config = folder / "data" / "segments.yml"
    config.write_text(config.read_text().replace("k: auto", "k: 10"))
    result = build(folder, "--strict")
    assert result.returncode == 2
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: segment ") and "has stability 0." in last
    assert last.endswith("--strict refuses to publish it (try another k)")
    assert not (folder / "docs").exists() and not (folder / "site").exists()


def test_rebuilding_a_release_keeps_its_lock_date(tmp_path: Path) -> None:
    folder = make_project(tmp_path / "dated")
    lock = folder / "data" / "segments.lock.json"
    assert (
        run_cli("build", cwd=folder, env={**CACHE, "SOURCE_DATE_EPOCH": "1700000000"}).returncode
        == 0
    )
    first = lock.read_text()
    assert '"date": "2023-11-14"' in first
    assert (
        run_cli("build", cwd=folder, env={**CACHE, "SOURCE_DATE_EPOCH": "1800000000"}).returncode
        == 0
    )
    assert lock.read_text() == first
