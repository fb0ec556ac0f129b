"""Match a new analysis to the locked release so segments keep their number, slug and name.

New centroids are paired with locked ones by the Hungarian algorithm
(``scipy.optimize.linear_sum_assignment``) on Euclidean distance in the *locked* scaler's space,
so the yardstick does not move with the new data.

The "no close match" rule: a new centroid may take a locked segment's identity only when it lies
within ``MATCH_FRACTION`` (one half) of the distance from that locked centroid to its nearest
locked neighbour. Every point that close is nearer to the locked centroid than to any other, so
the locked model itself would put the new centroid in that segment. A new segment beyond that
radius of every free locked segment is *new* and gets a number above the highest ever used; a
locked segment left without a partner is *retired*.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from generator.errors import ConfigError
from generator.model import Analysis, SegmentProfile
from generator.release.lockfile import Lock, LockedSegment

MATCH_FRACTION = 0.5
_FAR = 1e9


@dataclass(frozen=True)
class SegmentMatch:
    """What became of one new segment (by its position in ``analysis.profiles``)."""

    index: int
    number: int
    locked: LockedSegment | None
    distance: float | None
    radius: float | None

    @property
    def is_new(self) -> bool:
        """True when no locked segment was close enough."""
        return self.locked is None


@dataclass(frozen=True)
class Match:
    """The pairing of a new analysis with a lock."""

    segments: tuple[SegmentMatch, ...]
    retired: tuple[LockedSegment, ...]
    highest_number: int

    @property
    def new(self) -> tuple[SegmentMatch, ...]:
        """The segments with no close locked match, in analysis order."""
        return tuple(s for s in self.segments if s.is_new)


def match(analysis: Analysis, lock: Lock) -> Match:
    """Pair the analysis's segments with the locked ones (see the module docstring).

    Raises:
        ConfigError: When the lock was made with other features (start afresh with --relock).
    """
    from scipy.spatial.distance import cdist

    features = analysis.table.features
    if tuple(features) != lock.features:
        raise ConfigError(
            f"the segments lock file was made with features {list(lock.features)}, but the "
            f"config now clusters {list(features)}; build with --relock to start afresh"
        )
    locked = lock.transform(lock.centroids())
    new = lock.transform(analysis.segmentation.centroids)
    distance = cdist(new, locked)
    radius = match_radius(locked)
    cost = np.where(distance <= radius, distance, _FAR + distance)
    partner = {r: c for r, c in assign(cost) if cost[r, c] < _FAR}
    next_number = lock.highest_number
    segments = []
    for i in range(len(new)):
        j = partner.get(i)
        if j is None:
            next_number += 1
            segments.append(SegmentMatch(i, next_number, None, None, None))
        else:
            hit = lock.segments[j]
            segments.append(
                SegmentMatch(i, hit.number, hit, float(distance[i, j]), float(radius[j]))
            )
    retired = tuple(s for j, s in enumerate(lock.segments) if j not in partner.values())
    return Match(tuple(segments), retired, next_number)


def assign(cost: np.ndarray) -> list[tuple[int, int]]:
    """The pairing of rows with columns of least total cost (every row paired, or every column).

    When each row's cheapest column is a different one (the usual refresh, where every segment
    stays near its old place), pairing each row with it is optimal, since no pairing can cost
    less than the sum of the row minima; the solver (and its 0.3 s import) is then not needed.
    """
    cheapest = cost.argmin(axis=1) if cost.size else np.zeros(0, dtype=np.intp)
    if len(set(cheapest.tolist())) == len(cheapest):
        return [(r, int(c)) for r, c in enumerate(cheapest)]
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]


def match_radius(locked: np.ndarray) -> np.ndarray:
    """Per locked centroid, ``MATCH_FRACTION`` of the distance to its nearest locked neighbour."""
    from scipy.spatial.distance import cdist

    if len(locked) < 2:
        return np.full(len(locked), np.inf)
    gaps = cdist(locked, locked)
    np.fill_diagonal(gaps, np.inf)
    return np.asarray(MATCH_FRACTION * gaps.min(axis=1))


def apply_match(analysis: Analysis, result: Match) -> Analysis:
    """A new analysis whose segments carry the matched numbers, slugs and names.

    Matched segments take the locked number, slug and name (the one before any persona
    override, which ``refresh`` applies again); new ones keep their computed slug
    and name unless another segment (kept or retired) uses it, in which case the new number is
    appended. Segments are sorted by number and the labels remapped to the new order.
    """
    profiles = _renamed(analysis.profiles, result)
    order = sorted(range(len(profiles)), key=lambda i: profiles[i].number)
    position = np.empty(len(order), dtype=np.int32)
    position[order] = np.arange(len(order), dtype=np.int32)
    seg = analysis.segmentation
    segmentation = replace(
        seg,
        labels=position[seg.labels],
        centroids=seg.centroids[order],
        scaled_centroids=seg.scaled_centroids[order],
        levels=tuple(seg.levels[i] for i in order),
    )
    return replace(analysis, segmentation=segmentation, profiles=tuple(profiles[i] for i in order))


def _renamed(profiles: tuple[SegmentProfile, ...], result: Match) -> list[SegmentProfile]:
    kept = [s.locked for s in result.segments if s.locked is not None]
    slugs = {s.slug for s in (*kept, *result.retired)}
    names = {s.own_name for s in kept}
    out = []
    for profile, seg in zip(profiles, result.segments, strict=True):
        if seg.locked is not None:
            locked = seg.locked
            out.append(replace(profile, number=seg.number, slug=locked.slug, name=locked.own_name))
            continue
        slug = _free(profile.slug, slugs, "-{}", seg.number)
        name = _free(profile.name, names, " ({})", seg.number)
        slugs.add(slug)
        names.add(name)
        out.append(replace(profile, number=seg.number, slug=slug, name=name))
    return out


def _free(value: str, taken: set[str], pattern: str, number: int) -> str:
    """``value``, or it with the segment number (then a counter) appended, whichever is free."""
    candidate, extra = value, 1
    while candidate in taken:
        candidate = value + pattern.format(number if extra == 1 else f"{number}-{extra}")
        extra += 1
    return candidate
