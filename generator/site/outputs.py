"""Which folders a build may replace, and which files in them are the user's own.

``docs_dir`` and ``site_dir`` come from ``mkdocs.yml``, which anyone can edit, and a release
replaces them whole. So each must be a folder of its own inside the project (never the project
itself, the config's folder, anything holding the table or ``mkdocs.yml``, or anything outside),
and it must be either absent, empty, or written by segments before: a marker file,
``.segments-output.json``, proves that. The docs marker also lists the files segments wrote, so
any other file there (``CNAME``, ``overrides/``) is the user's and is carried into every release.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from generator.config.settings import Config
from generator.errors import ConfigError, RenderError
from generator.model import RenderedPage
from generator.site.mkdocs import site_dirs

MARKER = ".segments-output.json"
NOTE = (
    "Written by segments. Files listed under 'generated' are replaced on every build; any other "
    "file in this folder is yours and is kept. Delete this folder to start afresh."
)


# Files only segments writes: they prove a folder from before the marker was segments' own.
LEGACY = {
    "docs_dir": (".nav.yml", "assets/segments.js"),
    "site_dir": ("sitemap.xml", "assets/vendor/vega-bundle.js"),
}


@dataclass(frozen=True)
class Outputs:
    """The project folder and the two output folders, resolved (symbolic links followed)."""

    root: Path
    docs: Path
    site: Path


def checked_outputs(mkdocs_path: Path, config: Config) -> Outputs:
    """``docs_dir`` and ``site_dir`` of ``mkdocs_path``, refused unless safe to replace.

    Raises:
        ConfigError: When either folder is not one segments may replace (the message says why
            and what to do).
    """
    root = mkdocs_path.absolute().parent.resolve()
    docs, site = (path.resolve() for path in site_dirs(mkdocs_path))
    kept = {
        "the config's folder": config.path.parent,
        "the customer table": config.data_path,
        "mkdocs.yml": mkdocs_path.resolve(),
        "the git repository": root / ".git",
    }
    for key, folder, other in (("docs_dir", docs, site), ("site_dir", site, docs)):
        why = _unsafe(folder, root, kept, other)
        if why:
            raise ConfigError(
                f"{mkdocs_path}: {key} {folder} is {why}; a build replaces it whole, so point "
                f"{key} at a folder of its own inside {root} (e.g. {key[:4]})"
            )
        _check_marker(folder, key)
    return Outputs(root, docs, site)


def _unsafe(folder: Path, root: Path, kept: dict[str, Path], other: Path) -> str:
    """Why ``folder`` may not be replaced ("" when it may)."""
    if folder == root:
        return "the project folder itself"
    if not folder.is_relative_to(root):
        return f"outside the project folder {root}"
    for what, path in kept.items():
        if path.resolve().is_relative_to(folder):
            return f"a folder that holds {what}" if path.resolve() != folder else what
    if folder.is_relative_to(root / ".git"):
        return "inside the git repository (.git)"
    if other.is_relative_to(folder) or folder.is_relative_to(other):
        return "the other output folder, or inside it"
    return ""


def _check_marker(folder: Path, key: str) -> None:
    if not folder.exists() or (folder / MARKER).is_file():
        return
    if folder.is_dir() and all((folder / name).is_file() for name in LEGACY[key]):
        return  # written by segments before it wrote markers
    if not folder.is_dir():
        raise ConfigError(f"{folder}: {key} is a file, not a folder; move it or change {key}")
    if any(folder.iterdir()):
        raise ConfigError(
            f"{folder}: this folder was not written by segments (no {MARKER} in it) and a "
            f"build would replace it; move it away, or point {key} in mkdocs.yml at a new folder"
        )


def marker_page(pages: list[RenderedPage]) -> RenderedPage:
    """The docs marker, listing every generated file (sorted, so docs/ stays reproducible)."""
    generated = sorted({p.path for p in pages} | {MARKER})
    text = json.dumps({"format": 1, "generated": generated, "note": NOTE}, indent=2)
    return RenderedPage(MARKER, (text + "\n").encode("utf-8"))


def site_marker(folder: Path) -> None:
    """Mark a built site folder as written by segments."""
    text = json.dumps({"format": 1, "note": NOTE}, indent=2)
    (folder / MARKER).write_text(text + "\n", encoding="utf-8")


def user_files(folder: Path) -> list[str]:
    """Files in an existing docs folder that segments did not write, as relative paths."""
    if not (folder / MARKER).exists():
        return []  # none yet, or a folder from before markers (whose builds kept no user file)
    generated = _generated(folder)
    found = (p for p in folder.rglob("*") if p.is_file() or p.is_symlink())
    return sorted(
        relative
        for relative in (p.relative_to(folder).as_posix() for p in found)
        if relative not in generated
    )


def _generated(folder: Path) -> frozenset[str]:
    """The files the marker lists (only itself when unreadable: every other file is kept)."""
    try:
        raw = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        listed = raw["generated"] if isinstance(raw, dict) else []
        return frozenset(str(item) for item in listed) | {MARKER}
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset({MARKER})


def carry_user_files(old: Path, staged: Path, pages: list[RenderedPage]) -> None:
    """Copy the user's files from the old docs folder into the staged one.

    Raises:
        RenderError: When a user file sits where segments now writes a file.
    """
    written = {p.path for p in pages}
    for relative in user_files(old):
        if relative in written:
            raise RenderError(
                f"{old / relative}: segments now writes a file at this path, which would "
                "replace yours; rename or move your file"
            )
        target = staged / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(old / relative, target, follow_symlinks=False)
