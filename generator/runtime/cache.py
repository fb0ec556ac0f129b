"""Two caches between builds, so an edit of the words or the persona names rebuilds in seconds.

- ``analysis``: the analysis and its stability evidence, the costly part. Its key covers the
  data file's bytes, the config without its ``personas:`` section, the generator's code and the
  library versions. The lock is left out: matching to it runs on every build, and is cheap.
- ``release``: the published release and its chart specs. Its key covers every input of those:
  the whole config file, the lock and assignments files, the build date, code and libraries.

Templates are in neither key: editing the words of a page reuses the cached numbers and charts.
Compiled templates are cached too (``templates``): MkDocs then takes about 40% less time.
Large tables are not cached (the pickle would cost more than it saves).

The cache holds code in effect (pickles, Jinja bytecode, and in ``shared_folder`` the Vega
bundle), so nothing in it is trusted: every entry carries an HMAC-SHA256 made with a secret key
kept outside the cache folder (``~/.config/segments/cache-key``, 0600, or ``SEGMENTS_CACHE_KEY``),
and is unpickled, loaded or published only when that checks. A copied, restored or edited cache
is therefore a miss, and is recomputed. Without a usable key nothing is cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import pickle
import secrets
from pathlib import Path

import jinja2

from generator.runtime.files import fresh_file, replace_whole

log = logging.getLogger(__name__)
MAX_ROWS = 200_000
MAGIC = b"segments-cache-1\n"
_MAC_SIZE = 32
_WARNED: set[Path] = set()


def folder() -> Path:
    """Where cached files live (``SEGMENTS_CACHE``, default ``.segments-cache``)."""
    return Path(os.environ.get("SEGMENTS_CACHE", ".segments-cache"))


def shared_folder() -> Path:
    """Files that depend only on installed versions, shared by every project on this machine.

    ``$XDG_CACHE_HOME/segments`` (default ``~/.cache/segments``): the Vega bundle, made once per
    vl-convert version instead of once per project (about 3 s each time).
    """
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "segments"


def key_path() -> Path:
    """The secret that authenticates cache entries: never inside the cache folder."""
    configured = os.environ.get("SEGMENTS_CACHE_KEY")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "segments" / "cache-key"


def _key() -> bytes | None:
    """The key, made on first use (None when it can be neither read nor made)."""
    path = key_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            _make_key(path)
        key = path.read_bytes()
    except OSError as exc:
        log.debug("no cache key at %s (%s): not caching", path, exc)
        return None
    return key if len(key) >= 32 else None


def _make_key(path: Path) -> None:
    """Write a new key whole, then link it in place.

    A process starting beside this one (two builds, two test workers) reads a finished key,
    never a half-written one.
    """
    key = secrets.token_bytes(32)
    handle, fresh = fresh_file(path)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(key)
        with contextlib.suppress(FileExistsError):  # the first key made wins
            os.link(fresh, path)
    except OSError:  # no hard links on this file system: create the key in place
        with contextlib.suppress(FileExistsError):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(handle, "wb") as stream:
                stream.write(key)
    finally:
        fresh.unlink(missing_ok=True)


def signed(name: str, payload: bytes) -> bytes | None:
    """``payload`` with a MAC binding it to ``name`` (None without a key)."""
    key = _key()
    if key is None:
        return None
    mac = hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()
    return MAGIC + mac + payload


def verified(name: str, blob: bytes) -> bytes | None:
    """The payload of a ``signed`` blob, or None when it was not made with our key for ``name``."""
    key = _key()
    if key is None or not blob.startswith(MAGIC):
        return None
    mac = blob[len(MAGIC) : len(MAGIC) + _MAC_SIZE]
    payload = blob[len(MAGIC) + _MAC_SIZE :]
    expected = hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()
    return payload if hmac.compare_digest(mac, expected) else None


def write_signed(path: Path, name: str, payload: bytes) -> bool:
    """Store ``payload`` signed at ``path`` (whole or not at all); False when not cached."""
    blob = signed(name, payload)
    if blob is None:
        return False
    try:
        # A random name opened O_EXCL|O_NOFOLLOW, mode 0600: a link planted at a fixed
        # ".partial" name is never written through, and the entry (a table's values) is private.
        replace_whole(path, blob)
    except OSError as exc:
        log.warning("could not save %s in the cache: %s", path.name, exc)
        return False
    return True


def read_signed(path: Path, name: str) -> bytes | None:
    """The payload stored by ``write_signed``; None when absent, unreadable or not ours."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    payload = verified(name, blob)
    if payload is None and path.parent not in _WARNED:
        _WARNED.add(path.parent)  # once per folder: a copied cache has many such entries
        log.warning(
            "ignoring cached files in %s not signed with this machine's cache key (copied, "
            "restored or edited); they are computed afresh",
            path.parent,
        )
    return payload


class SignedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file bytecode cache, every file signed: compiled templates are code."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Load the compiled template only when its MAC checks (else Jinja compiles afresh)."""
        path = Path(self._get_cache_filename(bucket))
        payload = read_signed(path, bucket.key) if path.exists() else None
        if payload is not None:
            bucket.bytecode_from_string(payload)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Store the compiled template, signed."""
        path = Path(self._get_cache_filename(bucket))
        write_signed(path, bucket.key, bucket.bytecode_to_string())


def templates(environment: str) -> jinja2.BytecodeCache | None:
    """Compiled Jinja templates, checked against each template's source (None: no cache).

    Jinja keys compiled code by template name and source only, yet settings such as
    autoescaping change the code, so every environment (``environment``) has a folder of its own.
    """
    where = folder() / f"jinja-{environment}"
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("not caching compiled templates in %s: %s", where, exc)
        return None
    return SignedBytecodeCache(str(where)) if _key() is not None else None


def load(kind: str, name: str) -> object | None:
    """The cached value, or None when absent, unreadable or not signed with our key."""
    path = folder() / f"{kind}-{name}.pickle"
    payload = read_signed(path, f"{kind}-{name}") if path.exists() else None
    if payload is None:
        return None
    try:
        # Safe: the MAC proves this process's own save() wrote these bytes.
        value: object = pickle.loads(payload)
    except Exception as exc:  # a stale entry (classes changed) is only a miss
        log.debug("ignoring cache entry %s: %s", path, exc)
        return None
    return value


def save(kind: str, name: str, value: object, rows: int) -> None:
    """Store a value for the next build (small tables only); older entries of ``kind`` go."""
    if rows > MAX_ROWS:
        return
    target = folder()
    try:
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob(f"{kind}-*.pickle"):
            old.unlink(missing_ok=True)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # a cache never fails a build (disk, permissions, pickling)
        log.warning("could not save the %s cache in %s: %s", kind, target, exc)
        return
    write_signed(target / f"{kind}-{name}.pickle", f"{kind}-{name}", payload)
