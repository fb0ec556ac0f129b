"""The GitHub Actions workflows: offline validators and the facts the Pages workflow relies on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PAGES = WORKFLOWS / "pages.yml"
# `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`: a full commit SHA and the release it stands for.
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+(?:\.\d+)*\s*$")


def tool(name: str) -> str:
    """Find a validator next to this Python (the project venv) or on PATH.

    Missing tools skip the test locally but fail it in CI, so CI can never pass unchecked.
    """
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        message = f"{name} is not installed; run `make test` (it installs the dev extras)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"GH_TOKEN", "GITHUB_TOKEN"}}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def zizmor(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run zizmor exactly as `make workflows` does; --offline makes no network request."""
    return run(tool("zizmor"), "--offline", "--min-severity", "low", str(folder), cwd=folder)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
    value = workflow.get("on", workflow.get(True))
    assert isinstance(value, dict), f"`on:` should be a mapping, got {value!r}"
    return value


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(f"{action}@")]


def unpinned_lines(text: str) -> list[str]:
    """Every `uses:` line that is not pinned to a full SHA with a version comment."""
    return [
        line.strip() for line in text.splitlines() if "uses:" in line and not PINNED.match(line)
    ]


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_a_missing_validator_fails_in_ci_and_skips_locally(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="no-such-validator is not installed"):
        tool("no-such-validator")


@pytest.fixture(scope="module")
def pages() -> dict[str, Any]:
    return load(PAGES)


def test_workflows_match_the_github_workflow_schema() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert files, f"no workflow files in {WORKFLOWS}"
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing() -> None:
    result = zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_zizmor_flags_an_action_pinned_to_a_tag(tmp_path: Path) -> None:
    text = PAGES.read_text(encoding="utf-8")
    unpinned = re.sub(r"actions/checkout@[0-9a-f]{40} # v[\d.]+", "actions/checkout@v4", text)
    assert unpinned != text
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "pages.yml").write_text(unpinned, encoding="utf-8")

    result = zizmor(folder)

    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout
    assert "actions/checkout@v4" in result.stdout
    assert unpinned_lines(unpinned) == ["uses: actions/checkout@v4"] * 2


@pytest.mark.parametrize(
    ("line", "pinned"),
    [
        ("      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2", True),
        ("        uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6", True),
        ("        uses: actions/checkout@v4", False),
        ("        uses: actions/checkout@main", False),
        ("        uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd", False),
        ("        uses: actions/checkout@de0fac2 # v6.0.2", False),
    ],
)
def test_the_pin_check(line: str, pinned: bool) -> None:
    assert (unpinned_lines(line) == []) is pinned


def test_every_action_is_pinned_to_a_commit_sha() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        assert unpinned_lines(path.read_text(encoding="utf-8")) == [], path.name


def test_runs_on_push_to_main_and_by_hand(pages: dict[str, Any]) -> None:
    on = triggers(pages)
    assert set(on) == {"push", "workflow_dispatch"}
    assert on["push"] == {"branches": ["main"]}


def test_one_pages_run_at_a_time_without_cancelling_a_deployment(pages: dict[str, Any]) -> None:
    assert pages["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_least_privilege_permissions(pages: dict[str, Any]) -> None:
    assert pages["permissions"] in ({}, {"contents": "read"})
    jobs = pages["jobs"]
    assert jobs["test"]["permissions"] == {"contents": "read"}
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_jobs_run_in_order_with_timeouts(pages: dict[str, Any]) -> None:
    jobs = pages["jobs"]
    assert set(jobs) == {"test", "build", "deploy"}
    assert jobs["build"]["needs"] == "test"
    assert jobs["deploy"]["needs"] == "build"
    for name, job in jobs.items():
        assert 0 < job["timeout-minutes"] <= 60, name


def test_checkouts_do_not_keep_the_token(pages: dict[str, Any]) -> None:
    checkouts = [s for job in pages["jobs"].values() for s in steps_using(job, "actions/checkout")]
    assert len(checkouts) == 2
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False


def test_test_job_runs_the_tests_and_checks_docs(pages: dict[str, Any]) -> None:
    runs = [s.get("run", "") for s in pages["jobs"]["test"]["steps"]]
    assert "make test" in runs
    assert "make docs-check" in runs


def test_build_uploads_site_and_deploy_publishes_it(pages: dict[str, Any]) -> None:
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    [make_site] = [s["run"] for s in build["steps"] if "make site" in s.get("run", "")]
    assert 'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"' in make_site
    assert steps_using(build, "actions/configure-pages")
    [upload] = steps_using(build, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "site"
    [deployment] = steps_using(deploy, "actions/deploy-pages")
    assert deployment["id"] == "deployment"
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
