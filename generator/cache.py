"""A cache of the analysis, release and chart specs, so a template edit rebuilds in seconds.

The key covers everything those depend on: the data file's bytes, the config file, the lock and
assignments files, and the generator's own code. Templates are left out on purpose: editing the
words of a page reuses the cached numbers and charts. Large tables are not cached (the pickle
would cost more than it saves).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from importlib import metadata
from pathlib import Path

from generator.config import Config
from generator.load import file_sha256
from generator.model import ChartSpec

log = logging.getLogger(__name__)
CODE = Path(__file__).resolve().parent
MAX_ROWS = 200_000
FORMAT = b"segments-cache-1"
LIBRARIES = ("numpy", "pandas", "pyarrow", "scikit-learn", "scipy", "altair")


def folder() -> Path:
    """Where cached files live (``SEGMENTS_CACHE``, default ``.segments-cache``)."""
    return Path(os.environ.get("SEGMENTS_CACHE", ".segments-cache"))


def key(config: Config, relock: bool, neighbours: tuple[Path, ...]) -> str:
    """A hash of every input of the analysis, the release and the charts."""
    digest = hashlib.sha256(FORMAT)
    digest.update(b"relock" if relock else b"lock")
    # The lock's release date comes from SOURCE_DATE_EPOCH.
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
    for path in (config.data_path, config.path, *neighbours):
        digest.update(str(path).encode() + b"\0")
        digest.update(file_sha256(path).encode() if path.is_file() else b"absent")
    for source in sorted(CODE.glob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    for package in LIBRARIES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def load(name: str) -> object | None:
    """The cached value, or None when absent or unreadable (a cache never fails a build)."""
    path = folder() / f"release-{name}.pickle"
    try:
        with path.open("rb") as handle:
            value: object = pickle.load(handle)
            return value
    except FileNotFoundError:
        return None
    except Exception as exc:  # a stale or truncated entry is only a miss
        log.debug("ignoring cache entry %s: %s", path, exc)
        return None


def save(name: str, value: object, rows: int) -> None:
    """Store a value for the next build (small tables only); old entries are removed."""
    if rows > MAX_ROWS:
        return
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("release-*.pickle"):
        old.unlink(missing_ok=True)
    partial = target / f"release-{name}.partial"
    with partial.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(target / f"release-{name}.pickle")


def charts_of(value: object) -> list[ChartSpec]:
    """Type helper for the cached ``(release, charts)`` pair."""
    assert isinstance(value, tuple)
    charts = value[1]
    assert isinstance(charts, list)
    return charts
