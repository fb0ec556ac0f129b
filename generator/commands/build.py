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

from generator.analysis.stability import TRUSTED, Stability, stability
from generator.commands import cachekeys
from generator.config.settings import Config, load_config
from generator.errors import DataError
from generator.model import Analysis, ChartSpec, RenderedPage
from generator.release.engine_sidecar import write_sidecar
from generator.release.lockfile import lock_json, lock_path
from generator.release.prepare import Release, prepare
from generator.release.sidecar import assignments_path
from generator.report.pages import build_pages, make_charts
from generator.runtime import cache, timing
from generator.site.mkdocs import mkdocs_build, site_dirs, zip_site
from generator.site.write import clean_stale, differences, stage, staging_dir, swap_in, write_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Project:
    """Where things live: the config file and the MkDocs config (docs/ and site/ follow it)."""

    config_path: Path
    mkdocs_path: Path = Path("mkdocs.yml")
    relock: bool = False
    strict: bool = False


@dataclass(frozen=True)
class Generated:
    """Everything a build publishes, in memory: the release and the docs/ files."""

    config: Config
    release: Release
    pages: list[RenderedPage]


def generate_pages(project: Project) -> Generated:
    """Analyse the data, keep identities from the lock, and render every docs/ file in memory."""
    config = load_config(project.config_path)
    release, drawn = _release_and_charts(config, project.relock)
    _flag_small_segments(release.analysis, config)
    _check_stability(release, project.strict)
    return Generated(config, release, build_pages(release, config, drawn))


def _release_and_charts(config: Config, relock: bool) -> tuple[Release, list[ChartSpec]]:
    """From the cache when only templates changed; else release (and maybe analyse) and draw."""
    name = cachekeys.release_key(config, relock, (lock_path(config), assignments_path(config)))
    hit = cache.load("release", name) if name else None
    if isinstance(hit, _Drawn):
        log.debug("reusing the cached release and charts (only templates changed)")
        return hit.release, hit.charts
    analysis, measured = _analysis(config)
    release = prepare(analysis, config, relock=relock, measured=measured)
    with timing.stage("charts"):
        drawn = make_charts(release, config)
    if name:
        cache.save("release", name, _Drawn(release, drawn), analysis.table.n_customers)
    return release, drawn


def _analysis(config: Config) -> tuple[Analysis, Stability]:
    """The analysis and its stability; cached while the data and analysis settings stay."""
    name = cachekeys.analysis_key(config)
    hit = cache.load("analysis", name) if name else None
    if isinstance(hit, _Measured):
        log.debug("reusing the cached analysis (data and analysis settings unchanged)")
        return hit.analysis, hit.stability
    # Imported here so a cached build does not pay for loading pandera and scikit-learn.
    from generator.analysis.run import run_analysis

    analysis = run_analysis(config)
    with timing.stage("stability"):
        measured = stability(analysis, config)
    if name:
        cache.save("analysis", name, _Measured(analysis, measured), analysis.table.n_customers)
    return analysis, measured


@dataclass(frozen=True)
class _Measured:
    """The ``analysis`` cache entry."""

    analysis: Analysis
    stability: Stability


@dataclass(frozen=True)
class _Drawn:
    """The ``release`` cache entry."""

    release: Release
    charts: list[ChartSpec]


def _check_stability(release: Release, strict: bool) -> None:
    for weak in release.stability.below(TRUSTED):
        message = (
            f"segment {weak.number} ({weak.slug}) has stability {weak.jaccard:.2f} "
            f"({weak.reading}), under {TRUSTED}"
        )
        if strict:
            raise DataError(f"{message}; --strict refuses to publish it (try another k)")
        log.warning("%s", message)


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
    pages = generate_pages(project).pages
    docs, _ = site_dirs(project.mkdocs_path)
    clean_stale(docs.parent)
    swap_in(stage(pages, staging_dir(docs)), docs)
    return docs


def check(project: Project) -> list[str]:
    """The docs/ files that differ from what ``generate`` would write (empty when fresh)."""
    pages = generate_pages(project).pages
    docs, _ = site_dirs(project.mkdocs_path)
    return differences(pages, docs)


def build(project: Project, offline: bool = False) -> Path:
    """Generate docs/ and build site/ (or site.zip when ``offline``); swap in only on success.

    The lock file and the assignments sidecar are written last, once the site is in place.
    """
    generated = generate_pages(project)
    config, release, pages = generated.config, generated.release, generated.pages
    docs, site = site_dirs(project.mkdocs_path)
    clean_stale(docs.parent)
    staged_docs = stage(pages, staging_dir(docs))
    staged_site = staging_dir(site)
    try:
        with _environment("SEGMENTS_OFFLINE", "true" if offline else None), timing.stage("mkdocs"):
            mkdocs_build(project.mkdocs_path, staged_docs, staged_site)
        if offline:
            return zip_site(staged_site, site.parent / "site.zip")
        swap_in(staged_docs, docs)
        swap_in(staged_site, site)
        if release.analysis.table.whole is not None:
            write_sidecar(config, release.analysis)  # on the engine: labels stay there
        else:
            write_file(assignments_path(config), release.assignments)
        write_file(lock_path(config), lock_json(release.lock))
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
