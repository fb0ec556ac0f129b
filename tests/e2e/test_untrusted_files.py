"""Files in the project that segments did not write are data, never instructions (issue 21).

A build journal, a cache entry's temporary name and a new project's .gitignore, through the real
CLI: a journal naming folders that are not this project's outputs deletes nothing and gives one
line that ``build``, ``generate`` and ``generate --check`` all say; a symbolic link planted at
a temporary name is never written through.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from generator.runtime import cache
from generator.site.publish import Move, _entry
from generator.site.write import stage, staging_dir
from tests.conftest import ROOT, run_cli
from tests.e2e.test_build import CACHE, make_project

pytestmark = pytest.mark.e2e
JOURNAL = ".segments-build.journal"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_project(tmp_path_factory.mktemp("untrusted") / "project")
    result = run_cli("generate", cwd=folder, env=CACHE)
    assert result.returncode == 0, result.stderr
    return folder


def _victim(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "keep.txt").write_text("mine", encoding="utf-8")
    return folder


@pytest.mark.parametrize("target", ["/", "victim", "docs"])
def test_a_planted_journal_deletes_nothing_and_every_command_says_so(
    project: Path, target: str
) -> None:
    victim = _victim(project.parent / "victim")
    info = victim.lstat()
    named = {"/": "/", "victim": str(victim), "docs": str((project / "docs").resolve())}[target]
    journal = project / JOURNAL
    journal.write_text(
        json.dumps([{"staged": str(victim), "target": named, "inode": [info.st_dev, info.st_ino]}]),
        encoding="utf-8",
    )
    docs = sorted(p.name for p in (project / "docs").iterdir())
    try:
        said = set()
        for command in (["generate", "--check"], ["generate"], ["build"]):
            result = run_cli(*command, cwd=project, env=CACHE)
            assert result.returncode == 2, (command, result.stderr)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and "not a journal of an interrupted build" in lines[0], lines
            said.add(lines[0])
        assert len(said) == 1, said  # the three commands agree on what to do
        assert (victim / "keep.txt").read_text(encoding="utf-8") == "mine"
        assert sorted(p.name for p in (project / "docs").iterdir()) == docs
    finally:
        journal.unlink()


def test_a_journal_committed_from_another_machine_says_delete_it(project: Path) -> None:
    journal = project / JOURNAL
    staged = (project / "docs").resolve().parent / ".segments-tmp-docs-x1y2"
    entry = {"staged": str(staged), "target": str((project / "docs").resolve()), "inode": [7, 9]}
    journal.write_text(json.dumps([entry]), encoding="utf-8")
    try:
        check = run_cli("generate", "--check", cwd=project, env=CACHE)
        build = run_cli("build", cwd=project, env=CACHE)
        assert check.returncode == build.returncode == 2
        assert check.stderr == build.stderr
        assert "none of the files it moves is here" in check.stderr
        assert "delete this file" in check.stderr
    finally:
        journal.unlink()
    assert run_cli("generate", cwd=project, env=CACHE).returncode == 0


def test_a_link_at_the_journal_partial_name_is_not_written_through(project: Path) -> None:
    victim = project.parent / "victim.txt"
    victim.write_text("mine", encoding="utf-8")
    link = project / (JOURNAL + ".partial")
    link.symlink_to(victim)
    try:
        result = run_cli("generate", cwd=project, env=CACHE)
        assert result.returncode == 0, result.stderr
        assert victim.read_text(encoding="utf-8") == "mine"
    finally:
        link.unlink()


def test_a_link_at_a_cache_partial_name_is_not_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGMENTS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SEGMENTS_CACHE_KEY", str(tmp_path / "key"))
    victim = tmp_path / "victim.txt"
    victim.write_text("mine", encoding="utf-8")
    (tmp_path / "cache").mkdir()
    entry = tmp_path / "cache" / "analysis-abc.pickle"
    (tmp_path / "cache" / "analysis-abc.pickle.partial").symlink_to(victim)
    assert cache.write_signed(entry, "analysis-abc", b"payload")
    assert victim.read_text(encoding="utf-8") == "mine"
    assert cache.read_signed(entry, "analysis-abc") == b"payload"
    # The entry holds the table's values: readable by its owner only.
    assert entry.stat().st_mode & 0o077 == 0


def test_a_new_project_ignores_the_build_lock_and_journal_but_not_the_lock_file(
    tmp_path: Path,
) -> None:
    result = run_cli(
        "new",
        str(tmp_path / "p"),
        "--data",
        str(ROOT / "data" / "mall_customers.csv"),
        cwd=tmp_path,
        env=CACHE,
    )
    assert result.returncode == 0, result.stderr
    ignored = (tmp_path / "p" / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".segments-build.journal" in ignored and ".segments-build.lock" in ignored
    assert not [
        line for line in ignored if "segments.lock.json" in line and not line.startswith("#")
    ]
    assert os.path.exists(tmp_path / "p" / "data")


def test_reading_commands_wait_for_a_half_published_release(project: Path) -> None:
    """Issue 21, Low: analyze, validate and assign read the old lock while a journal pended."""
    docs = (project / "docs").resolve()
    staged = stage([], staging_dir(docs))  # a release decided, not yet moved in
    journal = project / JOURNAL
    journal.write_text(json.dumps([_entry(Move(staged, docs))]), encoding="utf-8")
    config = "data/segments.yml"
    table = str(ROOT / "data" / "mall_customers.csv")
    try:
        for command in (
            ["analyze", "--config", config],
            ["validate", "--config", config],
            ["assign", table, "--out", str(project.parent / "scored.csv"), "--config", config],
        ):
            result = run_cli(*command, cwd=project, env=CACHE)
            assert (result.returncode, result.stderr) == (
                2,
                f"error: {journal}: a release was interrupted half way; run segments build (or "
                "generate) to complete it, then run this command again\n",
            ), command
        assert not (project.parent / "scored.csv").exists()
    finally:
        journal.unlink()
        shutil.rmtree(staged, ignore_errors=True)
