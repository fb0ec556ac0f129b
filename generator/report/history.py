"""What the release history may say: its figures under the privacy rules, and the History view.

The history file and the History page hold the same figures, with the page's privacy rules
applied to every release (``published``): a size or share below ``min_group_size`` is hidden,
with complementary suppression within the release, a segment's centre, value share, outcome
rates and share noise go with its size, and flow cells are hidden as on the "What changed"
page. A figure stored as hidden stays hidden, so applying the rules again changes nothing.

``history_view`` turns the published history into the rows of the page and the
``segments history`` table: each segment's share per release, whether it is new or retired, the
sustained movements worth a sentence and the net flow between segments (``report.movements``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from generator.model import FrozenMap
from generator.release.history import (
    FlowCell,
    History,
    HistoryEntry,
    HistorySegment,
    history_json,
)
from generator.report.movements import Movement, NetFlow, movements, net_flows
from generator.report.privacy import Suppressor

# A hidden figure counts as a hidden group to the suppressor (which never shows a negative).
HIDDEN = -1


@dataclass(frozen=True)
class ReleasePoint:
    """One release on the page: ``label`` is its date, or "Release N" when dates cannot tell."""

    label: str
    date: str | None
    n_customers: int
    fingerprint: str


@dataclass(frozen=True)
class SegmentLine:
    """One segment number across the releases (None where it is absent or hidden).

    Attributes:
        name: The name it had in the last release it was in.
        new: It was not in the first release.
        retired: It is not in the last release.
    """

    number: int
    slug: str
    name: str
    shares: tuple[float | None, ...]
    sizes: tuple[int | None, ...]
    present: tuple[bool, ...]
    new: bool
    retired: bool

    @property
    def first(self) -> int:
        """The index of the first release it is in."""
        return self.present.index(True)

    @property
    def last(self) -> int:
        """The index of the last release it is in."""
        return len(self.present) - 1 - self.present[::-1].index(True)


@dataclass(frozen=True)
class HistoryView:
    """The History page's and the CLI's figures.

    Attributes:
        movements: At most three sustained movements beyond the bootstrap noise, largest first.
        net_flows: Net customers between two segments over the steps whose flows are known.
        flow_steps: How many of the steps between consecutive releases have a known flow.
        flows_withheld: Whether a pair was left out because a cell or its net was too small.
    """

    releases: tuple[ReleasePoint, ...]
    segments: tuple[SegmentLine, ...]
    movements: tuple[Movement, ...]
    net_flows: tuple[NetFlow, ...]
    flow_steps: int
    flows_withheld: bool

    @property
    def steps(self) -> int:
        """The steps between consecutive releases."""
        return len(self.releases) - 1


def history_text(history: History, suppress: Suppressor) -> str:
    """The history file's text, as published (privacy applied)."""
    return history_json(published(history, suppress))


def published(history: History, suppress: Suppressor) -> History:
    """The history with what privacy hides set to None, in every release."""
    return History(tuple(_entry(e, suppress) for e in history.entries))


def _entry(entry: HistoryEntry, suppress: Suppressor) -> HistoryEntry:
    shown = _visible(suppress, [s.size for s in entry.segments])
    segments = tuple(s if ok else _hidden(s) for s, ok in zip(entry.segments, shown, strict=True))
    segments = _outcomes(segments, suppress)
    flow = entry.flow
    if flow is not None:
        flow = replace(flow, cells=_flow_cells(flow.cells, suppress))
    return replace(entry, segments=segments, flow=flow)


