"""The release history end to end: a seeded table refreshed five times with the real CLI.

Growth in one segment (twice), a segment splitting, a retirement, then an unchanged rebuild.
Each release's lock file is kept (and committed to git, for ``--rebuild-from``); the history
file, the History page, its chart data and ``segments history`` are checked against them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.report.text import percent
from tests.conftest import ROOT, run_cli
from tests.e2e.refreshes import FIRST_EPOCH, QUARTER, make_project, releases, write_release

pytestmark = pytest.mark.e2e
CACHE = {"SEGMENTS_CACHE": str(ROOT / ".segments-cache")}
GIT = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


@dataclass(frozen=True)
class Project:
    """The project after every build, each build's lock and history, and the last stderr."""

    folder: Path
    locks: list[dict]
    histories: list[bytes]
    stderr: list[str]

    @property
    def history(self) -> dict:
        return json.loads(self.histories[-1])


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, env=GIT, check=True, capture_output=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = make_project(tmp_path_factory.mktemp("history") / "shop")
    _git(folder, "init", "-q")
    locks, histories, stderr = [], [], []
    for i, table in enumerate(releases()):
        write_release(folder, table, seed=min(i, 4))  # the last table is the fifth, to the byte
        env = {**CACHE, "SOURCE_DATE_EPOCH": str(FIRST_EPOCH + i * QUARTER)}
        result = run_cli("build", cwd=folder, env=env)
        assert result.returncode == 0, result.stderr
        stderr.append(result.stderr)
        locks.append(json.loads((folder / "data" / "segments.lock.json").read_text()))
        histories.append((folder / "data" / "segments.history.json").read_bytes())
        _git(folder, "add", "data/segments.lock.json", "data/segments.yml")
        _git(folder, "commit", "-q", "--allow-empty", "-m", f"release {i}")
    return Project(folder, locks, histories, stderr)


def _number_near(lock: dict, income: float, spend: float) -> int:
    """The segment whose centre is nearest to (income, spend) in a lock."""
    return min(
        lock["segments"],
        key=lambda s: (s["centroid"][0] - income) ** 2 + (s["centroid"][1] - spend) ** 2,
    )["number"]


def test_the_unchanged_rebuild_adds_no_entry(project: Project) -> None:
    assert project.histories[-1] == project.histories[-2]
    assert [len(json.loads(h)["releases"]) for h in project.histories] == [1, 2, 3, 4, 5, 5]
    assert project.locks[-1] == project.locks[-2]


def test_every_entry_is_its_releases_lock(project: Project) -> None:
    entries = project.history["releases"]
    for entry, lock in zip(entries, project.locks[:5], strict=True):
        assert entry["fingerprint"] == lock["data_sha256"]
        assert entry["n_customers"] == lock["n_customers"]
        assert entry["date"] == lock["date"]
        assert [(s["number"], s["slug"], s["name"], s["size"]) for s in entry["segments"]] == [
            (s["number"], s["slug"], s["name"], s["size"]) for s in lock["segments"]
        ]
        for mine, locked in zip(entry["segments"], lock["segments"], strict=True):
            assert mine["share"] == pytest.approx(locked["size"] / lock["n_customers"], rel=1e-5)
            assert mine["centroid"] == pytest.approx(
                dict(zip(lock["features"], locked["centroid"], strict=True)), rel=1e-5
            )
            assert 0 < mine["share_noise"] < 0.05
            assert 0 < mine["value_share"] < 1
    dates = [e["date"] for e in entries]
    assert dates == ["2024-01-01", "2024-04-01", "2024-07-01", "2024-09-30", "2024-12-30"]


def test_flows_are_the_locks_comparisons_with_small_cells_hidden(project: Project) -> None:
    entries = project.history["releases"]
    assert entries[0]["flow"] is None
    for before, entry, lock in zip(entries, entries[1:], project.locks[1:5], strict=False):
        flow, locked = entry["flow"], lock["comparison"]["flow"]
        assert flow["since"] == before["fingerprint"]
        counts = {
            (r, c): n
            for r, row in zip(locked["rows"], locked["counts"], strict=True)
            for c, n in zip(locked["columns"], row, strict=True)
        }
        cells = {(c["from"], c["to"]): c["customers"] for c in flow["cells"]}
        assert cells.keys() == counts.keys()
        for cell, shown in cells.items():
            assert shown is None or shown == counts[cell]
            assert shown is not None or counts[cell] > 0, "an empty cell need not be hidden"
            assert shown is None or shown == 0 or shown >= 10
        # As on the "What changed" page: no row or column holds exactly one hidden cell
        # while another cell of it could be hidden instead.
        lines = [[(r, c) for c in locked["columns"]] for r in locked["rows"]]
        lines += [[(r, c) for r in locked["rows"]] for c in locked["columns"]]
        for line in lines:
            hidden = [cell for cell in line if cells[cell] is None]
            others = [cell for cell in line if cells[cell]]
            assert len(hidden) != 1 or not others, f"{line} would give its hidden cell away"
    growing = _number_near(project.locks[0], 20, 20)
    from_c = _number_near(project.locks[0], 20, 80)
    moved = {(c["from"], c["to"]): c["customers"] for c in entries[1]["flow"]["cells"]}
    assert moved[from_c, growing] is None  # 3 customers: hidden


