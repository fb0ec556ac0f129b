"""Issue 21, Low: a symbolic link as the data file published the name of the file it points at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.e2e


def test_pages_name_the_link_never_its_target(tmp_path: Path) -> None:
    export = tmp_path / "exports" / "crm_export_q3_all_members.csv"
    export.parent.mkdir()
    shutil.copy(ROOT / "data" / "mall_customers.csv", export)
    project = tmp_path / "report"
    (project / "data").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "segments.yml", project / "data")
    shutil.copy(ROOT / "mkdocs.yml", project)
    (project / "data" / "mall_customers.csv").symlink_to(export)
    result = run_cli("generate", "--config", "data/segments.yml", cwd=project)
    assert result.returncode == 0, result.stderr
    pages = {p: p.read_text(encoding="utf-8") for p in (project / "docs").rglob("*.md")}
    assert "mall\\_customers.csv" in pages[project / "docs" / "data.md"]
    assert not [p for p, text in pages.items() if "crm" in text or "exports" in text]
