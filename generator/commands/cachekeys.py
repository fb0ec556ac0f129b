"""The cache keys of a build: every input of the analysis, and of the release and its charts.

Kept beside the build (not in ``runtime.cache``) because a key knows the config and the table
file, which the runtime layer below them must not import.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from importlib import metadata
from pathlib import Path

from generator.config.settings import Config
from generator.report.charts import words
from generator.table.read import file_sha256

# Every module of every subpackage: a moved or edited module must never reuse stale results.
CODE = Path(__file__).resolve().parents[1]
FORMAT = b"segments-cache-3"
LIBRARIES = ("numpy", "pandas", "pyarrow", "scikit-learn", "scipy", "altair")


def analysis_key(config: Config) -> str:
    """A hash of every input of the analysis and its stability: not the lock, not personas.

    "" when the table is not one file (see ``cacheable``).

    Persona overrides are applied after matching to the lock (``refresh``), and the analysis
    never reads them, so the config is hashed without them.
    """
    if not cacheable(config):
        return ""
    digest = _digest(config.data_path)
    digest.update(repr(replace(config, personas=())).encode())
    return digest.hexdigest()


def release_key(config: Config, relock: bool, neighbours: tuple[Path, ...]) -> str:
    """A hash of every input of the release and the charts (``neighbours``: lock, sidecar, history).

    The charts' words are an input: the cached charts hold their titles and descriptions.
    """
    if not cacheable(config):
        return ""
    digest = _digest(config.data_path, config.path, words.WORDS, *neighbours)
    digest.update(b"relock" if relock else b"lock")
    # The lock's release date comes from SOURCE_DATE_EPOCH.
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
    return digest.hexdigest()


def cacheable(config: Config) -> bool:
    """Whether the inputs can be hashed: a single file (not a folder, glob, table or query).

    "" as a key means "do not cache": the engine's own fingerprint needs a pass over every row.
    """
    if config.engine.is_local:
        return True
    from generator.engine.adapters import adapter

    return adapter(config.engine.name).hashes_file and config.data_path.is_file()


def _digest(*files: Path) -> hashlib._Hash:
    """A hash started with the format, the code, the libraries and the bytes of ``files``."""
    digest = hashlib.sha256(FORMAT)
    for source in sorted(CODE.rglob("*.py")):
        digest.update(source.relative_to(CODE).as_posix().encode() + b"\0" + source.read_bytes())
    for package in LIBRARIES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    for path in files:
        digest.update(str(path).encode() + b"\0")
        digest.update(file_sha256(path).encode() if path.is_file() else b"absent")
    return digest