def _page_table(page: str) -> tuple[list[str], dict[str, list[str]]]:
    lines = [line for line in page.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0].startswith("From"):
            break
        rows[cells[0]] = cells[1:]
    return header[1:], rows


def test_the_page_shows_each_releases_lock(project: Project) -> None:
    page = (project.folder / "docs" / "history.md").read_text()
    labels, rows = _page_table(page)
    locks = project.locks[:5]
    assert labels == [lock["date"] for lock in locks]
    assert rows["**Customers**"] == [f"{lock['n_customers']:,}" for lock in locks]
    numbers = sorted({s["number"] for lock in locks for s in lock["segments"]})
    for number in numbers:
        row = next(cells for name, cells in rows.items() if name.startswith(f"{number}. "))
        expected = []
        for lock in locks:
            found = [s for s in lock["segments"] if s["number"] == number]
            expected.append(percent(found[0]["size"] / lock["n_customers"]) if found else "")
        assert row == expected, number


def test_new_and_retired_segments_are_marked(project: Project) -> None:
    page = (project.folder / "docs" / "history.md").read_text()
    first, last = project.locks[0], project.locks[4]
    new = sorted({s["number"] for s in last["segments"]} - {s["number"] for s in first["segments"]})
    retired = sorted(
        {s["number"] for s in first["segments"]} - {s["number"] for s in last["segments"]}
    )
    assert new == [5] and retired == [_number_near(first, 80, 20)]
    assert re.search(r"\| 5\. \[[^]]+\]\(segments/[^)]+\) \(new\) \|", page)
    assert re.search(rf"\| {retired[0]}\. [^|[]+ \(retired\) \|", page)
    spec = json.loads((project.folder / "docs" / "charts" / "history-shares.json").read_text())
    marks = [row.get("mark") for rows in spec["datasets"].values() for row in rows]
    assert sorted(m for m in marks if m) == ["new", "retired"]


def test_the_chart_data_is_each_releases_lock(project: Project) -> None:
    path = project.folder / "docs" / "downloads" / "data" / "history-shares.csv"
    rows = list(csv.DictReader(path.read_text().splitlines()))
    locks = {lock["date"]: lock for lock in project.locks[:5]}
    assert len(rows) == sum(len(lock["segments"]) for lock in locks.values())
    for row in rows:
        lock = locks[row["release"]]
        number = int(row["segment"].split(".")[0])
        size = next(s["size"] for s in lock["segments"] if s["number"] == number)
        assert float(row["share"]) == pytest.approx(size / lock["n_customers"], rel=1e-5)
        assert int(row["customers"]) == size


SENTENCE = re.compile(
    r"^- (?P<name>.+) (?P<way>grew|shrank) from (?P<a>\d+)% to (?P<b>\d+)% of customers over "
    r"(?P<count>\w+) releases \((?P<start>\S+) to (?P<end>\S+); (?P<sa>[\d,]+) to (?P<sb>[\d,]+) "
    r"customers\)\.$",
    re.M,
)


def test_the_sentences_agree_with_the_locks(project: Project) -> None:
    page = (project.folder / "docs" / "history.md").read_text()
    found = list(SENTENCE.finditer(page))
    assert 1 <= len(found) <= 3
    dates = [lock["date"] for lock in project.locks[:5]]
    by_date = dict(zip(dates, project.locks[:5], strict=True))
    for match in found:
        start, end = by_date[match["start"]], by_date[match["end"]]
        before = next(s for s in start["segments"] if s["name"] == match["name"])
        after = next(s for s in end["segments"] if s["number"] == before["number"])
        share_a = before["size"] / start["n_customers"]
        share_b = after["size"] / end["n_customers"]
        assert (percent(share_a), percent(share_b)) == (f"{match['a']}%", f"{match['b']}%")
        assert (match["sa"], match["sb"]) == (f"{before['size']:,}", f"{after['size']:,}")
        assert match["way"] == ("grew" if share_b > share_a else "shrank")
        span = dates.index(match["end"]) - dates.index(match["start"]) + 1
        assert NUMBER_WORDS[match["count"]] == span
    growing = next(
        s["name"]
        for s in project.locks[0]["segments"]
        if s["number"] == _number_near(project.locks[0], 20, 20)
    )
    assert found[0]["name"] == growing and found[0]["way"] == "grew"


def test_the_net_flow_is_the_sum_of_the_locks_flows(project: Project) -> None:
    page = (project.folder / "docs" / "history.md").read_text()
    split = _number_near(project.locks[0], 80, 80)
    net = 0
    for lock in project.locks[1:5]:
        flow = lock["comparison"]["flow"]
        if split in flow["rows"] and 5 in flow["columns"]:
            net += flow["counts"][flow["rows"].index(split)][flow["columns"].index(5)]
    assert net == 100
    names = {s["number"]: s["name"] for s in project.locks[4]["segments"]}
    assert f"| {split}. {names[split]} | 5. {names[5]} | 100 |" in page
    assert "Pairs whose flow involves fewer than 10 customers are left out for privacy." in page


