"""What changed since the last release: the numbers behind the "What changed" page.

Input is the lock of the last release, the analysis about to be published (already matched, so
a kept segment has the same number in both) and, when the sidecar is available, the previous
per-customer assignments. Pure: no files, no clock. Small cells of the flow matrix are *not*
suppressed here; the page applies the privacy settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from generator.model import Analysis, FrozenMap, SegmentProfile, by_name
from generator.release.lockfile import Lock, LockedSegment
from generator.release.sidecar import Assignments, segment_numbers


class Status(StrEnum):
    """What happened to a segment between two releases."""

    KEPT = "kept"
    NEW = "new"
    RETIRED = "retired"


KEPT, NEW, RETIRED = Status.KEPT, Status.NEW, Status.RETIRED


@dataclass(frozen=True)
class SegmentChange:
    """One segment across two releases (sizes are 0 on the side where it does not exist).

    Attributes:
        moved: Per feature, new centroid minus old centroid in original units (kept only).
        distance: How far the centroid moved, in standard units of the last release's scaler.
    """

    number: int
    slug: str
    name: str
    status: Status
    size_before: int
    size_after: int
    share_before: float
    share_after: float
    centroid_before: FrozenMap[str, float] | None
    centroid_after: FrozenMap[str, float] | None
    moved: FrozenMap[str, float] | None
    distance: float | None

    @property
    def size_delta(self) -> int:
        """Customers gained (negative: lost)."""
        return self.size_after - self.size_before

    @property
    def share_delta(self) -> float:
        """Change of the share of all customers (in fractions, not points)."""
        return self.share_after - self.share_before


@dataclass(frozen=True)
class Flow:
    """Customers present in both releases, counted by old segment (rows) and new (columns).

    ``left[i]`` counts old segment ``rows[i]``'s customers missing from the new table;
    ``joined[j]`` counts new segment ``columns[j]``'s customers missing from the old one.
    """

    rows: tuple[int, ...]
    columns: tuple[int, ...]
    counts: tuple[tuple[int, ...], ...]
    left: tuple[int, ...]
    joined: tuple[int, ...]


@dataclass(frozen=True)
class Changes:
    """The change report; ``ari`` and ``flow`` are None without the previous assignments."""

    segments: tuple[SegmentChange, ...]
    n_before: int
    n_after: int
    data_changed: bool
    common: int | None
    ari: float | None
    flow: Flow | None

    @property
    def new(self) -> tuple[SegmentChange, ...]:
        """Segments that did not exist in the last release."""
        return tuple(s for s in self.segments if s.status == NEW)

    @property
    def retired(self) -> tuple[SegmentChange, ...]:
        """Segments of the last release that no longer exist."""
        return tuple(s for s in self.segments if s.status == RETIRED)


def changes(lock: Lock, analysis: Analysis, previous: Assignments | None = None) -> Changes:
    """Compare the analysis about to be published with the locked release.

    Args:
        lock: The last release.
        analysis: The new analysis after ``refresh`` (matched numbers).
        previous: The last release's per-customer assignments, when the sidecar exists.
    """
    n_after = analysis.table.n_customers
    locked = {s.number: s for s in lock.segments}
    current = {p.number: (i, p) for i, p in enumerate(analysis.profiles)}
    segments = tuple(
        _change(lock, analysis, locked.get(number), current.get(number))
        for number in sorted(locked.keys() | current.keys())
    )
    common, ari, flow = None, None, None
    if previous is not None:
        common, ari, flow = _compare(lock, analysis, previous)
    return Changes(
        segments=segments,
        n_before=lock.n_customers,
        n_after=n_after,
        data_changed=lock.data_sha256 != analysis.table.source.sha256,
        common=common,
        ari=ari,
        flow=flow,
    )


def _change(
    lock: Lock,
    analysis: Analysis,
    old: LockedSegment | None,
    new: tuple[int, SegmentProfile] | None,
) -> SegmentChange:
    features = lock.features
    after = analysis.segmentation.centroids[new[0]] if new is not None else None
    moved, distance = None, None
    if old is not None and after is not None:
        moved = by_name(features, after - np.asarray(old.centroid))
        pair = lock.transform(np.vstack([old.centroid, after]))
        distance = float(np.linalg.norm(pair[1] - pair[0]))
    shown = new[1] if new is not None else old
    assert shown is not None
    size_before = old.size if old is not None else 0
    size_after = new[1].size if new is not None else 0
    return SegmentChange(
        number=shown.number,
        slug=shown.slug,
        name=shown.name,
        status=KEPT if old and new else NEW if new else RETIRED,
        size_before=size_before,
        size_after=size_after,
        share_before=size_before / lock.n_customers,
        share_after=size_after / analysis.table.n_customers,
        centroid_before=by_name(features, np.asarray(old.centroid)) if old else None,
        centroid_after=by_name(features, after) if after is not None else None,
        moved=moved,
        distance=distance,
    )


def _compare(
    lock: Lock, analysis: Analysis, previous: Assignments
) -> tuple[int, float | None, Flow]:
    """Match customers by ID; the ARI and the flow between old and new segment numbers."""
    from sklearn.metrics import adjusted_rand_score

    table = analysis.table
    ids = table.frame[table.id_column].astype(str).to_numpy()
    position = pd.Index(previous.ids).get_indexer(ids)
    both = position >= 0
    old = previous.numbers[position[both]]
    new = segment_numbers(analysis)
    rows = tuple(sorted(s.number for s in lock.segments))
    columns = tuple(sorted(p.number for p in analysis.profiles))
    r = np.searchsorted(rows, old)
    c = np.searchsorted(columns, new)
    counts = np.bincount(r * len(columns) + c[both], minlength=len(rows) * len(columns))
    stayed = np.zeros(len(previous.ids), dtype=bool)
    stayed[position[both]] = True
    left = np.bincount(np.searchsorted(rows, previous.numbers[~stayed]), minlength=len(rows))
    flow = Flow(
        rows=rows,
        columns=columns,
        counts=tuple(tuple(map(int, line)) for line in counts.reshape(len(rows), len(columns))),
        left=tuple(map(int, left)),
        joined=tuple(map(int, np.bincount(c[~both], minlength=len(columns)))),
    )
    ari = float(adjusted_rand_score(old, new[both])) if both.any() else None
    return int(both.sum()), ari, flow
