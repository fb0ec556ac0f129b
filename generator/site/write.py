"""The only stage that writes: stage files beside their targets, so publishing is only renames.

Every output (``docs/``, ``site/``, the lock, the sidecar) is first written whole into a staging
path on the same file system as its target; ``generator.site.publish`` then moves all of them in
as one release. Staging paths start with ``.segments-tmp-`` and are removed on failure, or by the
next command (which holds the build lock, so it never removes another build's staging).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from generator.errors import RenderError
from generator.model import RenderedPage

TMP_PREFIX = ".segments-tmp-"


def umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def staging_dir(target: Path) -> Path:
    """A fresh empty folder beside ``target``, with the mode the user's umask gives folders.

    ``mkdtemp`` makes folders 0700; the published folder must be readable as the umask says
    (a web server running as another user).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{target.name}-", dir=target.parent))
    folder.chmod(0o777 & ~umask())
    return folder


def stage_file(target: Path, text: str) -> Path:
    """Write ``text`` to a staging file beside ``target`` (same file system) and return it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}-", dir=target.parent)
    staged = Path(name)
    with os.fdopen(handle, "wb") as stream:
        stream.write(text.encode("utf-8"))
    staged.chmod(0o666 & ~umask())
    return staged


def stage(pages: Iterable[RenderedPage], folder: Path) -> Path:
    """Write every page under ``folder``; refuse unsafe paths and two outputs at one path."""
    seen: set[str] = set()
    for page in pages:
        relative = safe_relative(page.path)
        if relative in seen:
            raise RenderError(f"two outputs for one path: {relative}")
        seen.add(relative)
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(page.content)
    return folder


def safe_relative(path: str) -> str:
    """``path`` as a clean relative POSIX path, refusing anything that leaves the folder."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path:
        raise RenderError(f"refusing to write outside the output folder: {path!r}")
    return pure.as_posix()


def write_file(path: Path, text: str) -> None:
    """Write one file whole or not at all (a temporary file beside it, then a rename)."""
    os.replace(stage_file(path, text), path)


def clean_stale(folder: Path) -> None:
    """Remove staging files and folders left by an interrupted run (call under the build lock)."""
    for stale in folder.glob(f"{TMP_PREFIX}*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def differences(
    pages: Iterable[RenderedPage], target: Path, ignored: Iterable[str] = ()
) -> list[str]:
    """Paths under ``target`` that differ from ``pages``: changed, missing or extra files.

    Args:
        pages: What would be written.
        target: The folder on disk.
        ignored: Files on disk that are not extra (the user's own files, kept by builds).
    """
    expected = {safe_relative(p.path): p.content for p in pages}
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
    skip = set(ignored)
    extra = [path for path in actual if path not in expected and path not in skip]
    return sorted(changed + extra)
