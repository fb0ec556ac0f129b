import os
from pathlib import Path

import pytest

from generator.errors import RenderError
from generator.model import RenderedPage
from generator.site.publish import Move, publish
from generator.site.write import clean_stale, differences, stage, staging_dir, umask


def pages(**files: str) -> list[RenderedPage]:
    return [RenderedPage(path.replace("__", "/"), text.encode()) for path, text in files.items()]


def test_stage_then_swap_replaces_the_whole_folder(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    target.mkdir()
    (target / "old.md").write_text("gone")
    staged = stage(pages(index__md="new", segments__a__md="a"), staging_dir(target))
    publish(tmp_path, [Move(staged, target)])
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        "index/md",
        "segments/a/md",
    ]
    assert not staged.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["docs"]


def test_swap_into_a_missing_target(tmp_path: Path) -> None:
    staged = stage(pages(a="1"), staging_dir(tmp_path / "site"))
    publish(tmp_path, [Move(staged, tmp_path / "site")])
    assert (tmp_path / "site" / "a").read_text() == "1"


@pytest.mark.parametrize("path", ["../evil.md", "/etc/passwd", "a/../../b", "a\\b", ""])
def test_refuses_paths_outside_the_folder(tmp_path: Path, path: str) -> None:
    with pytest.raises(RenderError, match="refusing to write outside the output folder"):
        stage([RenderedPage(path, b"x")], tmp_path)


def test_refuses_two_outputs_at_one_path(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"two outputs for one path: a\.md"):
        stage([RenderedPage("a.md", b"1"), RenderedPage("./a.md", b"2")], tmp_path)


def test_differences_lists_changed_missing_and_extra(tmp_path: Path) -> None:
    (tmp_path / "same.md").write_text("s")
    (tmp_path / "changed.md").write_text("old")
    (tmp_path / "extra.md").write_text("e")
    wanted = pages(same__md="s", changed__md="new", missing__md="m")
    wanted = [RenderedPage(p.path.replace("/md", ".md"), p.content) for p in wanted]
    assert differences(wanted, tmp_path) == ["changed.md", "extra.md", "missing.md"]


def test_clean_stale_removes_leftover_staging(tmp_path: Path) -> None:
    leftover = staging_dir(tmp_path / "docs")
    (leftover / "x").write_text("x")
    clean_stale(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_differences_ignores_the_users_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "CNAME").write_text("example.com")
    assert differences([RenderedPage("a.md", b"a")], tmp_path, ["CNAME"]) == []


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_staging_folders_follow_the_umask(tmp_path: Path, mask: int) -> None:
    previous = os.umask(mask)
    try:
        assert umask() == mask
        folder = staging_dir(tmp_path / "docs")
    finally:
        os.umask(previous)
    assert folder.stat().st_mode & 0o777 == 0o777 & ~mask
