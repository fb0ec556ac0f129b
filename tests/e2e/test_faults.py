"""Issue 15's fault suite: nothing lost, nothing half-published, under every fault.

Each test starts from a built Mall project (release A), brings a refreshed table, and checks
hashes of docs/, site/, data/ (table, config, lock, sidecar) before and after: the project must
hold release A or release B (the refresh built cleanly), whole, never a mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.commands.build import release_targets
from generator.config.settings import load_config
from generator.site.outputs import checked_outputs
from generator.site.publish import JOURNAL, discard_staging, exclusive, recover
from tests.conftest import ROOT, run_cli
from tests.e2e.test_build import CACHE, make_project, refreshed_table

pytestmark = pytest.mark.e2e


def tree(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (links followed), by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def state(project: Path) -> dict[str, dict[str, str]]:
    """What a release is made of: docs/, site/ and data/ (lock and sidecar included)."""
    return {top: tree(project / top) for top in ("docs", "site", "data")}


def clone(source: Path, target: Path) -> Path:
    """A copy of a project (the generator link kept as a link)."""
    shutil.copytree(source, target, symlinks=True)
    return target


def recover_like_the_next_command(project: Path) -> None:
    """What every writing command does first: complete a decided release, drop staging."""
    config = load_config(project / "data" / "segments.yml")
    outputs = checked_outputs(project / "mkdocs.yml", config)
    with exclusive(project):
        recover(outputs.root, release_targets(outputs, config))
        discard_staging(project, [project, project / "data"])


def start(project: Path, *args: str, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **CACHE}
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "generator", "build", *args],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """Project A (built), its refreshed table, and the states of releases A and B."""
    base = tmp_path_factory.mktemp("releases")
    a = make_project(base / "a")
    assert run_cli("build", cwd=a, env=CACHE).returncode == 0
    refreshed = base / "refreshed.csv"
    shutil.copy(a / "data" / "mall_customers.csv", refreshed)
    refreshed_table(refreshed)
    b = clone(a, base / "b")
    shutil.copy(refreshed, b / "data" / "mall_customers.csv")
    result = run_cli("build", cwd=b, env=CACHE)
    assert result.returncode == 0, result.stderr
    return a, state(a), state(b)


@pytest.fixture
def refreshing(releases: tuple[Path, dict, dict], tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of project A whose table has been replaced by the refresh."""
    a, _, _ = releases
    project = clone(a, tmp_path / "project")
    shutil.copy(a.parent / "refreshed.csv", project / "data" / "mall_customers.csv")
    yield project


def a_state_with_refreshed_table(releases: tuple[Path, dict, dict]) -> dict:
    _, before, after = releases
    data = {**before["data"], "mall_customers.csv": after["data"]["mall_customers.csv"]}
    return {**before, "data": data}


def assert_whole(project: Path, releases: tuple[Path, dict, dict]) -> str:
    """The project holds release A (with the new table) or release B; which one."""
    now = state(project)
    if now == releases[2]:
        return "B"
    assert now == a_state_with_refreshed_table(releases), "a mix of two releases"
    return "A"


# Item 1: output folders are guarded; the user's files are kept.


