"""The rebuild caches: reused when only templates or persona names change, never otherwise."""

from pathlib import Path

import pytest

from generator.commands import cachekeys
from generator.commands.build import Generated, Project, generate_pages
from generator.config.settings import load_config
from generator.report.charts import words
from tests.conftest import ROOT, write_config

RENAMED = "\npersonas:\n  {slug}: {{name: Night Owls, actions: [Open late.]}}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEGMENTS_CACHE", str(tmp_path / "cache"))
    small = ROOT / "tests" / "fixtures" / "small"
    (tmp_path / "customers.csv").write_bytes((small / "customers.csv").read_bytes())
    return write_config(tmp_path, (small / "segments.yml").read_text())


def keys(config_path: Path) -> tuple[str, str]:
    config = load_config(config_path)
    lock = config_path.parent / "segments.lock.json"
    return cachekeys.analysis_key(config), cachekeys.release_key(config, False, (lock,))


def generate(config_path: Path) -> Generated:
    return generate_pages(Project(config_path), load_config(config_path))


def entries(project: Path, kind: str) -> list[Path]:
    return list((project.parent / "cache").glob(f"{kind}-*.pickle"))


def test_second_generation_reuses_the_cache_and_gives_the_same_pages(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = generate(project).pages
    assert len(entries(project, "analysis")) == len(entries(project, "release")) == 1
    with caplog.at_level("DEBUG"):
        second = generate(project).pages
    assert "reusing the cached release and charts" in caplog.text
    assert [(p.path, p.content) for p in first] == [(p.path, p.content) for p in second]


def test_a_persona_edit_reuses_the_analysis_and_matches_a_build_without_cache(
    project: Path, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    release = generate(project).release
    slug = release.analysis.profiles[0].slug
    project.write_text(project.read_text() + RENAMED.format(slug=slug))
    with caplog.at_level("DEBUG"):
        generated = generate(project)
        renamed, cached = generated.release, generated.pages
    assert "reusing the cached analysis" in caplog.text
    assert "reusing the cached release" not in caplog.text
    assert renamed.analysis.profiles[0].name == "Night Owls"
    assert any(b"Night Owls" in p.content for p in cached if p.path.startswith("charts/"))
    for entry in (project.parent / "cache").glob("*.pickle"):
        entry.unlink()
    fresh = generate(project).pages
    assert [(p.path, p.content) for p in cached] == [(p.path, p.content) for p in fresh]


@pytest.mark.parametrize("edit", ["data", "config", "lock", "date", "personas", "words"])
def test_each_key_changes_with_its_inputs_only(
    project: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    analysis_before, release_before = keys(project)
    if edit == "data":
        table = project.parent / "customers.csv"
        table.write_text(table.read_text() + "999,Male,30,50,50\n")
    elif edit == "config":
        project.write_text(project.read_text().replace("random_state: 1", "random_state: 2"))
    elif edit == "lock":
        (project.parent / "segments.lock.json").write_text("{}")
    elif edit == "date":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    elif edit == "words":  # the cached charts hold their titles
        edited = project.parent / "words.yml"
        edited.write_text(words.WORDS.read_text().replace("Customers per", "Clients per"))
        monkeypatch.setattr(words, "WORDS", edited)
    else:
        project.write_text(project.read_text() + RENAMED.format(slug="high-income-high-spend"))
    analysis_after, release_after = keys(project)
    assert release_after != release_before
    assert (analysis_after == analysis_before) == (edit in {"lock", "date", "personas", "words"})


def test_an_unreadable_entry_is_a_miss(project: Path) -> None:
    folder = project.parent / "cache"
    folder.mkdir()
    analysis_key, release_key = keys(project)
    (folder / f"analysis-{analysis_key}.pickle").write_bytes(b"not a pickle")
    (folder / f"release-{release_key}.pickle").write_bytes(b"")
    generated = generate(project)
    assert generated.release.analysis.segmentation.k == 4 and generated.pages


def test_a_table_with_a_blank_line_is_cached_and_reused(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: the row-numbering of such a file once held a closure that could not pickle."""
    table = project.parent / "customers.csv"
    header, first, *rest = table.read_text().splitlines(keepends=True)
    table.write_text("".join([header, first, "\n", *rest]))
    with caplog.at_level("WARNING"):
        first_pages = generate(project).pages
    assert "could not save" not in caplog.text
    assert len(entries(project, "analysis")) == 1
    with caplog.at_level("DEBUG"):
        second_pages = generate(project).pages
    assert "reusing the cached release and charts" in caplog.text
    assert [p.content for p in first_pages] == [p.content for p in second_pages]


def test_a_value_that_cannot_be_stored_costs_the_cache_not_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from generator.runtime import cache

    monkeypatch.setenv("SEGMENTS_CACHE", str(tmp_path / "cache"))
    with caplog.at_level("WARNING"):
        cache.save("analysis", "key", lambda: None, rows=1)
    assert "could not save the analysis cache" in caplog.text
    assert cache.load("analysis", "key") is None
    assert not list((tmp_path / "cache").glob("*.partial"))
