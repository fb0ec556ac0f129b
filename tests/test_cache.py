"""The rebuild cache: reused when only templates change, never when an input changes."""

from pathlib import Path

import pytest

from generator import cache
from generator.build import Project, generate_pages
from generator.config import load_config
from tests.conftest import ROOT, write_config


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEGMENTS_CACHE", str(tmp_path / "cache"))
    small = ROOT / "tests" / "fixtures" / "small"
    (tmp_path / "customers.csv").write_bytes((small / "customers.csv").read_bytes())
    return write_config(tmp_path, (small / "segments.yml").read_text())


def keyed(config_path: Path) -> str:
    config = load_config(config_path)
    return cache.key(config, False, (config_path.parent / "segments.lock.json",))


def test_second_generation_reuses_the_cache_and_gives_the_same_pages(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, _, first = generate_pages(Project(project))
    assert len(list((project.parent / "cache").glob("release-*.pickle"))) == 1
    with caplog.at_level("DEBUG"):
        _, _, second = generate_pages(Project(project))
    assert "reusing the cached analysis and charts" in caplog.text
    assert [(p.path, p.content) for p in first] == [(p.path, p.content) for p in second]


@pytest.mark.parametrize("edit", ["data", "config", "lock", "date"])
def test_any_input_change_changes_the_key(
    project: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    before = keyed(project)
    if edit == "data":
        table = project.parent / "customers.csv"
        table.write_text(table.read_text() + "999,Male,30,50,50\n")
    elif edit == "config":
        project.write_text(project.read_text().replace("Small shop", "Small store"))
    elif edit == "lock":
        (project.parent / "segments.lock.json").write_text("{}")
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert keyed(project) != before


def test_an_unreadable_entry_is_a_miss(project: Path) -> None:
    folder = project.parent / "cache"
    folder.mkdir()
    (folder / f"release-{keyed(project)}.pickle").write_bytes(b"not a pickle")
    _, release, pages = generate_pages(Project(project))
    assert release.analysis.segmentation.k == 4 and pages