@pytest.mark.parametrize("command", ["build", "generate", "serve"])
@pytest.mark.parametrize("docs_dir", ["data", ".", "..", "/tmp", ".git"])
def test_output_folders_outside_their_place_are_refused(
    releases: tuple[Path, dict, dict], tmp_path: Path, command: str, docs_dir: str
) -> None:
    project = clone(releases[0], tmp_path / "p")
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    mkdocs = project / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text().replace("docs_dir: docs", f"docs_dir: {docs_dir}"))
    before = state(project)
    result = run_cli(command, cwd=project, env=CACHE)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {mkdocs}: docs_dir ")
    assert result.stderr.endswith("(e.g. docs)\n") and len(result.stderr.splitlines()) == 1
    assert state(project) == before
    assert (project / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (project / "generator").is_symlink() and (project / "mkdocs.yml").is_file()


def test_a_folder_segments_did_not_write_is_refused(
    releases: tuple[Path, dict, dict], tmp_path: Path
) -> None:
    project = clone(releases[0], tmp_path / "p")
    shutil.rmtree(project / "site")
    (project / "site").mkdir()
    (project / "site" / "keep.html").write_text("mine")
    result = run_cli("build", cwd=project, env=CACHE)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {project.resolve()}/site: this folder was not written by segments (no "
        ".segments-output.json in it) and a build would replace it; move it away, or point "
        "site_dir in mkdocs.yml at a new folder\n"
    )
    assert (project / "site" / "keep.html").read_text() == "mine"


def test_the_users_files_in_docs_survive_builds(refreshing: Path) -> None:
    (refreshing / "docs" / "CNAME").write_text("segments.example.com\n")
    (refreshing / "docs" / "overrides").mkdir()
    (refreshing / "docs" / "overrides" / "notes.txt").write_text("mine")
    for _ in range(2):
        result = run_cli("build", cwd=refreshing, env=CACHE)
        assert result.returncode == 0, result.stderr
        assert (refreshing / "docs" / "CNAME").read_text() == "segments.example.com\n"
        assert (refreshing / "docs" / "overrides" / "notes.txt").read_text() == "mine"
    assert (refreshing / "site" / "CNAME").read_text() == "segments.example.com\n"
    check = run_cli("generate", "--check", cwd=refreshing, env=CACHE)
    assert (check.returncode, check.stdout) == (0, "docs/ is up to date\n")


# Item 2: concurrent builds.


def test_concurrent_builds_wait_for_each_other(
    releases: tuple[Path, dict, dict], refreshing: Path
) -> None:
    for _ in range(3):
        builds = [start(refreshing) for _ in range(2)]
        outcomes = [(p.wait(timeout=600), p.stderr.read() if p.stderr else "") for p in builds]
        assert [code for code, _ in outcomes] == [0, 0], outcomes
        assert "Error" not in "".join(err for _, err in outcomes)
        assert assert_whole(refreshing, releases) == "B"
        assert not list(refreshing.glob(".segments-tmp-*"))


# Items 3 and 4: kill -9 at random points, including between the moves of a release.


def kill_when(process: subprocess.Popen[str], ready: Callable[[], bool], limit: float) -> None:
    deadline = time.monotonic() + limit
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        # Polled every 0.2 ms (the window between two moves is short), but asleep in between:
        # a busy loop would take a core from the build it is timing, and from the other worker.
        time.sleep(0.0002)
    process.send_signal(signal.SIGKILL)
    process.communicate()


def test_kill_9_at_random_points_leaves_one_whole_release(
    releases: tuple[Path, dict, dict], tmp_path: Path
) -> None:
    rng = random.Random(15)
    a, _, _ = releases
    seen = {"A": 0, "B": 0, "pending": 0}
    for attempt in range(10):
        project = clone(a, tmp_path / f"kill-{attempt}")
        shutil.copy(a.parent / "refreshed.csv", project / "data" / "mall_customers.csv")
        process = start(project)
        if attempt % 2:  # aimed: kill as soon as the release is decided
            kill_when(process, lambda p=project: (p / JOURNAL).exists(), 120)
        else:
            kill_when(process, lambda: False, rng.uniform(0.5, 8.0))
        seen["pending"] += (project / JOURNAL).exists()
        recover_like_the_next_command(project)
        seen[assert_whole(project, releases)] += 1
        assert not list(project.rglob(".segments-tmp-*"))
        shutil.rmtree(project)
    assert seen["A"] + seen["B"] == 10


# Item 3: a full disk, read-only files, a symlinked docs/.


@contextlib.contextmanager
def small_filesystem(folder: Path) -> Iterator[Callable[[int], None] | None]:
    """Mount a tmpfs at ``folder`` where allowed; yields a function that leaves only N KiB free
    (None when no file system can be mounted here)."""
    folder.mkdir(parents=True, exist_ok=True)
    mount = ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)]
    mounted = subprocess.run(mount, capture_output=True).returncode == 0

    def leave_free(kilobytes: int) -> None:
        info = os.statvfs(folder)
        used = (info.f_blocks - info.f_bfree) * info.f_frsize // 1024
        size = f"remount,size={used + kilobytes}k"
        subprocess.run(["mount", "-o", size, str(folder)], check=True, capture_output=True)

    try:
        yield leave_free if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def file_size_limit(kilobytes: int) -> Callable[[], None]:
    """The other real way to fill a disk: no file may grow past ``kilobytes`` (EFBIG)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (kilobytes * 1024, kilobytes * 1024))

    return limit


@pytest.mark.parametrize("spare_kb", [64, 512, 2048, 4096])
def test_a_full_disk_changes_nothing(
    releases: tuple[Path, dict, dict], tmp_path: Path, spare_kb: int
) -> None:
    a, before, _ = releases
    with small_filesystem(tmp_path / "disk") as leave_free:
        project = clone(a, tmp_path / "disk" / "p")
        shutil.copy(a.parent / "refreshed.csv", project / "data" / "mall_customers.csv")
        if leave_free is not None:
            leave_free(spare_kb)
        limit = None if leave_free else file_size_limit(spare_kb // 8)
        result = start(project, preexec_fn=limit)
        _, stderr = result.communicate(timeout=600)
        if result.returncode != 0:
            assert result.returncode == 2, stderr
            last = stderr.splitlines()[-1]
            assert "nothing was published" in last or "cannot write" in last, last
            assert state(project) == a_state_with_refreshed_table(releases)
        else:
            assert assert_whole(project, releases) == "B"
        assert not list(project.rglob(".segments-tmp-*"))
        assert before["data"]["segments.yml"] == state(project)["data"]["segments.yml"]
        shutil.rmtree(project)


def _frozen(path: Path) -> Path:
    """What is made read-only for ``path``: itself as root, else the folder holding a file."""
    return path if path.is_dir() or os.geteuid() == 0 else path.parent


def freeze(path: Path, frozen: bool) -> None:
    """``chattr +i`` as root (who ignores modes), else mode 0555; ``frozen=False`` undoes it."""
    target = _frozen(path)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if frozen else "-i", str(target)], check=frozen)
    else:
        target.chmod(0o555 if frozen else 0o755)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` unchangeable (a file cannot be deleted either) for the block."""
    freeze(path, True)
    try:
        yield
    finally:
        freeze(path, False)


