"""One release is one step: replaying the journal after a kill at any point (issue 15, item 3)."""

import json
import os
import threading
import time
from pathlib import Path

import pytest

from generator.errors import RenderError
from generator.site import publish as pub
from generator.site.write import stage_file, staging_dir


def outputs(root: Path, version: str) -> list[pub.Move]:
    """Stage docs/, site/ and a lock file holding ``version``."""
    moves = []
    for name in ("docs", "site"):
        folder = staging_dir(root / name)
        (folder / "index.md").write_text(version)
        moves.append(pub.Move(folder, root / name))
    lock = root / "data" / "segments.lock.json"
    moves.append(pub.Move(stage_file(lock, version), lock))
    return moves


def targets(root: Path) -> list[Path]:
    """What a journal in ``root`` may name: the three outputs of ``outputs``."""
    return [root / "docs", root / "site", root / "data" / "segments.lock.json"]


def contents(root: Path) -> list[str]:
    return [
        (root / "docs" / "index.md").read_text(),
        (root / "site" / "index.md").read_text(),
        (root / "data" / "segments.lock.json").read_text(),
    ]


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob(".segments-tmp-*"))


@pytest.mark.parametrize("done", [0, 1, 2, 3])
@pytest.mark.parametrize("exchange", [True, False])
def test_a_release_killed_after_its_journal_is_completed_by_the_next_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, done: int, exchange: bool
) -> None:
    pub.publish(tmp_path, outputs(tmp_path, "old"))
    if not exchange:  # the two-rename path of systems without renameat2
        monkeypatch.setattr(pub, "_exchange", lambda _a, _b: False)
    moves = outputs(tmp_path, "new")
    entries = [pub._entry(move) for move in moves]
    (tmp_path / pub.JOURNAL).write_text(json.dumps(entries))
    for entry in entries[:done]:  # the moves done before the kill
        pub._apply(entry)
    assert pub.pending(tmp_path, targets(tmp_path))
    pub.recover(tmp_path, targets(tmp_path))
    assert contents(tmp_path) == ["new", "new", "new"]
    assert not pub.pending(tmp_path, targets(tmp_path))
    pub.discard_staging(tmp_path, [tmp_path, tmp_path / "data"])
    assert leftovers(tmp_path) == []


def test_a_kill_half_way_through_two_renames_is_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pub.publish(tmp_path, outputs(tmp_path, "old"))
    moves = outputs(tmp_path, "new")
    entries = [pub._entry(move) for move in moves]
    (tmp_path / pub.JOURNAL).write_text(json.dumps(entries))
    (tmp_path / "docs").rename(moves[0].staged.with_name(moves[0].staged.name + "-old"))
    pub.recover(tmp_path, targets(tmp_path))
    assert contents(tmp_path) == ["new", "new", "new"]


def test_staging_without_a_journal_is_rolled_back(tmp_path: Path) -> None:
    pub.publish(tmp_path, outputs(tmp_path, "old"))
    outputs(tmp_path, "new")  # staged, then the process died before deciding
    pub.recover(tmp_path, targets(tmp_path))
    pub.discard_staging(tmp_path, [tmp_path, tmp_path / "data"])
    assert contents(tmp_path) == ["old", "old", "old"]
    assert leftovers(tmp_path) == []


def test_staging_is_kept_while_a_decided_release_is_pending(tmp_path: Path) -> None:
    moves = outputs(tmp_path, "new")
    (tmp_path / pub.JOURNAL).write_text(json.dumps([pub._entry(m) for m in moves]))
    pub.discard_staging(tmp_path, [tmp_path, tmp_path / "data"])
    assert all(move.staged.exists() for move in moves)


def test_an_unreadable_journal_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / pub.JOURNAL).write_text("[{}]")
    with pytest.raises(RenderError) as caught:
        pub.recover(tmp_path, targets(tmp_path))
    assert str(caught.value) == (
        f"{tmp_path / pub.JOURNAL}: not a journal of an interrupted build of this project (a "
        "move is not {staged, target, inode}); nothing was changed. If no segments build was "
        "interrupted here, delete this file (it should never be committed: list it in "
        ".gitignore)"
    )


@pytest.mark.parametrize("target", ["/", "{victim}", "{root}/docs/../../victim-2"])
def test_a_journal_naming_paths_that_are_not_ours_deletes_nothing(
    tmp_path: Path, target: str
) -> None:
    """Issue 21, Medium 2: {"staged": <any folder>, "target": "/"} deleted that folder."""
    root, victim = tmp_path / "project", tmp_path / "victim"
    for folder in (root, victim, tmp_path / "victim-2"):
        folder.mkdir()
        (folder / "keep.txt").write_text("mine")
    info = victim.lstat()
    named = target.format(victim=victim, root=root)
    entry = {"staged": str(victim), "target": named, "inode": [info.st_dev, info.st_ino]}
    (root / pub.JOURNAL).write_text(json.dumps([entry]))
    with pytest.raises(RenderError, match="not a journal of an interrupted build"):
        pub.recover(root, targets(root))
    assert (victim / "keep.txt").read_text() == "mine"
    assert (tmp_path / "victim-2" / "keep.txt").read_text() == "mine"


def test_a_journal_staging_anything_but_our_staging_deletes_nothing(tmp_path: Path) -> None:
    """A target of ours, but a staged path that is the user's folder: refused."""
    victim = tmp_path / "mine"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    (tmp_path / "docs").mkdir()
    info = victim.lstat()
    entry = {
        "staged": str(victim),
        "target": str(tmp_path / "docs"),
        "inode": [info.st_dev, info.st_ino],
    }
    (tmp_path / pub.JOURNAL).write_text(json.dumps([entry]))
    with pytest.raises(RenderError, match="is not a staging path"):
        pub.recover(tmp_path, targets(tmp_path))
    assert (victim / "keep.txt").read_text() == "mine"


def test_a_journal_from_another_machine_is_named_foreign(tmp_path: Path) -> None:
    """Committed with the project elsewhere: its staging never existed here."""
    staged = tmp_path / "docs" / ".." / ".segments-tmp-docs-abc"
    entry = {
        "staged": os.path.abspath(staged),
        "target": str(tmp_path / "docs"),
        "inode": [1, 2],
    }
    (tmp_path / pub.JOURNAL).write_text(json.dumps([entry]))
    with pytest.raises(RenderError, match="none of the files it moves is here"):
        pub.pending(tmp_path, targets(tmp_path))


def test_a_link_at_a_fixed_partial_name_is_never_written_through(tmp_path: Path) -> None:
    """Issue 21, Medium 3: a symlink at the journal's old '.partial' name got overwritten."""
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    (tmp_path / (pub.JOURNAL + ".partial")).symlink_to(victim)
    pub.publish(tmp_path, outputs(tmp_path, "new"))
    assert victim.read_text() == "mine"
    assert contents(tmp_path) == ["new", "new", "new"]


def test_the_build_lock_makes_a_second_command_wait(tmp_path: Path) -> None:
    order: list[str] = []

    def second() -> None:
        with pub.exclusive(tmp_path):
            order.append("second")

    with pub.exclusive(tmp_path):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        order.append("first done")
    thread.join(timeout=10)
    assert order == ["first done", "second"]


def test_published_folders_follow_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        pub.publish(tmp_path, outputs(tmp_path, "new"))
    finally:
        os.umask(previous)
    modes = [(tmp_path / name).stat().st_mode & 0o777 for name in ("docs", "site")]
    lock = (tmp_path / "data" / "segments.lock.json").stat().st_mode & 0o777
    assert modes == [0o755, 0o755] and lock == 0o644
