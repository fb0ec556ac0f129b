"""The release history ``data/segments.history.json``: every release's segments, one entry each.

The lock remembers one release back; the history remembers them all, as aggregates only: per
release its date, the data's fingerprint, the number of customers and, per segment number, its
slug, name, size, share, K-Means centre (original units), value share, outcome rates and the
bootstrap noise of its share, plus the customer flow from the release before when the sidecar
allowed a comparison. Segment numbers come from the lock, so they mean the same segment in
every entry.

Each build appends its release; a release of the same data as the last entry (the same data
analysed again, or simply rebuilt) replaces that entry instead, so an unchanged rebuild leaves
the file as it was. Without a lock (or with ``--relock``) numbers start afresh, and so does the
history. Entries are stored as published: the report stage hides what privacy hides
(``generator.report.history``) before the file is written. ``historyread`` reads it back.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.analysis.stability import Stability
from generator.config.settings import Config
from generator.model import Analysis, FrozenMap, OutcomeRate, SegmentProfile, by_name
from generator.release.changes import Changes
from generator.release.lockfile import Lock

log = logging.getLogger(__name__)
FORMAT = 1
HISTORY_NAME = "segments.history.json"
DIGITS = 6


@dataclass(frozen=True)
class HistorySegment:
    """One segment in one release; a figure is None when privacy hides it or it is unknown.

    Attributes:
        share_noise: The bootstrap standard deviation of the share (``analysis.stability``),
            None for a release replayed from a lock file, which does not keep it.
        value_share: The segment's share of an additive value column's total, or None.
        outcomes: Outcome column to the segment's rate (None for a rate privacy hides), or
            None when none is configured.
        outcome_counts: Per outcome column, the segment's customers with the outcome and with
            a value: what privacy judges the rates by before the file is written (never
            written; None for an entry read back, whose rates were judged already).
    """

    number: int
    slug: str
    name: str
    size: int | None
    share: float | None
    share_noise: float | None
    centroid: FrozenMap[str, float] | None
    value_share: float | None
    outcomes: FrozenMap[str, float | None] | None
    outcome_counts: FrozenMap[str, tuple[int, int]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FlowCell:
    """Customers in segment ``before`` in the release before and ``after`` in this one."""

    before: int
    after: int
    customers: int | None


@dataclass(frozen=True)
class HistoryFlow:
    """How customers moved since the release whose fingerprint is ``since``."""

    since: str
    cells: tuple[FlowCell, ...]


@dataclass(frozen=True)
class HistoryEntry:
    """One release: ``date`` (ISO) is None when neither the build nor the data gave one."""

    fingerprint: str
    date: str | None
    n_customers: int
    segments: tuple[HistorySegment, ...]
    flow: HistoryFlow | None


@dataclass(frozen=True)
class History:
    """The releases, oldest first."""

    entries: tuple[HistoryEntry, ...]


def history_path(config: Config) -> Path:
    """Where the history of ``config``'s project lives: beside the config, like the lock."""
    return config.path.parent / HISTORY_NAME


def value_share(analysis: Analysis, profile: SegmentProfile, column: str) -> float | None:
    """The segment's share of ``column``'s total over all customers (None when it is 0).

    When privacy hides a segment, the total is the published segments' (``Population``).
    """
    pop = analysis.population
    total = pop.mean[column] * (pop.described or analysis.table.n_customers)
    return profile.mean[column] * profile.size / total if total else None


def release_entry(
    analysis: Analysis,
    config: Config,
    evidence: Stability,
    changes: Changes | None,
    base: Lock | None,
    date: str | None,
) -> HistoryEntry:
    """The entry of the release about to be published (nothing hidden yet).

    Args:
        analysis: The analysis as published (numbers kept from the lock).
        config: Its config (the value column).
        evidence: Its stability, renumbered to the published segments.
        changes: The comparison with ``base``, when there is one.
        base: The release before (the locked one, or the one before it on a rebuild).
        date: The lock's release date (``SOURCE_DATE_EPOCH``); the data's as-of day otherwise.
    """
    noise = {s.number: s.share_noise for s in evidence.segments}
    value = config.value.feature if config.value.additive else None
    n = analysis.table.n_customers
    segments = tuple(
        _segment(
            (p.number, p.slug, p.name, p.size, n),
            by_name(analysis.table.features, analysis.segmentation.centroids[i]),
            share_noise=noise[p.number],
            value_share=value_share(analysis, p, value) if value else None,
            outcomes=p.outcomes if config.outcomes else None,
        )
        for i, p in enumerate(analysis.profiles)
    )
    as_of = analysis.table.source.as_of
    flow = changes.flow if changes is not None else None
    return HistoryEntry(
        fingerprint=analysis.table.source.sha256,
        date=date or (as_of.isoformat() if as_of is not None else None),
        n_customers=analysis.table.n_customers,
        segments=segments,
        flow=_flow(base.data_sha256, flow.rows, flow.columns, flow.counts)
        if flow is not None and base is not None
        else None,
    )