def test_an_undeletable_file_in_docs_still_publishes_one_release(refreshing: Path) -> None:
    (refreshing / "docs" / "overrides").mkdir()
    locked = refreshing / "docs" / "overrides" / "locked.txt"
    locked.write_text("mine")
    with read_only(locked):
        result = run_cli("build", cwd=refreshing, env=CACHE)
        assert result.returncode == 0, result.stderr
        assert "the new release is in place, but the old one could not be fully deleted" in (
            result.stderr
        )
        assert (refreshing / "docs" / "overrides" / "locked.txt").read_text() == "mine"
        check = run_cli("generate", "--check", cwd=refreshing, env=CACHE)
        assert check.returncode == 0, check.stderr
        old = next(refreshing.glob(".segments-tmp-docs-*"))  # the old release, half deleted
        freeze(old / "overrides" / "locked.txt", False)
    shutil.rmtree(old)


def test_a_read_only_data_folder_changes_nothing(
    releases: tuple[Path, dict, dict], refreshing: Path
) -> None:
    data = refreshing / "data"
    with read_only(data):
        result = run_cli("build", cwd=refreshing, env=CACHE)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(f"error: {data.resolve()}/.segments-tmp-")
    assert result.stderr.endswith(
        "nothing was published, the previous docs/, site/, lock and sidecar are unchanged\n"
    )
    assert state(refreshing) == a_state_with_refreshed_table(releases)


def test_a_symlinked_docs_folder_stays_a_link(
    releases: tuple[Path, dict, dict], refreshing: Path
) -> None:
    (refreshing / "docs").rename(refreshing / "published-docs")
    (refreshing / "docs").symlink_to("published-docs")
    result = run_cli("build", cwd=refreshing, env=CACHE)
    assert result.returncode == 0, result.stderr
    assert (refreshing / "docs").is_symlink()
    assert state(refreshing) == releases[2]
