"""Files made next to a target without trusting what already lies there.

A fixed temporary name (``x.partial``) can be a symbolic link planted by someone else: writing
through it overwrites whatever it points at. Every temporary file here gets a random name,
created with ``O_EXCL`` and ``O_NOFOLLOW`` (``tempfile.mkstemp``) and mode 0600 until it is
renamed into place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fresh_file(target: Path, prefix: str | None = None) -> tuple[int, Path]:
    """An open descriptor and the path of a new, empty, private file beside ``target``."""
    handle, name = tempfile.mkstemp(
        prefix=prefix if prefix is not None else f".{target.name}-", dir=target.parent
    )
    return handle, Path(name)


def replace_whole(target: Path, data: bytes, mode: int | None = None, sync: bool = False) -> None:
    """Write ``data`` to ``target`` whole or not at all, through a fresh private file.

    ``mode``: the file's permissions once in place (else 0600); ``sync``: fsync before the
    rename (the build journal's commit point).
    """
    handle, partial = fresh_file(target)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            if sync:
                os.fsync(stream.fileno())
        if mode is not None:
            partial.chmod(mode)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
