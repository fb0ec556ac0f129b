"""Configs are data: nothing in mkdocs.yml or segments.yml runs code or reaches outside (issue 21).

Each case through the real CLI: exit 2, one line naming the file and the setting, and the
command it tried to plant never ran (a marker file stays absent).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.e2e.test_build import CACHE

pytestmark = pytest.mark.e2e


def _project(folder: Path, engine: str = "local") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    (folder / "data").mkdir()
    shutil.copy(ROOT / "data" / "mall_customers.csv", folder / "data" / "mall_customers.csv")
    text = (ROOT / "data" / "segments.yml").read_text(encoding="utf-8")
    (folder / "data" / "segments.yml").write_text(f"engine: {engine}\n{text}", encoding="utf-8")
    return folder


def _refused(result, *words: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _with_mkdocs(project: Path, extra: str) -> None:
    path = project / "mkdocs.yml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ('\nextra_x: !!python/object/apply:os.system ["touch {marker}"]\n', ["!!python/object"]),
        ("\nhooks:\n  - ../evil.py\n", ["hooks", "outside"]),
        ("\nINHERIT: ../base.yml\n", ["INHERIT", "outside"]),
        ("\nextra_javascript_x: 1\n", None),
    ],
    ids=["python-tag", "hook-outside", "inherit-outside", "control"],
)
def test_mkdocs_yml_runs_nothing_and_reaches_nothing_outside(
    tmp_path: Path, extra: str, words: list[str] | None
) -> None:
    project = _project(tmp_path / "p")
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    (tmp_path / "base.yml").write_text("site_name: x\n", encoding="utf-8")
    _with_mkdocs(project, extra.format(marker=marker))
    result = run_cli("generate", "--check", cwd=project, env=CACHE)
    assert not marker.exists()
    if words is None:  # an unknown key: MkDocs' own warning, still one line
        assert result.returncode == 2
        return
    _refused(result, "mkdocs.yml", *words)


def test_a_theme_folder_outside_the_project_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    (tmp_path / "shadow").mkdir()
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("  name: material\n", "  name: material\n  custom_dir: ../shadow\n")
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    _refused(run_cli("generate", cwd=project, env=CACHE), "theme.custom_dir", "outside")


def test_an_external_script_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace(
        "  - assets/segments.js\n", "  - assets/segments.js\n  - https://evil.example/x.js\n"
    )
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    _refused(run_cli("generate", cwd=project, env=CACHE), "extra_javascript", "evil.example")


def test_docs_dir_inside_git_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    (project / ".git").mkdir()
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(text.replace("docs_dir: docs", "docs_dir: .git/x"))
    _refused(run_cli("generate", cwd=project, env=CACHE), "docs_dir", ".git")
    assert not (project / ".git" / "x").exists()


def _duck_sql(project: Path, sql: str) -> None:
    config = project / "data" / "segments.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("  path: mall_customers.csv   # relative to this file\n", f"  sql: {sql}\n")
    config.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "sql",
    [
        "\"SELECT * FROM 'data/mall_customers.csv'; COPY (SELECT 1) TO '{marker}'\"",
        "\"ATTACH '{marker}' AS x\"",
        '"CREATE TABLE t AS SELECT 1"',
    ],
    ids=["copy", "attach", "create"],
)
def test_data_sql_is_one_select(tmp_path: Path, sql: str) -> None:
    pytest.importorskip("duckdb")
    project = _project(tmp_path / "p", "duckdb")
    marker = tmp_path / "written"
    _duck_sql(project, sql.format(marker=marker))
    _refused(run_cli("validate", cwd=project, env=CACHE), "data.sql", "SELECT")
    assert not marker.exists()


def test_data_sql_reads_no_file_outside_the_project(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    project = _project(tmp_path / "p", "duckdb")
    _duck_sql(project, "\"SELECT content AS CustomerID FROM read_text('/etc/passwd')\"")
    line = _refused(run_cli("validate", cwd=project, env=CACHE), "/etc/passwd", "disabled")
    assert "root:x" not in line


def test_data_sql_still_reads_the_project_files(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    project = _project(tmp_path / "p", "duckdb")
    _duck_sql(project, "\"SELECT * FROM read_csv('data/mall_customers.csv')\"")
    result = run_cli("validate", cwd=project, env=CACHE)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "name", ["spark.driver.extraJavaOptions", "spark.remote", "spark.sql.extensions"]
)
def test_spark_conf_holds_runtime_sql_settings_only(tmp_path: Path, name: str) -> None:
    project = _project(tmp_path / "p", "spark")
    config = project / "data" / "segments.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + f'spark:\n  conf:\n    {name}: "-XX:x=touch y"\n',
        encoding="utf-8",
    )
    _refused(run_cli("validate", cwd=project, env=CACHE), name, "runtime SQL setting")