def _outcomes(
    segments: tuple[HistorySegment, ...], suppress: Suppressor
) -> tuple[HistorySegment, ...]:
    """Each outcome rate hidden as the persona pages hide it (``report.outcomes``).

    A rate describes the segment's customers with and without the outcome; their cells are
    judged over the segments still shown, with complementary suppression. An entry read back
    has no counts: its rates were judged when it was written.
    """
    counted = [s for s in segments if s.outcome_counts is not None and s.size is not None]
    if not counted:
        return segments
    counts = [s.outcome_counts for s in counted if s.outcome_counts is not None]
    hidden: dict[int, set[str]] = {s.number: set() for s in counted}
    for column in counts[0]:
        cells = [c[column] for c in counts]
        grid = suppress.visible_grid([[p, n - p] for p, n in cells])
        for s, ok in zip(counted, grid, strict=True):
            if not all(ok):
                hidden[s.number].add(column)
    return tuple(
        replace(s, outcomes=_without(s.outcomes, hidden[s.number]))
        if s.number in hidden and s.outcomes is not None
        else s
        for s in segments
    )


def _without(rates: FrozenMap[str, float | None], hidden: set[str]) -> FrozenMap[str, float | None]:
    return FrozenMap((c, None if c in hidden else r) for c, r in rates.items())


def _hidden(segment: HistorySegment) -> HistorySegment:
    """A segment with only its identity left: every figure describes its customers."""
    return replace(
        segment,
        size=None,
        share=None,
        share_noise=None,
        centroid=None,
        value_share=None,
        outcomes=None,
    )


def _visible(suppress: Suppressor, counts: Sequence[int | None]) -> list[bool]:
    """``Suppressor.visible``, a count already hidden (None) staying hidden."""
    known = [HIDDEN if c is None else c for c in counts]
    return [ok and c is not None for ok, c in zip(suppress.visible(known), counts, strict=True)]


def _flow_cells(cells: tuple[FlowCell, ...], suppress: Suppressor) -> tuple[FlowCell, ...]:
    """The cells hidden as the "What changed" heatmap hides them (rows and columns checked)."""
    rows = sorted({c.before for c in cells})
    columns = sorted({c.after for c in cells})
    at = {(c.before, c.after): c.customers for c in cells}
    grid = [[_count(at.get((r, c), 0)) for c in columns] for r in rows]
    shown = suppress.visible_grid(grid)
    visible = {(r, c): shown[i][j] for i, r in enumerate(rows) for j, c in enumerate(columns)}
    return tuple(
        replace(c, customers=c.customers if visible[c.before, c.after] else None) for c in cells
    )


def _count(customers: int | None) -> int:
    return HIDDEN if customers is None else customers


def history_view(history: History, suppress: Suppressor, least: int = 2) -> HistoryView | None:
    """The view of the published history, or None with fewer than ``least`` releases.

    The site shows it from the second release on (``least=2``); the CLI from the first.
    """
    entries = published(history, suppress).entries
    if len(entries) < max(least, 1):
        return None
    lines = _lines(entries)
    flows, steps, withheld = net_flows(entries, {s.number: s.name for s in lines}, suppress)
    return HistoryView(
        releases=_points(entries),
        segments=lines,
        movements=movements(entries, lines),
        net_flows=flows,
        flow_steps=steps,
        flows_withheld=withheld,
    )


def _points(entries: Sequence[HistoryEntry]) -> tuple[ReleasePoint, ...]:
    """The releases, labelled by date when every date is known and no two are the same."""
    dates = [e.date for e in entries]
    dated = None not in dates and len(set(dates)) == len(dates)
    return tuple(
        ReleasePoint(
            label=e.date if dated and e.date else f"Release {i}",
            date=e.date,
            n_customers=e.n_customers,
            fingerprint=e.fingerprint,
        )
        for i, e in enumerate(entries, 1)
    )


def _lines(entries: Sequence[HistoryEntry]) -> tuple[SegmentLine, ...]:
    by_number = [{s.number: s for s in e.segments} for e in entries]
    numbers = sorted(set().union(*by_number))
    lines = []
    for number in numbers:
        found = [release.get(number) for release in by_number]
        latest = next(s for s in reversed(found) if s is not None)
        lines.append(
            SegmentLine(
                number=number,
                slug=latest.slug,
                name=latest.name,
                shares=tuple(s.share if s else None for s in found),
                sizes=tuple(s.size if s else None for s in found),
                present=tuple(s is not None for s in found),
                new=found[0] is None,
                retired=found[-1] is None,
            )
        )
    return tuple(lines)
