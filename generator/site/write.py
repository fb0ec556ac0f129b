"""The only stage that writes: stage files in a temporary folder, then swap it in whole.

A failure at any point (bad data, an exception, an interrupt, ``kill -9``) leaves the previous
``docs/`` and ``site/`` as they were: the swap is one atomic ``renameat2(RENAME_EXCHANGE)`` on
Linux, and two renames elsewhere.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from generator.errors import RenderError
from generator.model import RenderedPage

TMP_PREFIX = ".segments-tmp-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def staging_dir(target: Path) -> Path:
    """A fresh empty folder beside ``target`` (same file system, so the swap is a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{target.name}-", dir=target.parent))


def stage(pages: Iterable[RenderedPage], folder: Path) -> Path:
    """Write every page under ``folder``; refuse unsafe paths and two outputs at one path."""
    seen: set[str] = set()
    for page in pages:
        relative = _safe_relative(page.path)
        if relative in seen:
            raise RenderError(f"two outputs for one path: {relative}")
        seen.add(relative)
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(page.content)
    return folder


def _safe_relative(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path:
        raise RenderError(f"refusing to write outside the output folder: {path!r}")
    return pure.as_posix()


def swap_in(staged: Path, target: Path) -> None:
    """Replace ``target`` by ``staged`` in one step, then delete the old contents."""
    if not target.exists():
        staged.rename(target)
        return
    if _exchange(staged, target):
        shutil.rmtree(staged)
        return
    old = target.with_name(f"{TMP_PREFIX}{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    staged.rename(target)
    shutil.rmtree(old)


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


def write_file(path: Path, text: str) -> None:
    """Write one file whole or not at all (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def clean_stale(folder: Path) -> None:
    """Remove staging folders left by an interrupted run."""
    for stale in folder.glob(f"{TMP_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


def differences(pages: Iterable[RenderedPage], target: Path) -> list[str]:
    """Paths under ``target`` that differ from ``pages``: changed, missing or extra files."""
    expected = {_safe_relative(p.path): p.content for p in pages}
    actual = (
        {p.relative_to(target).as_posix(): p for p in sorted(target.rglob("*")) if p.is_file()}
        if target.is_dir()
        else {}
    )
    changed = [
        path
        for path, content in expected.items()
        if path not in actual or actual[path].read_bytes() != content
    ]
    extra = [path for path in actual if path not in expected]
    return sorted(changed + extra)
