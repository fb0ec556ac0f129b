"""The whole program in one place: config -> analysis -> pages -> docs/ -> MkDocs -> site/.

Everything is gathered first and written last: docs/ and site/ are built in staging folders and
swapped in only when every step has succeeded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.analysis.stability import TRUSTED, Stability, stability
from generator.commands import cachekeys
from generator.config.settings import Config, load_config
from generator.errors import ConfigError, DataError, RenderError
from generator.model import Analysis, ChartSpec, RenderedPage
from generator.release.history import history_path
from generator.release.lockfile import lock_json, lock_path
from generator.release.prepare import Release, prepare
from generator.release.sidecar import assignments_path
from generator.report.context import suppressor
from generator.report.history import history_text
from generator.report.pages import build_pages, make_charts
from generator.report.text import html_text
from generator.runtime import cache, timing
from generator.site.mkdocs import mkdocs_build, zip_site
from generator.site.outputs import (
    Outputs,
    carry_user_files,
    checked_outputs,
    marker_page,
    site_marker,
    user_files,
)
from generator.site.project import check_mkdocs, find_mkdocs
from generator.site.publish import Move, discard_staging, exclusive, pending, publish, recover
from generator.site.write import differences, stage, stage_file, staging_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Project:
    """Where things live: the config file and the MkDocs config (docs/ and site/ follow it).

    Without ``mkdocs_path`` the config's own project is built: the ``mkdocs.yml`` beside the
    config or one folder up, never the one in the working directory by accident.
    """

    config_path: Path
    mkdocs_path: Path | None = None
    relock: bool = False
    strict: bool = False

    @property
    def mkdocs(self) -> Path:
        """The MkDocs config whose docs_dir and site_dir receive the output."""
        return self.mkdocs_path or find_mkdocs(self.config_path)


@dataclass(frozen=True)
class Checked:
    """The project's config, read once for the whole command, and its checked MkDocs config."""

    config: Config
    mkdocs: Path


def check_project(project: Project) -> Checked:
    """Find config and MkDocs problems before any analysis runs."""
    config = load_config(project.config_path)
    mkdocs = project.mkdocs
    check_mkdocs(mkdocs)
    return Checked(config, mkdocs)


@dataclass(frozen=True)
class Generated:
    """Everything a build publishes, in memory: the release and the docs/ files."""

    release: Release
    pages: list[RenderedPage]


def generate_pages(project: Project, config: Config) -> Generated:
    """Analyse the data, keep identities from the lock, and render every docs/ file in memory.

    ``config`` is the project's config as ``check_project`` read it.
    """
    release, drawn = _release_and_charts(config, project.relock)
    _flag_small_segments(release.analysis, config)
    _flag_k_at_bound(release.analysis)
    _check_stability(release, project.strict)
    return Generated(release, build_pages(release, config, drawn))


def _release_and_charts(config: Config, relock: bool) -> tuple[Release, list[ChartSpec]]:
    """From the cache when only templates changed; else release (and maybe analyse) and draw."""
    inputs = (lock_path(config), assignments_path(config), history_path(config))
    name = cachekeys.release_key(config, relock, inputs)
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


def _flag_k_at_bound(analysis: Analysis) -> None:
    seg = analysis.segmentation
    if seg.k_at_bound is not None:
        log.warning(
            "k=%d is at %s, the edge of the searched range: a better k may lie beyond it "
            "(widen k_min/k_max or set k)",
            seg.k,
            seg.k_at_bound,
        )


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


@dataclass(frozen=True)
class Written:
    """What ``generate`` wrote (the docs/ folder) and the config it wrote it from."""

    docs: Path
    config: Config


def generate(project: Project) -> Written:
    """Write docs/ as one release."""
    checked = check_project(project)
    with _writing(project, checked) as outputs:
        pages = generate_pages(project, checked.config).pages
        staged = _stage_docs(pages, outputs)
        publish(outputs.root, [Move(staged, outputs.docs)])
    return Written(outputs.docs, checked.config)


def check(project: Project) -> list[str]:
    """The docs/ files that differ from what ``generate`` would write (empty when fresh)."""
    checked = check_project(project)
    outputs = checked_outputs(checked.mkdocs, checked.config)
    _refuse_pending(outputs, checked.config, "check again")
    pages = generate_pages(project, checked.config).pages
    expected = [*pages, marker_page(pages)]
    return differences(expected, outputs.docs, user_files(outputs.docs))


