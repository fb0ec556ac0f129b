"""Every case of ``test_bad_inputs.BAD_INPUTS`` through ``segments build``, next to a built site.

The good project is built once; each case then writes its files over the good ones, runs the
real build, and must exit 2 with the same one-line message as ``validate``, leaving ``docs/``
and ``site/`` byte for byte as they were. The good files are put back after each case.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.test_build import CACHE, make_project, snapshot
from tests.table.test_bad_inputs import BAD_INPUTS, GOOD, Case, config, expected_stderr, write_case

pytestmark = pytest.mark.e2e
GOOD_CASE = Case("good", GOOD, "", config(extra="privacy: {min_group_size: 1}\n"))


def build(folder: Path) -> tuple[int, str]:
    result = run_cli(
        "build", "--config", str(folder / "input" / "segments.yml"), cwd=folder, env=CACHE
    )
    return result.returncode, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A project whose docs/ and site/ were built from the good six-row table."""
    folder = make_project(tmp_path_factory.mktemp("badbuild"))
    write_case(GOOD_CASE, folder / "input")
    code, stderr = build(folder)
    assert code == 0, stderr
    return folder, snapshot(folder)


def restore(folder: Path) -> None:
    """Remove whatever a case wrote and put the good input back."""
    shutil.rmtree(folder / "input")
    write_case(GOOD_CASE, folder / "input")


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[case.name for case in BAD_INPUTS])
def test_build_rejects_bad_input_and_keeps_the_site(
    case: Case, built: tuple[Path, dict[str, str]]
) -> None:
    folder, before = built
    lock = sorted((folder / "input").glob("segments.*"))
    kept = {p.name: p.read_bytes() for p in lock if p.name != "segments.yml"}
    try:
        write_case(case, folder / "input")
        code, stderr = build(folder)
    finally:
        restore(folder)
        for name, content in kept.items():
            (folder / "input" / name).write_bytes(content)
    assert (code, stderr) == (2, expected_stderr(case, folder / "input"))
    assert snapshot(folder) == before
