"""One release of the report: identities kept from the lock, the change report, the next lock.

A build of new data (or a new config) is a new release: it is compared with the locked one, and
the lock it writes remembers that comparison. Rebuilding the same data and config is the same
release: it reuses the remembered comparison, so ``generate --check`` and repeated builds give
byte-identical pages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from generator.analysis.stability import Stability, stability
from generator.config.settings import Config
from generator.model import Analysis
from generator.release.changes import Changes, Flow, changes
from generator.release.history import History, history_path, next_history, release_entry
from generator.release.historyread import read_history
from generator.release.lockfile import Lock, config_hash, lock_from, lock_path
from generator.release.lockread import read_lock
from generator.release.overrides import refresh
from generator.release.sidecar import (
    assignments_csv,
    assignments_path,
    read_assignments,
    text_sha256,
)


@dataclass(frozen=True)
class Release:
    """Everything a build publishes about the segments, and the files it leaves for next time.

    Attributes:
        analysis: Segments as published (kept numbers, slugs, names; overrides applied).
        changes: The comparison with the previous release, or None on a first build.
        stability: Bootstrap and seed evidence per segment.
        lock: The lock to write after a successful build.
        assignments: The sidecar text (customer ID to segment number) to write with it.
        warnings: Sentences for the analyst (also logged).
        history: Every release so far, this one last (the history file to write with the lock).
    """

    analysis: Analysis
    changes: Changes | None
    stability: Stability
    lock: Lock
    assignments: str
    warnings: tuple[str, ...]
    history: History


def prepare(
    analysis: Analysis, config: Config, relock: bool = False, measured: Stability | None = None
) -> Release:
    """Match to the lock, compare with the previous release and make the next lock.

    Args:
        analysis: The fresh analysis (``pipeline.run_analysis``).
        config: The config it was made with.
        relock: Start afresh instead of matching to the lock.
        measured: The stability of ``analysis`` when already known (the build caches it);
            measured here otherwise.
    """
    locked = None if relock else read_lock(lock_path(config))
    refreshed = refresh(analysis, config, locked)
    published = refreshed.analysis
    if measured is None:
        measured = stability(analysis, config)
    numbers = (
        [s.number for s in refreshed.match.segments]
        if refreshed.match is not None
        else [p.number for p in analysis.profiles]
    )
    # With an engine the sidecar is Parquet written by the engine at the end of the build.
    on_engine = published.table.whole is not None
    sidecar = "" if on_engine else assignments_csv(published)
    if on_engine:  # the engine's modules (and scikit-learn) only when an engine ran
        from generator.release.engine_sidecar import sidecar_fingerprint

        sidecar_hash = sidecar_fingerprint(config, published)
    else:
        sidecar_hash = text_sha256(sidecar)
    same = locked is not None and _same_release(locked, published, config)
    if locked is not None and same:
        base, comparison = locked.previous, locked.comparison
    elif locked is not None:
        base, comparison = locked, _compare(locked, published, config)
    else:
        base, comparison = None, None
    report = _report(base, published, comparison)
    own_names = {p.number: p.name for p in refreshed.matched.profiles}
    lock = lock_from(published, config, locked, sidecar_hash, own_names)
    lock = replace(
        lock,
        previous=_bare(base),
        comparison=comparison,
        # Rebuilding a release keeps its date, so the lock file does not change with the day.
        date=locked.date if same and locked is not None else lock.date,
    )
    evidence = measured.renumbered(numbers, published)
    entry = release_entry(published, config, evidence, report, base, lock.date)
    where = history_path(config)
    stored = read_history(where) if locked is not None else None
    history = next_history(stored, locked, relock, entry, where)
    return Release(published, report, evidence, lock, sidecar, refreshed.warnings, history)


def _same_release(lock: Lock, analysis: Analysis, config: Config) -> bool:
    return lock.data_sha256 == analysis.table.source.sha256 and lock.config_hash == config_hash(
        config
    )


def _compare(lock: Lock, analysis: Analysis, config: Config) -> dict[str, Any] | None:
    """Customer-level agreement with the locked release, kept as aggregates."""
    if analysis.table.whole is not None:
        from generator.release.engine_sidecar import compare_on_engine

        return compare_on_engine(lock, analysis, config)
    # Row numbers are no customer identity: no customer-by-customer comparison.
    previous = None if config.number_rows else read_assignments(assignments_path(config), lock)
    if previous is None:
        return None
    report = changes(lock, analysis, previous)
    return {
        "common": report.common,
        "ari": report.ari,
        "flow": asdict(report.flow) if report.flow is not None else None,
    }


def _report(
    base: Lock | None, analysis: Analysis, comparison: dict[str, Any] | None
) -> Changes | None:
    if base is None:
        return None
    report = changes(base, analysis, None)
    if comparison is None:
        return report
    flow = comparison.get("flow")
    return replace(
        report,
        common=comparison.get("common"),
        ari=comparison.get("ari"),
        flow=Flow(**{key: _tuples(value) for key, value in flow.items()}) if flow else None,
    )


def _tuples(value: Any) -> Any:
    """JSON lists back to the tuples the frozen result types hold."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list | tuple) else value


def _bare(lock: Lock | None) -> Lock | None:
    """A lock without its own history, so the file keeps one release back, not all of them."""
    return replace(lock, previous=None, comparison=None) if lock is not None else None
