"""The output folders a build may replace, and the user's files it keeps (issue 15, item 1)."""

from pathlib import Path

import pytest

from generator.config.settings import Config, load_config
from generator.errors import ConfigError, RenderError
from generator.model import RenderedPage
from generator.site.outputs import (
    MARKER,
    carry_user_files,
    checked_outputs,
    marker_page,
    user_files,
)
from tests.conftest import MALL_CONFIG


def project(root: Path, docs_dir: str, site_dir: str = "site") -> tuple[Path, Config]:
    (root / "data").mkdir(parents=True)
    config = root / "data" / "segments.yml"
    config.write_text(MALL_CONFIG.read_text(), encoding="utf-8")
    (root / "data" / "mall_customers.csv").write_text("CustomerID\n1\n")
    mkdocs = root / "mkdocs.yml"
    mkdocs.write_text(f"site_name: x\ndocs_dir: {docs_dir}\nsite_dir: {site_dir}\n")
    return mkdocs, load_config(config)


@pytest.mark.parametrize(
    ("docs_dir", "why"),
    [
        ("data", "docs_dir {root}/data is the config's folder"),
        (".", "docs_dir {root} is the project folder itself"),
        ("..", "docs_dir {parent} is outside the project folder {root}"),
        ("/tmp", "docs_dir /tmp is outside the project folder {root}"),
        (".git", "docs_dir {root}/.git is the git repository"),
        ("site", "docs_dir {root}/site is the other output folder, or inside it"),
        ("site/docs", "docs_dir {root}/site/docs is the other output folder, or inside it"),
    ],
)
def test_refuses_folders_a_release_must_not_replace(
    tmp_path: Path, docs_dir: str, why: str
) -> None:
    root = (tmp_path / "p").resolve()
    mkdocs, config = project(root, docs_dir)
    expected = why.format(root=root, parent=root.parent)
    with pytest.raises(ConfigError) as caught:
        checked_outputs(mkdocs, config)
    assert str(caught.value) == (
        f"{mkdocs}: {expected}; a build replaces it whole, so point docs_dir at a folder of its "
        f"own inside {root} (e.g. docs)"
    )


def test_refuses_a_folder_holding_the_config(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    _, config = project(root / "report", "docs")
    mkdocs = root / "mkdocs.yml"
    mkdocs.write_text("site_name: x\ndocs_dir: docs\nsite_dir: report\n")
    with pytest.raises(
        ConfigError, match=r"site_dir .*/report is a folder that holds the config's folder;"
    ):
        checked_outputs(mkdocs, config)


def test_refuses_a_folder_that_segments_did_not_write(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    mkdocs, config = project(root, "notes")
    (root / "notes").mkdir()
    (root / "notes" / "thesis.md").write_text("mine")
    with pytest.raises(ConfigError) as caught:
        checked_outputs(mkdocs, config)
    assert str(caught.value) == (
        f"{root}/notes: this folder was not written by segments (no {MARKER} in it) and a build "
        "would replace it; move it away, or point docs_dir in mkdocs.yml at a new folder"
    )


def test_accepts_absent_empty_and_marked_folders_and_follows_links(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    mkdocs, config = project(root, "docs")
    (root / "site").mkdir()
    (root / "real-docs").mkdir()
    (root / "real-docs" / MARKER).write_text("{}")
    (root / "docs").symlink_to(root / "real-docs")
    outputs = checked_outputs(mkdocs, config)
    assert (outputs.root, outputs.docs, outputs.site) == (root, root / "real-docs", root / "site")


def test_a_link_out_of_the_project_is_refused(tmp_path: Path) -> None:
    root = (tmp_path / "p").resolve()
    mkdocs, config = project(root, "docs")
    (tmp_path / "elsewhere").mkdir()
    (root / "docs").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigError, match="is outside the project folder"):
        checked_outputs(mkdocs, config)


def test_user_files_are_those_the_marker_does_not_list(tmp_path: Path) -> None:
    pages = [RenderedPage("index.md", b"i"), RenderedPage("segments/a.md", b"a")]
    for page in [*pages, marker_page(pages)]:
        (tmp_path / page.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page.path).write_bytes(page.content)
    (tmp_path / "CNAME").write_text("example.com")
    (tmp_path / "overrides").mkdir()
    (tmp_path / "overrides" / "main.html").write_text("x")
    assert user_files(tmp_path) == ["CNAME", "overrides/main.html"]
    staged = tmp_path.parent / "staged"
    carry_user_files(tmp_path, staged, pages)
    assert (staged / "CNAME").read_text() == "example.com"
    assert (staged / "overrides" / "main.html").read_text() == "x"


def test_a_user_file_where_segments_now_writes_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "docs"
    old.mkdir()
    (old / MARKER).write_bytes(marker_page([RenderedPage("index.md", b"i")]).content)
    (old / "changes.md").write_text("my notes")
    with pytest.raises(RenderError) as caught:
        carry_user_files(old, tmp_path / "staged", [RenderedPage("changes.md", b"new")])
    assert str(caught.value) == (
        f"{old}/changes.md: segments now writes a file at this path, which would replace "
        "yours; rename or move your file"
    )


def test_folders_written_before_markers_are_accepted_and_hold_no_user_files(
    tmp_path: Path,
) -> None:
    root = tmp_path.resolve()
    mkdocs, config = project(root, "docs")
    for name in (".nav.yml", "assets/segments.js", "index.md"):
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text("old")
    for name in ("sitemap.xml", "assets/vendor/vega-bundle.js", "index.html"):
        (root / "site" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "site" / name).write_text("old")
    assert checked_outputs(mkdocs, config).docs == root / "docs"
    assert user_files(root / "docs") == []
