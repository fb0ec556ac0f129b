"""``mkdocs.yml`` read as data before MkDocs reads it: nothing in it may run or reach outside.

MkDocs imports ``hooks:`` files, copies ``theme.custom_dir``, follows ``INHERIT`` and links
``extra_javascript``; its own loader builds Python objects from tags. So before MkDocs opens
the file, it is read by the one untrusted-YAML reader (which refuses Python tags), and every
path it names must lie inside the project (the folder of ``mkdocs.yml``), never in ``.git``;
scripts and styles must be files of the site, never another host's URL.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from generator.config.untrusted import read_yaml
from generator.errors import ConfigError

# A scheme (https:, data:, javascript:) or a protocol-relative //host.
URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
MAX_INHERIT = 5


def check_settings(mkdocs_path: Path, depth: int = 0) -> None:
    """Refuse Python tags, and paths or URLs that leave the project, in ``mkdocs_path``.

    Raises:
        ConfigError: One line naming the file, the setting and the value.
    """
    raw = read_yaml(mkdocs_path, tags=True) or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{mkdocs_path}: expected a mapping of MkDocs settings")
    root = mkdocs_path.absolute().parent.resolve()
    base = mkdocs_path.absolute().parent
    # docs_dir and site_dir are guarded by site.outputs, which says what each one may not be.
    hooks = raw.get("hooks") or []
    for hook in hooks if isinstance(hooks, list) else [hooks]:
        _inside(mkdocs_path, "hooks", hook, base, root)
    theme = raw.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir") is not None:
        _inside(mkdocs_path, "theme.custom_dir", theme["custom_dir"], base, root)
    for key in ("extra_css", "extra_javascript"):
        entries = raw.get(key) or []
        for entry in entries if isinstance(entries, list) else [entries]:
            _asset(mkdocs_path, key, entry.get("path") if isinstance(entry, dict) else entry)
    if raw.get("INHERIT") is not None:
        parent = _inside(mkdocs_path, "INHERIT", raw["INHERIT"], base, root)
        if depth >= MAX_INHERIT:
            raise ConfigError(f"{mkdocs_path}: INHERIT nests deeper than {MAX_INHERIT} files")
        check_settings(parent, depth + 1)


def _inside(mkdocs_path: Path, key: str, value: Any, base: Path, root: Path) -> Path:
    """The path ``value`` (relative to ``base``), refused unless inside ``root`` and not .git."""
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise ConfigError(f"{mkdocs_path}: {key} should be a path, got {value!r}")
    path = (base / value).resolve()
    if path == root or not path.is_relative_to(root) or path.is_relative_to(root / ".git"):
        where = "the git repository" if path.is_relative_to(root / ".git") else "the project"
        raise ConfigError(
            f"{mkdocs_path}: {key} {value!r} is outside {root}"
            if where == "the project"
            else f"{mkdocs_path}: {key} {value!r} is inside {root / '.git'}"
        )
    return path


def _asset(mkdocs_path: Path, key: str, value: Any) -> None:
    """A script or style of the site: a relative path inside docs_dir, never a URL."""
    if not isinstance(value, str):
        raise ConfigError(f"{mkdocs_path}: {key} entries should be paths, got {value!r}")
    pure = PurePosixPath(value)
    if URL.match(value) or pure.is_absolute() or ".." in pure.parts or "\\" in value:
        raise ConfigError(
            f"{mkdocs_path}: {key} {value!r} is not a file of the site; the site loads "
            "nothing from another host (put the file under docs_dir and name it relative to it)"
        )
