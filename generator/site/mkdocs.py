"""Run the real MkDocs build (strict) and package the offline zip."""

from __future__ import annotations

import logging
import os
import time
import zipfile
from pathlib import Path

from generator.config.untrusted import read_yaml
from generator.errors import ConfigError, RenderError
from generator.runtime.epoch import source_date_epoch
from generator.runtime.files import fresh_file
from generator.site.write import umask

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def site_dirs(mkdocs_path: Path) -> tuple[Path, Path]:
    """docs_dir and site_dir of an MkDocs config, as absolute paths."""
    if not mkdocs_path.is_file():
        raise RenderError(f"{mkdocs_path}: MkDocs config not found")
    raw = read_yaml(mkdocs_path, tags=True) or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{mkdocs_path}: expected a mapping of MkDocs settings")
    base = mkdocs_path.absolute().parent  # not resolve(): a linked mkdocs.yml builds here
    folders = []
    for key in ("docs_dir", "site_dir"):
        value = raw.get(key, key[:4])
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            raise ConfigError(f"{mkdocs_path}: {key} should be a folder name, got {value!r}")
        folders.append(base / value)
    return folders[0], folders[1]


def mkdocs_build(mkdocs_path: Path, docs: Path, site: Path, site_name: str) -> None:
    """``mkdocs build --strict`` of ``docs`` into ``site``, headed by ``site_name``.

    The report's title comes from the segments config, so the header always matches it;
    ``site_name`` must be escaped for HTML already (MkDocs prints it as it is).

    Raises:
        RenderError: When MkDocs reports any warning or error.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.site.plugin import register

    register()
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = load_config(
            str(mkdocs_path),
            docs_dir=str(docs),
            site_dir=str(site),
            site_name=site_name,
            strict=True,
        )
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        raise RenderError(f"{mkdocs_path}: MkDocs build failed: {exc}") from exc


def zip_site(site: Path, target: Path) -> Path:
    """Zip ``site`` reproducibly (sorted entries, fixed timestamps) and swap the file in."""
    stamp = _zip_time()
    handle, partial = fresh_file(target)  # a random name: never written through a link
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for path in sorted(p for p in site.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(f"site/{path.relative_to(site).as_posix()}", stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
        partial.chmod(0o666 & ~umask())
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = source_date_epoch()
    if epoch is None:
        return ZIP_EPOCH
    moment = time.gmtime(max(epoch, 315532800))
    return (
        moment.tm_year,
        moment.tm_mon,
        moment.tm_mday,
        moment.tm_hour,
        moment.tm_min,
        moment.tm_sec,
    )
