"""Two caches between builds, so an edit of the words or the persona names rebuilds in seconds.

- ``analysis``: the analysis and its stability evidence, the costly part. Its key covers the
  data file's bytes, the config without its ``personas:`` section, the generator's code and the
  library versions. The lock is left out: matching to it runs on every build, and is cheap.
- ``release``: the published release and its chart specs. Its key covers every input of those:
  the whole config file, the lock and assignments files, the build date, code and libraries.

Templates are in neither key: editing the words of a page reuses the cached numbers and charts.
Compiled templates are cached too (``templates``): MkDocs then takes about 40% less time.
Large tables are not cached (the pickle would cost more than it saves).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger(__name__)
MAX_ROWS = 200_000


def folder() -> Path:
    """Where cached files live (``SEGMENTS_CACHE``, default ``.segments-cache``)."""
    return Path(os.environ.get("SEGMENTS_CACHE", ".segments-cache"))


def templates(environment: str) -> jinja2.BytecodeCache | None:
    """Compiled Jinja templates, checked against each template's source (None: no cache).

    Jinja keys compiled code by template name and source only, yet settings such as
    autoescaping change the code, so every environment (``environment``) has a folder of its own.
    """
    import jinja2

    where = folder() / f"jinja-{environment}"
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("not caching compiled templates in %s: %s", where, exc)
        return None
    return jinja2.FileSystemBytecodeCache(str(where))


def load(kind: str, name: str) -> object | None:
    """The cached value, or None when absent or unreadable (a cache never fails a build)."""
    path = folder() / f"{kind}-{name}.pickle"
    try:
        with path.open("rb") as handle:
            value: object = pickle.load(handle)
            return value
    except FileNotFoundError:
        return None
    except Exception as exc:  # a stale or truncated entry is only a miss
        log.debug("ignoring cache entry %s: %s", path, exc)
        return None


def save(kind: str, name: str, value: object, rows: int) -> None:
    """Store a value for the next build (small tables only); older entries of ``kind`` go."""
    if rows > MAX_ROWS:
        return
    target = folder()
    partial = target / f"{kind}-{name}.partial"
    try:
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob(f"{kind}-*.pickle"):
            old.unlink(missing_ok=True)
        with partial.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(target / f"{kind}-{name}.pickle")
    except Exception as exc:  # a cache never fails a build (disk, permissions, pickling)
        log.warning("could not save the %s cache in %s: %s", kind, target, exc)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
