"""One release is one step: ``docs/``, ``site/``, the lock and the sidecar change together.

Everything is staged first beside its target (``generator.site.write``). Then a journal listing
every move is written atomically; from that moment the release is decided. The moves are
renames (folders swapped with ``renameat2(RENAME_EXCHANGE)`` on Linux), each recognised as done
by the inode it moved, so they can be replayed. The journal is deleted when all are done. If the
process dies before the journal exists, the next command deletes the staging (rolls back); if
it dies after, the next command replays the journal (completes the release).

Commands that write take an exclusive lock file first (``flock``, released by the kernel even
on ``kill -9``): a second build waits for the first and never touches its staging.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.errors import RenderError
from generator.site.write import clean_stale

log = logging.getLogger(__name__)
LOCK_FILE = ".segments-build.lock"
JOURNAL = ".segments-build.journal"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class Move:
    """Put ``staged`` (a folder or a file) where ``target`` is."""

    staged: Path
    target: Path


@contextmanager
def exclusive(root: Path) -> Iterator[None]:
    """Hold the project's build lock, waiting while another command holds it."""
    root.mkdir(parents=True, exist_ok=True)
    handle = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another segments build is writing in %s; waiting for it to end", root)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def publish(root: Path, moves: Sequence[Move]) -> None:
    """Move every staged output into place as one release (see the module docstring)."""
    entries = [_entry(move) for move in moves]
    journal = root / JOURNAL
    partial = journal.with_name(JOURNAL + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(entries, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, journal)  # the commit point
    try:
        _fsync_folder(root)
        _replay(journal, entries)
    except OSError as exc:
        raise RenderError(
            f"{exc.filename or journal}: the new release is decided but could not be moved in "
            f"whole ({exc.strerror or exc}); fix the cause, and the next segments build or "
            "generate completes it"
        ) from exc


def pending(root: Path) -> Path | None:
    """The journal of a decided release not yet completed (None when there is none)."""
    journal = root / JOURNAL
    return journal if journal.exists() else None


def recover(root: Path) -> None:
    """Complete a release that a killed command left half done (call under the lock)."""
    journal = root / JOURNAL
    if not journal.is_file():
        return
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
        log.warning("completing the release an interrupted build left half done")
        _replay(journal, entries)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RenderError(
            f"{journal}: cannot complete the interrupted release ({exc}); delete this file "
            "and build again"
        ) from exc


def discard_staging(root: Path, folders: Iterable[Path]) -> None:
    """Roll back: delete staging in ``folders``, unless a decided release still needs it."""
    if pending(root):
        return
    for folder in sorted(set(folders)):
        clean_stale(folder)


def _entry(move: Move) -> dict[str, object]:
    info = move.staged.lstat()
    return {
        "staged": str(move.staged),
        "target": str(move.target),
        "inode": [info.st_dev, info.st_ino],
    }


def _replay(journal: Path, entries: list[dict[str, object]]) -> None:
    """Finish every move (each is skipped when already done), then drop the journal."""
    leftovers = [_apply(entry) for entry in entries]
    journal.unlink()
    for leftover in leftovers:
        if leftover is not None:
            _remove(leftover)


def _apply(entry: dict[str, object]) -> Path | None:
    """Do one move unless done; return where the replaced old contents now are, if anywhere."""
    staged, target = Path(str(entry["staged"])), Path(str(entry["target"]))
    raw = entry["inode"]
    if not isinstance(raw, list) or len(raw) != 2:
        raise ValueError(f"bad inode {raw!r}")
    inode = (int(raw[0]), int(raw[1]))
    old = staged.with_name(staged.name + "-old")
    if _inode(target) == inode:  # done before (replayed after a kill)
        return staged if staged.exists() else old
    if _inode(staged) != inode:
        raise ValueError(f"{staged} is neither staged nor in place")
    if not target.exists():
        staged.rename(target)
        return None
    if staged.is_dir() and _exchange(staged, target):
        return staged  # now holds the old contents
    if staged.is_dir():
        target.rename(old)
        staged.rename(target)
        return old
    os.replace(staged, target)
    return None


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino)


def _remove(path: Path) -> None:
    """Delete an old release's folder; what cannot be deleted is left for a later command."""
    if not path.exists():
        return
    errors: list[str] = []
    shutil.rmtree(path, onerror=lambda _f, p, e: errors.append(f"{p}: {e[1]}"))
    if errors:
        log.warning(
            "the new release is in place, but the old one could not be fully deleted from %s "
            "(%s); delete it by hand",
            path,
            errors[0],
        )


def _exchange(first: Path, second: Path) -> bool:
    """Atomically exchange two paths with Linux renameat2; False where it is unavailable."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