def build(project: Project, offline: bool = False) -> Path:
    """Generate docs/ and build site/ (or site.zip when ``offline``) as one release.

    docs/, site/, the lock file and the assignments sidecar are all staged first, then moved in
    together (``generator.site.publish``): a failure or a kill leaves all four as they were, or
    (once the release is decided) the next command completes it.
    """
    checked = check_project(project)
    config = checked.config
    with _writing(project, checked) as outputs:
        generated = generate_pages(project, config)
        release, pages = generated.release, generated.pages
        staged_docs = _stage_docs(pages, outputs)
        staged_site = staging_dir(outputs.site)
        with _environment("SEGMENTS_OFFLINE", "true" if offline else None), timing.stage("mkdocs"):
            mkdocs_build(
                checked.mkdocs, staged_docs, staged_site, site_name=html_text(config.title)
            )
        if offline:
            return zip_site(staged_site, outputs.site.parent / "site.zip")
        site_marker(staged_site)
        moves = [Move(staged_docs, outputs.docs), Move(staged_site, outputs.site)]
        files = [
            (lock_path(config), lock_json(release.lock)),
            (history_path(config), history_text(release.history, suppressor(config))),
        ]
        sidecar = assignments_path(config).resolve()
        if release.analysis.table.whole is None:
            files.insert(0, (sidecar, release.assignments))
        else:  # on the engine, which writes it: labels never come to this machine
            # Imported here: the engine's modules pull in scikit-learn, which a cached rebuild
            # of an in-memory table never needs (about 1 s of a 2.5 s rebuild).
            from generator.release.engine_sidecar import write_sidecar

            moves.append(
                Move(write_sidecar(config, release.analysis, staging_dir(sidecar)), sidecar)
            )
        for path, text in files:
            target = path.resolve()  # a linked lock file is replaced where it points
            moves.append(Move(stage_file(target, text), target))
        publish(outputs.root, moves)
    return outputs.site


def refuse_half_published(config: Config) -> None:
    """Refuse to read a project's lock or sidecar while a release is half published.

    ``analyze``, ``validate`` and ``assign`` would otherwise read the old lock beside the new
    docs/. A config outside a project (no ``mkdocs.yml``) has nothing published beside it.

    Raises:
        RenderError: Naming the journal and saying to run ``segments build`` first.
    """
    try:
        outputs = checked_outputs(find_mkdocs(config.path), config)
    except ConfigError:
        return
    _refuse_pending(outputs, config, "run this command again")


def _refuse_pending(outputs: Outputs, config: Config, then: str) -> None:
    journal = pending(outputs.root, release_targets(outputs, config))
    if journal is not None:
        raise RenderError(
            f"{journal}: a release was interrupted half way; run segments build (or generate) "
            f"to complete it, then {then}"
        )


def release_targets(outputs: Outputs, config: Config) -> list[Path]:
    """Every path a release of this project may replace (a journal may name no other)."""
    files = (lock_path(config), history_path(config), assignments_path(config))
    return [outputs.docs, outputs.site, *(path.resolve() for path in files)]


def _stage_docs(pages: list[RenderedPage], outputs: Outputs) -> Path:
    """docs/ in a staging folder: the pages, their marker and the user's own files."""
    staged = stage([*pages, marker_page(pages)], staging_dir(outputs.docs))
    carry_user_files(outputs.docs, staged, pages)
    return staged


@contextmanager
def _writing(project: Project, checked: Checked) -> Iterator[Outputs]:
    """Check the output folders, hold the build lock, finish or clear an interrupted release.

    Staging left by this command is removed on the way out unless the release took it; a disk
    or permission error becomes a one-line error that says nothing was changed.
    """
    outputs = checked_outputs(checked.mkdocs, checked.config)
    config_folder = project.config_path.resolve().parent
    folders = {outputs.docs.parent, outputs.site.parent, config_folder}
    with exclusive(outputs.root):
        recover(outputs.root, release_targets(outputs, checked.config))
        discard_staging(outputs.root, folders)
        try:
            yield outputs
        except OSError as exc:
            where = exc.filename2 or exc.filename or outputs.root  # a copy's target, if any
            raise RenderError(
                f"{where}: cannot write ({exc.strerror or exc}); nothing was published, the "
                "previous docs/, site/, lock and sidecar are unchanged"
            ) from exc
        finally:
            discard_staging(outputs.root, folders)


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
