"""A build writes only into its own project, and finds MkDocs problems before any analysis."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.e2e
ENV = {"SEGMENTS_CACHE": str(ROOT / ".segments-cache")}


def project(folder: Path) -> Path:
    """A project as `segments new` leaves it: mkdocs.yml and data/ (the Mall table)."""
    folder.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(
        ROOT / "data",
        folder / "data",
        ignore=shutil.ignore_patterns("*.lock.json", "*.history.json"),
    )
    return folder


def test_a_config_outside_any_project_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    for name in ("segments.yml", "mall_customers.csv"):
        shutil.copy(ROOT / "data" / name, tmp_path / "elsewhere" / name)
    work = project(tmp_path / "work")  # the working directory is another project
    result = run_cli("build", "--config", "../elsewhere/segments.yml", cwd=work, env=ENV)
    assert result.returncode == 2
    assert result.stderr == (
        "error: ../elsewhere/segments.yml: no mkdocs.yml beside this config or in the folder above "
        "it, so there is no project to build into; run `segments new DIR --data TABLE` to start "
        "a project there, or pass --mkdocs PATH\n"
    )
    assert not (work / "docs").exists() and not (work / "site").exists()


def test_another_projects_config_builds_into_that_project(tmp_path: Path) -> None:
    other = project(tmp_path / "other")
    here = project(tmp_path / "here")
    result = run_cli("generate", "--config", str(other / "data" / "segments.yml"), cwd=here)
    assert result.returncode == 0, result.stderr
    assert (other / "docs" / "index.md").is_file() and not (here / "docs").exists()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  - segments\n",
            "hooks:\n  - generator/site/hooks.py\n",
            "1 problem: setting 'hooks': The path '{dir}/generator/site/hooks.py' isn't an "
            "existing file; remove the `hooks:` entry and add `- segments` under `plugins:` in "
            "mkdocs.yml (see `segments new`)",
        ),
        (
            "  - segments\n",
            "",
            "1 problem: the segments plugin is not listed; add `- segments` under `plugins:` in "
            "mkdocs.yml (see `segments new`)",
        ),
        (
            "  - segments\n",
            "  - segmentz\n",
            "1 problem: setting 'plugins': The \"segmentz\" plugin is not installed",
        ),
    ],
    ids=["old-hooks-path", "plugin-missing", "unknown-plugin"],
)
def test_mkdocs_problems_are_found_before_the_analysis(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    folder = project(tmp_path / "p")
    mkdocs = folder / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text().replace(old, new))
    result = run_cli("--timings", "build", cwd=folder, env=ENV)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {mkdocs}: " + expected.format(dir=folder)]
    assert '"load"' not in result.stderr  # no analysis ran
    assert not (folder / "docs").exists()


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "notes.txt").write_text("mine")
    result = run_cli("new", "shop", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: shop: already exists and is not empty; choose a new folder\n"
    assert sorted(p.name for p in (tmp_path / "shop").iterdir()) == ["notes.txt"]


def test_new_without_data_makes_a_demo_project_that_builds(tmp_path: Path) -> None:
    result = run_cli("new", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "demo: new project (ID 'customer_id', 3 features); next: cd demo && segments build\n"
        "Found a customer table: 600 rows, one per customer (customer_id); features Visits per "
        "month, Average\nbasket, Days since last visit.\n"
    )
    built = run_cli("--quiet", "build", cwd=tmp_path / "demo", env=ENV)
    assert built.returncode == 0, built.stderr
    assert (
        "<title>Summary - Customers</title>"
        in (tmp_path / "demo" / "site" / "index.html").read_text()
    )


def test_the_repository_is_a_project_like_segments_new_makes() -> None:
    from generator.report.text import render

    rendered = render("project/mkdocs.yml.j2", "txt", title='"Mall Customers"')
    # The first line is a comment that says where the file came from.
    assert rendered.splitlines()[1:] == (ROOT / "mkdocs.yml").read_text().splitlines()[1:]


def test_the_new_projects_workflow_passes_the_workflow_checks(tmp_path: Path) -> None:
    from tests.e2e.test_workflows import run, tool, zizmor

    result = run_cli("new", "shop", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    workflows = tmp_path / "shop" / ".github" / "workflows"
    schema = run(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        str(workflows / "pages.yml"),
        cwd=tmp_path,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    audit = zizmor(workflows)
    assert audit.returncode == 0, audit.stdout + audit.stderr
