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
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.errors import RenderError
from generator.runtime.files import replace_whole
from generator.site.write import TMP_PREFIX, clean_stale, umask

log = logging.getLogger(__name__)
LOCK_FILE = ".segments-build.lock"
JOURNAL = ".segments-build.journal"
MAX_JOURNAL = 1_000_000
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
    # The commit point: a random O_EXCL|O_NOFOLLOW name, fsynced, renamed over the journal.
    replace_whole(journal, json.dumps(entries).encode("utf-8"), 0o666 & ~umask(), sync=True)
    try:
        _fsync_folder(root)
        _replay(journal, entries)
    except OSError as exc:
        raise RenderError(
            f"{exc.filename or journal}: the new release is decided but could not be moved in "
            f"whole ({exc.strerror or exc}); fix the cause, and the next segments build or "
            "generate completes it"
        ) from exc


def pending(root: Path, targets: Collection[Path]) -> Path | None:
    """The journal of a decided release not yet completed (None when there is none).

    Raises:
        RenderError: When the file there is not a journal this project's build wrote
            (``checked_journal``): the same line for ``build``, ``generate`` and ``--check``.
    """
    journal = root / JOURNAL
    if not os.path.lexists(journal):
        return None
    checked_journal(journal, targets)
    return journal


def recover(root: Path, targets: Collection[Path]) -> None:
    """Complete a release that a killed command left half done (call under the lock).

    ``targets`` are the paths this project's build publishes: a journal naming anything
    else, or staging that is not ours, is refused before anything is moved or deleted.
    """
    journal = pending(root, targets)
    if journal is None:
        return
    try:
        entries = checked_journal(journal, targets)
        log.warning("completing the release an interrupted build left half done")
        _replay(journal, entries)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RenderError(
            f"{journal}: cannot complete the interrupted release ({exc}); delete this file "
            "and build again"
        ) from exc


def checked_journal(journal: Path, targets: Collection[Path]) -> list[dict[str, object]]:
    """The journal's moves, each proven to be one this project's build makes.

    A move is ours when its target is one of ``targets`` (docs/, site/, the lock, the history,
    the sidecar) and its staged path is a staging name beside that target
    (``.segments-tmp-<name>-*``); at least one of the recorded files must be here (a journal
    copied from another machine, or committed, names staging that never existed here).

    Raises:
        RenderError: One line naming the journal and what is wrong; nothing was changed.
    """
    allowed = {os.path.abspath(t) for t in targets}
    try:
        if journal.is_symlink() or not journal.is_file():
            raise ValueError("it is not a regular file")
        if journal.stat().st_size > MAX_JOURNAL:
            raise ValueError("it is too large")
        entries = json.loads(journal.read_text(encoding="utf-8"))
        if not isinstance(entries, list) or not entries:
            raise ValueError("it lists no moves")
        found = [_checked_entry(entry, allowed) for entry in entries]
    except (OSError, ValueError) as exc:
        raise RenderError(_foreign(journal, str(exc))) from exc
    if not any(here for here in found):
        raise RenderError(_foreign(journal, "none of the files it moves is here"))
    return entries


def _checked_entry(entry: object, allowed: set[str]) -> bool:
    """Check one move; True when its staged or target path holds the recorded file."""
    if not isinstance(entry, dict) or set(entry) != {"staged", "target", "inode"}:
        raise ValueError("a move is not {staged, target, inode}")
    staged, target, raw = entry["staged"], entry["target"], entry["inode"]
    if not isinstance(staged, str) or not isinstance(target, str):
        raise ValueError("a path is not text")
    if os.path.abspath(target) != target or target not in allowed:
        raise ValueError(f"it names {target!r}, which this project's build does not write")
    folder, name = os.path.split(target)
    beside, staging = os.path.split(staged)
    if beside != folder or not staging.startswith(f"{TMP_PREFIX}{name}-") or "/" in staging:
        raise ValueError(f"it names {staged!r}, which is not a staging path of {target!r}")
    if not isinstance(raw, list) or len(raw) != 2 or not all(isinstance(v, int) for v in raw):
        raise ValueError(f"bad inode {raw!r}")
    inode = (raw[0], raw[1])
    old = Path(staged + "-old")
    return inode in (_inode(Path(staged)), _inode(Path(target))) or old.exists()


def _foreign(journal: Path, why: str) -> str:
    return (
        f"{journal}: not a journal of an interrupted build of this project ({why}); nothing "
        "was changed. If no segments build was interrupted here, delete this file (it should "
        "never be committed: list it in .gitignore)"
    )


def discard_staging(root: Path, folders: Iterable[Path]) -> None:
    """Roll back: delete staging in ``folders``, unless a decided release still needs it."""
    if os.path.lexists(root / JOURNAL):
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
