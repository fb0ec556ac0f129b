"""The History page's two findings: sustained movements of share, and net flows of customers.

A **movement** is a run of consecutive releases in which a segment's share never moved back
(each step the same way, or not at all), from the run's first release to its last. It is worth
a sentence only when the change is beyond the noise the bootstrap measures: more than
``NOISE_Z`` times the combined standard deviation of the share at both ends
(``analysis.stability``'s ``share_noise``), and visible once rounded to whole percents. A
release replayed from a lock file has no noise of its own; the segment's largest noise measured
in another release stands in for it, and a segment never measured gets no sentence.

A **net flow** is, over every step between consecutive releases whose customer flow is known,
the customers who moved from one segment to another minus those who moved back. A pair is left
out when a cell it needs is hidden, or when its net is smaller than ``min_group_size``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.release.history import HistoryEntry, HistoryFlow
from generator.report.privacy import Suppressor
from generator.report.text import percent

if TYPE_CHECKING:
    from generator.report.history import SegmentLine

# Two standard deviations of the difference: a movement chance gives about one time in twenty.
NOISE_Z = 2.0
MOST = 3


@dataclass(frozen=True)
class Movement:
    """A segment's share from release ``start`` to release ``end`` (indices), never moving back.

    ``noise`` is the threshold it exceeded (``NOISE_Z`` standard deviations of the difference);
    ``size_before`` and ``size_after`` are the customers at both ends, None where hidden.
    """

    number: int
    name: str
    before: float
    after: float
    start: int
    end: int
    noise: float
    size_before: int | None
    size_after: int | None

    @property
    def releases(self) -> int:
        """How many releases the movement spans, both ends included."""
        return self.end - self.start + 1

    @property
    def grew(self) -> bool:
        """Whether the share went up."""
        return self.after > self.before


@dataclass(frozen=True)
class NetFlow:
    """``customers`` more moved from ``source`` to ``target`` than back, over the known steps."""

    source: int
    source_name: str
    target: int
    target_name: str
    customers: int


def movements(
    entries: Sequence[HistoryEntry], lines: Sequence[SegmentLine]
) -> tuple[Movement, ...]:
    """The largest sustained movement of each segment beyond the noise, at most ``MOST``."""
    found = []
    for line in lines:
        noise = [_noise(e, line.number) for e in entries]
        fallback = max((n for n in noise if n is not None), default=None)
        best = None
        for start, end in _runs(line.shares):
            move = _movement(line, start, end, noise, fallback)
            if move is not None and (best is None or _size(move) > _size(best)):
                best = move
        if best is not None:
            found.append(best)
    found.sort(key=lambda m: (-_size(m), m.number))
    return tuple(found[:MOST])


def _size(move: Movement) -> float:
    return abs(move.after - move.before)


def _noise(entry: HistoryEntry, number: int) -> float | None:
    return next((s.share_noise for s in entry.segments if s.number == number), None)


def _movement(
    line: SegmentLine,
    start: int,
    end: int,
    noise: Sequence[float | None],
    fallback: float | None,
) -> Movement | None:
    before, after = line.shares[start], line.shares[end]
    low, high = noise[start] or fallback, noise[end] or fallback
    if before is None or after is None or low is None or high is None:
        return None
    threshold = NOISE_Z * math.hypot(low, high)
    if abs(after - before) <= threshold or percent(before) == percent(after):
        return None
    sizes = line.sizes[start], line.sizes[end]
    return Movement(line.number, line.name, before, after, start, end, threshold, *sizes)


def _runs(shares: Sequence[float | None]) -> list[tuple[int, int]]:
    """The maximal runs of consecutive known shares that never move back, as (start, end).

    A run ends where the share turns; the next run starts at that turning release.
    """
    runs, i = [], 0
    while i < len(shares):
        if shares[i] is None:
            i += 1
            continue
        start, end, direction = i, i, 0
        while end + 1 < len(shares) and (following := shares[end + 1]) is not None:
            step = _sign(following - shares[end])  # type: ignore[operator]
            if direction and step == -direction:
                break
            direction, end = direction or step, end + 1
        if end > start:
            runs.append((start, end))
        turned = end + 1 < len(shares) and shares[end + 1] is not None
        i = end if turned else end + 1
    return runs


def _follows(flow: HistoryFlow, earlier: HistoryEntry) -> bool:
    """Whether ``flow`` counts customers since ``earlier`` (its segments are the rows)."""
    numbers = {s.number for s in earlier.segments}
    return flow.since == earlier.fingerprint and all(c.before in numbers for c in flow.cells)


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def net_flows(
    entries: Sequence[HistoryEntry], names: Mapping[int, str], suppress: Suppressor
) -> tuple[tuple[NetFlow, ...], int, bool]:
    """The net flows (largest first), the number of known steps, and whether any was withheld.

    A step's flow is known when the release recorded one since the release just before it.
    """
    steps = [
        {(c.before, c.after): c.customers for c in later.flow.cells}
        for earlier, later in itertools.pairwise(entries)
        if later.flow is not None and _follows(later.flow, earlier)
    ]
    numbers = sorted({n for step in steps for pair in step for n in pair})
    flows, withheld = [], False
    for i, a in enumerate(numbers):
        for b in numbers[i + 1 :]:
            there = [step.get((a, b), 0) for step in steps]
            back = [step.get((b, a), 0) for step in steps]
            if None in there or None in back:
                withheld = withheld or any(c != 0 for c in (*there, *back))
                continue
            net = sum(c for c in there if c is not None) - sum(c for c in back if c is not None)
            if net and not suppress.allows(abs(net)):
                withheld = True
            elif net:
                source, target = (a, b) if net > 0 else (b, a)
                flows.append(NetFlow(source, names[source], target, names[target], abs(net)))
    flows.sort(key=lambda f: (-f.customers, f.source, f.target))
    return tuple(flows), len(steps), withheld
