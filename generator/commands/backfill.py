"""``segments history --rebuild-from GIT_RANGE``: the history of a project that predates it.

Every commit in the range that changed the lock file is replayed, oldest first: each lock
holds its release's segments (numbers, names, sizes, centres), its customers, its data's
fingerprint, its date and the customer flow from the release before it. A lock that numbers
the segments afresh (made without a lock, or with ``--relock``) starts the history again, since
its numbers mean other segments. An entry the history file already holds for the same data is
kept as it is (it has the share noise and value shares a lock does not keep).

The file is written like a build writes it: under the build lock, staged, then renamed in.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from generator.commands.build import release_targets
from generator.config.settings import Config
from generator.errors import ConfigError
from generator.release.history import (
    History,
    HistoryEntry,
    continued,
    history_path,
    lock_entry,
)
from generator.release.historyread import read_history
from generator.release.lockfile import Lock, lock_path
from generator.release.lockread import parse_lock
from generator.report.context import suppressor
from generator.report.history import history_text
from generator.site.outputs import checked_outputs
from generator.site.project import find_mkdocs
from generator.site.publish import Move, exclusive, publish, recover
from generator.site.write import stage_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rebuilt:
    """What ``rebuild_from`` wrote: the history, from how many commits, how many entries kept."""

    path: Path
    history: History
    commits: int
    kept: int


def rebuild_from(config: Config, git_range: str) -> Rebuilt:
    """Replay the lock files committed in ``git_range`` into the history file, and write it.

    Raises:
        ConfigError: When git is missing, the lock is not in a git repository, the range is
            not one git knows, or no commit in it holds a readable lock file.
    """
    if not git_range or git_range.startswith("-"):
        raise ConfigError(f"--rebuild-from {git_range!r}: expected a git range such as v1..HEAD")
    lock = lock_path(config).resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], lock.parent, lock.parent).strip())
    relative = lock.relative_to(top.resolve()).as_posix()
    listed = _git(["rev-list", "--reverse", "--topo-order", git_range, "--", relative], top, lock)
    commits = listed.split()
    locks = [(sha, found) for sha in commits if (found := _committed_lock(top, sha, relative))]
    if not locks:
        raise ConfigError(
            f"{lock}: no commit in {git_range} holds a readable lock file at {relative}; "
            "widen the range (HEAD replays every commit)"
        )
    path = history_path(config)
    stored = {e.fingerprint: e for e in (read_history(path) or History(())).entries}
    history, kept = _replay(locks, stored)
    _write(config, path, history)
    return Rebuilt(path, history, len(commits), kept)


def _replay(locks: list[tuple[str, Lock]], stored: dict[str, HistoryEntry]) -> tuple[History, int]:
    """The history of the committed locks, oldest first, and how many stored entries it kept."""
    history = History(())
    for sha, lock in locks:
        others = [e for e in history.entries if e.fingerprint != lock.data_sha256]
        if lock.previous is None and others:
            log.warning(
                "%s: this lock numbers the segments afresh, so the history starts again there "
                "(%d earlier release%s left out)",
                sha[:12],
                len(others),
                "" if len(others) == 1 else "s",
            )
            history = History(())
        entry = lock_entry(lock)
        richer = stored.get(lock.data_sha256)
        if richer is not None and _numbers(richer) == _numbers(entry):
            entry = richer
        history = continued(history, entry)
    kept = sum(1 for e in history.entries if stored.get(e.fingerprint) is e)
    return history, kept


def _numbers(entry: HistoryEntry) -> list[tuple[int, str]]:
    """The segments an entry describes (a stored entry counts only for the same segments)."""
    return [(s.number, s.slug) for s in entry.segments]


def _committed_lock(top: Path, sha: str, relative: str) -> Lock | None:
    """The lock file as committed in ``sha`` (None, with a warning, when absent or unreadable)."""
    shown = subprocess.run(
        ["git", "show", f"{sha}:{relative}"], cwd=top, capture_output=True, check=False
    )
    if shown.returncode != 0:
        return None  # the commit deleted the lock file
    try:
        return parse_lock(shown.stdout.decode("utf-8"))
    except ValueError as exc:
        log.warning("%s:%s: skipped, the lock file is %s", sha[:12], relative, str(exc)[:200])
        return None


def _git(arguments: list[str], cwd: Path, about: Path) -> str:
    if shutil.which("git") is None:
        raise ConfigError("git: not found on PATH; --rebuild-from replays the lock files in git")
    done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["git failed"])[0]
        raise ConfigError(f"{about}: git {arguments[0]} failed ({why[:200]})")
    return done.stdout


def _write(config: Config, path: Path, history: History) -> None:
    """Write the history as a build would: under the build lock, staged, then renamed in."""
    outputs = checked_outputs(find_mkdocs(config.path), config)
    root = outputs.root
    text = history_text(history, suppressor(config))
    target = path.resolve()
    with exclusive(root):
        recover(root, [*release_targets(outputs, config), target])
        publish(root, [Move(stage_file(target, text), target)])
