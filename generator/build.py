"""The whole program in one place: config -> analysis -> pages -> docs/ -> MkDocs -> site/.

Everything is gathered first and written last: docs/ and site/ are built in staging folders and
swapped in only when every step has succeeded.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.config import Config, load_config
from generator.model import Analysis, RenderedPage
from generator.pipeline import run_analysis
from generator.site import build_pages
from generator.sitebuild import mkdocs_build, site_dirs, zip_site
from generator.write import clean_stale, differences, stage, staging_dir, swap_in

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Project:
    """Where things live: the config file and the MkDocs config (docs/ and site/ follow it)."""

    config_path: Path
    mkdocs_path: Path = Path("mkdocs.yml")


def generate_pages(project: Project) -> tuple[Config, list[RenderedPage]]:
    """Analyse the data and render every docs/ file in memory."""
    config = load_config(project.config_path)
    analysis = run_analysis(config)
    _flag_small_segments(analysis, config)
    return config, build_pages(analysis, config)


def _flag_small_segments(analysis: Analysis, config: Config) -> None:
    minimum = config.privacy.min_group_size
    for p in analysis.profiles:
        if p.size < minimum:
            log.warning(
                "segment %d (%s) has %d customers, fewer than privacy.min_group_size=%d",
                p.number,
                p.name,
                p.size,
                minimum,
            )


def generate(project: Project) -> Path:
    """Write docs/ (atomically) and return its path."""
    _, pages = generate_pages(project)
    docs, _ = site_dirs(project.mkdocs_path)
    clean_stale(docs.parent)
    swap_in(stage(pages, staging_dir(docs)), docs)
    return docs


def check(project: Project) -> list[str]:
    """The docs/ files that differ from what ``generate`` would write (empty when fresh)."""
    _, pages = generate_pages(project)
    docs, _ = site_dirs(project.mkdocs_path)
    return differences(pages, docs)


def build(project: Project, offline: bool = False) -> Path:
    """Generate docs/ and build site/ (or site.zip when ``offline``); swap in only on success."""
    _, pages = generate_pages(project)
    docs, site = site_dirs(project.mkdocs_path)
    clean_stale(docs.parent)
    staged_docs = stage(pages, staging_dir(docs))
    staged_site = staging_dir(site)
    try:
        with _environment("SEGMENTS_OFFLINE", "true" if offline else None):
            mkdocs_build(project.mkdocs_path, staged_docs, staged_site)
        if offline:
            return zip_site(staged_site, site.parent / "site.zip")
        swap_in(staged_docs, docs)
        swap_in(staged_site, site)
        return site
    finally:
        for leftover in (staged_docs, staged_site):
            shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    previous = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