def lock_entry(lock: Lock) -> HistoryEntry:
    """The entry of a locked release (a lock keeps no share noise, value or outcomes)."""
    n = lock.n_customers
    segments = tuple(
        _segment((s.number, s.slug, s.name, s.size, n), by_name(lock.features, s.centroid))
        for s in lock.segments
    )
    moves = (lock.comparison or {}).get("flow")
    since = lock.previous.data_sha256 if lock.previous is not None else None
    return HistoryEntry(
        fingerprint=lock.data_sha256,
        date=lock.date,
        n_customers=lock.n_customers,
        segments=segments,
        flow=_flow(since, moves["rows"], moves["columns"], moves["counts"])
        if moves and since is not None
        else None,
    )


def _segment(
    identity: tuple[int, str, str, int, int],
    centroid: FrozenMap[str, float],
    share_noise: float | None = None,
    value_share: float | None = None,
    outcomes: FrozenMap[str, OutcomeRate] | None = None,
) -> HistorySegment:
    """A segment from its (number, slug, name, size, customers of the release), rounded."""
    number, slug, name, size, n = identity
    return HistorySegment(
        number=number,
        slug=slug,
        name=name,
        size=size,
        share=rounded(size / n),
        share_noise=rounded(share_noise),
        centroid=_rounded_map(centroid),
        value_share=rounded(value_share),
        outcomes=None
        if outcomes is None
        else FrozenMap((c, rounded(r.rate) if r.count else None) for c, r in outcomes.items()),
        outcome_counts=None
        if outcomes is None
        else FrozenMap((c, (r.positives, r.count)) for c, r in outcomes.items()),
    )


def _flow(since: str, rows: Any, columns: Any, counts: Any) -> HistoryFlow:
    cells = tuple(
        FlowCell(int(before), int(after), int(count))
        for before, line in zip(rows, counts, strict=True)
        for after, count in zip(columns, line, strict=True)
    )
    return HistoryFlow(since, cells)


def continued(history: History, entry: HistoryEntry) -> History:
    """``history`` with ``entry`` appended, or replacing the last entry if of the same data."""
    kept = history.entries
    if kept and kept[-1].fingerprint == entry.fingerprint:
        kept = kept[:-1]
    return History((*kept, entry))


def next_history(
    stored: History | None, locked: Lock | None, relock: bool, entry: HistoryEntry, where: Path
) -> History:
    """The history to write with this release.

    Args:
        stored: The history file as read; None when there is none, or when it is not read
            because this release starts a new history (no lock, or ``relock``).
        locked: The lock this release was matched to (None on a first build).
        relock: Whether the build numbers afresh (``--relock``).
        entry: This release's entry.
        where: The history file (named in the note that a new history starts).
    """
    if relock or locked is None:
        if relock or where.exists():
            why = "--relock numbers the segments afresh" if relock else "there is no lock file"
            log.warning("%s: a new release history starts with this release, since %s", where, why)
        return History((entry,))
    if stored is None:
        # A project older than the history: its lock still describes the release before.
        stored = History((lock_entry(locked),))
    return continued(stored, entry)


def history_dict(history: History) -> dict[str, Any]:
    """The history as plain JSON data (rounded numbers)."""
    return {"format": FORMAT, "releases": [_entry_dict(e) for e in history.entries]}


def history_json(history: History) -> str:
    """The file's text: sorted keys, two-space indent, rounded numbers, a final newline."""
    return json.dumps(history_dict(history), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _entry_dict(entry: HistoryEntry) -> dict[str, Any]:
    flow = entry.flow
    return {
        "fingerprint": entry.fingerprint,
        "date": entry.date,
        "n_customers": entry.n_customers,
        "segments": [_segment_dict(s) for s in entry.segments],
        "flow": {
            "since": flow.since,
            "cells": [
                {"from": c.before, "to": c.after, "customers": c.customers} for c in flow.cells
            ],
        }
        if flow is not None
        else None,
    }


def _segment_dict(segment: HistorySegment) -> dict[str, Any]:
    return {
        "number": segment.number,
        "slug": segment.slug,
        "name": segment.name,
        "size": segment.size,
        "share": rounded(segment.share),
        "share_noise": rounded(segment.share_noise),
        "centroid": _plain(_rounded_map(segment.centroid)),
        "value_share": rounded(segment.value_share),
        "outcomes": _plain(_rounded_map(segment.outcomes)),
    }


def _rounded_map(values: FrozenMap[str, Any] | None) -> FrozenMap[str, Any] | None:
    if values is None:
        return None
    return FrozenMap((k, rounded(v)) for k, v in values.items())


def _plain(values: FrozenMap[str, Any] | None) -> dict[str, Any] | None:
    return dict(values) if values is not None else None


def rounded(value: float | None) -> float | None:
    """``DIGITS`` significant digits, so floating noise never shows up as a diff."""
    return float(f"{value:.{DIGITS}g}") if value is not None else None