def test_the_summary_links_the_history_page(project: Project) -> None:
    index = (project.folder / "docs" / "index.md").read_text()
    assert "[How the segments moved over 5 releases](history.md)" in index
    assert "- History: history.md" in (project.folder / "docs" / ".nav.yml").read_text()
    assert (project.folder / "site" / "history.html").is_file()


def test_the_cli_prints_the_same_table(project: Project) -> None:
    shown = run_cli("history", cwd=project.folder)
    assert shown.returncode == 0, shown.stderr
    page = (project.folder / "docs" / "history.md").read_text()
    _, rows = _page_table(page)
    for name, cells in rows.items():
        number = name.split(".")[0]
        if not number.isdigit():
            continue
        line = next(x for x in shown.stdout.splitlines() if x.startswith(f"{number}. "))
        assert line.split()[-len([c for c in cells if c]) :] == [c for c in cells if c]
    movements = [m.group(0)[2:] for m in SENTENCE.finditer(page)]
    assert all(sentence in shown.stdout for sentence in movements)
    as_json = run_cli("history", "--json", cwd=project.folder)
    data = json.loads(as_json.stdout)
    file = project.history["releases"]
    for line in data["segments"]:
        expected = [
            next((s["share"] for s in e["segments"] if s["number"] == line["number"]), None)
            for e in file
        ]
        assert line["shares"] == expected
    assert data["flow_steps"] == data["steps"] == 4


def test_rebuild_from_git_replays_the_committed_locks(project: Project, tmp_path: Path) -> None:
    history = project.folder / "data" / "segments.history.json"
    built = history.read_bytes()
    try:
        history.unlink()
        result = run_cli("history", "--rebuild-from", "HEAD", cwd=project.folder)
        assert result.returncode == 0, result.stderr
        replayed = json.loads(history.read_text())["releases"]
        original = json.loads(built)["releases"]
        assert len(replayed) == len(original) == 5
        for mine, theirs in zip(replayed, original, strict=True):
            for key in ("fingerprint", "date", "n_customers", "flow"):
                assert mine[key] == theirs[key], key
            for a, b in zip(mine["segments"], theirs["segments"], strict=True):
                assert {k: a[k] for k in ("number", "slug", "name", "size", "share")} == {
                    k: b[k] for k in ("number", "slug", "name", "size", "share")
                }
                assert a["share_noise"] is None and a["value_share"] is None
        # With the file in place, its richer entries are kept: the same bytes come back.
        history.write_bytes(built)
        again = run_cli("history", "--rebuild-from", "HEAD", cwd=project.folder)
        assert again.returncode == 0, again.stderr
        assert "5 releases from 5 commits in HEAD (5 kept as the file had them)" in again.stdout
        assert history.read_bytes() == built
    finally:
        history.write_bytes(built)


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for top in ("docs", "site", "data")
        for p in sorted((folder / top).rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda h: h["releases"][1]["segments"][0].update(share=1.5),
            "releases[1].segments[0].share is 1.5 (expected a number from 0 to 1, or null)",
        ),
        (
            lambda h: h["releases"][0].update(date="yesterday"),
            'releases[0].date is "yesterday" (expected a date as YYYY-MM-DD, or null)',
        ),
        (lambda h: h.update(format=7), "format is 7 (expected 1)"),
    ],
)
def test_a_bad_history_stops_the_build_and_changes_nothing(
    project: Project, edit, expected
) -> None:
    history = project.folder / "data" / "segments.history.json"
    built = history.read_bytes()
    data = json.loads(built)
    edit(data)
    history.write_text(json.dumps(data))
    try:
        before = _snapshot(project.folder)
        result = run_cli("build", cwd=project.folder, env=CACHE)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith(f"error: {history}: the release history's {expected};")
        assert _snapshot(project.folder) == before
    finally:
        history.write_bytes(built)


def test_relock_starts_a_new_history_and_says_so(project: Project, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "relocked"
    shutil.copytree(project.folder, copy, symlinks=True)
    result = run_cli("build", "--relock", cwd=copy, env=CACHE)
    assert result.returncode == 0, result.stderr
    assert "a new release history starts with this release, since --relock" in result.stderr
    assert len(json.loads((copy / "data" / "segments.history.json").read_text())["releases"]) == 1
    assert not (copy / "docs" / "history.md").exists()


def test_history_errors_are_one_line(project: Project, tmp_path: Path) -> None:
    folder = make_project(tmp_path / "new")
    write_release(folder, releases()[0], seed=0)
    where = folder / "data" / "segments.history.json"
    cases = [
        (folder, ("history",), f"{where}: no release history yet; run segments build"),
        (folder, ("history", "--rebuild-from", "HEAD"), "git rev-parse failed (fatal: not a git"),
        (folder, ("history", "--rebuild-from=--output=x"), "--rebuild-from '--output=x': expected"),
        (project.folder, ("history", "--rebuild-from", "nope..HEAD"), "git rev-list failed ("),
    ]
    for cwd, args, message in cases:
        result = run_cli(*args, cwd=cwd)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not where.exists()
