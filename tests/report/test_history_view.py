"""What the history may say: privacy on every release, movements beyond noise, net flows."""

from __future__ import annotations

import pytest

from generator.model import FrozenMap
from generator.release.history import (
    FlowCell,
    History,
    HistoryEntry,
    HistoryFlow,
    HistorySegment,
)
from generator.report.history import history_view, published
from generator.report.movements import NOISE_Z, _runs
from generator.report.privacy import Suppressor

PRIVATE = Suppressor(10)


def seg(number: int, size: int | None, n: int = 100, noise: float | None = 0.01) -> HistorySegment:
    return HistorySegment(
        number=number,
        slug=f"s{number}",
        name=f"Segment {number}",
        size=size,
        share=size / n if size is not None else None,
        share_noise=noise,
        centroid=FrozenMap({"income": float(number)}),
        value_share=0.1,
        outcomes=FrozenMap({"churn": 0.2}),
    )


def release(
    key: str,
    sizes: dict[int, int | None],
    flow: HistoryFlow | None = None,
    date: str | None = None,
    noise: float | None = 0.01,
) -> HistoryEntry:
    n = sum(s or 0 for s in sizes.values())
    return HistoryEntry(
        fingerprint=key,
        date=date,
        n_customers=n,
        segments=tuple(seg(k, v, n, noise) for k, v in sorted(sizes.items())),
        flow=flow,
    )


def cells(since: str, counts: dict[tuple[int, int], int | None]) -> HistoryFlow:
    return HistoryFlow(since, tuple(FlowCell(a, b, c) for (a, b), c in sorted(counts.items())))


def test_a_small_segment_and_the_next_smallest_are_hidden_with_all_their_figures() -> None:
    shown = published(History((release("a", {1: 5, 2: 40, 3: 55}),)), PRIVATE).entries[0]
    assert [s.size for s in shown.segments] == [None, None, 55]
    hidden = shown.segments[0]
    assert (hidden.share, hidden.share_noise, hidden.centroid) == (None, None, None)
    assert (hidden.value_share, hidden.outcomes) == (None, None)
    assert (hidden.number, hidden.slug, hidden.name) == (1, "s1", "Segment 1")
    assert shown.segments[2].centroid == {"income": 3.0}
    assert shown.n_customers == 100


def test_privacy_applied_twice_changes_nothing_and_a_stricter_rule_hides_more() -> None:
    flow = cells("a", {(1, 1): 30, (1, 2): 3, (2, 1): 0, (2, 2): 60})
    history = History((release("a", {1: 30, 2: 70}), release("b", {1: 33, 2: 63}, flow)))
    once = published(history, PRIVATE)
    assert published(once, PRIVATE) == once
    # The 3 is hidden, then the 30 beside it (its row) and the 60 under it (its column).
    assert [c.customers for c in once.entries[1].flow.cells] == [None, None, 0, None]
    stricter = published(once, Suppressor(35))
    assert [s.size for s in stricter.entries[0].segments] == [None, None]
    assert [c.customers for c in stricter.entries[1].flow.cells] == [None, None, 0, None]
    # With individual points allowed nothing is hidden, but what was hidden stays hidden.
    assert published(once, Suppressor(10, enabled=False)) == once


@pytest.mark.parametrize(
    ("shares", "runs"),
    [
        ([0.1, 0.2, 0.3], [(0, 2)]),
        ([0.1, 0.2, 0.15, 0.3], [(0, 1), (1, 2), (2, 3)]),
        ([0.3, 0.2, 0.2, 0.1, 0.4], [(0, 3), (3, 4)]),
        ([0.1, None, 0.2, 0.2, 0.3, 0.1], [(2, 4), (4, 5)]),
        ([None, 0.1], []),
    ],
)
def test_runs_never_move_back(shares: list[float | None], runs: list[tuple[int, int]]) -> None:
    assert _runs(shares) == runs


def _view(*entries: HistoryEntry, suppress: Suppressor = PRIVATE):
    view = history_view(History(entries), suppress)
    assert view is not None
    return view


def test_a_movement_is_named_only_beyond_the_noise() -> None:
    # Noise 0.01 at both ends: a change must exceed 2 * sqrt(2) * 0.01 = 2.8 points.
    small = _view(release("a", {1: 50, 2: 50}), release("b", {1: 52, 2: 48}))
    assert small.movements == ()
    large = _view(release("a", {1: 50, 2: 50}), release("b", {1: 54, 2: 46}))
    assert [(m.number, m.before, m.after, m.grew) for m in large.movements] == [
        (1, 0.5, 0.54, True),
        (2, 0.5, 0.46, False),
    ]
    assert large.movements[0].noise == pytest.approx(NOISE_Z * 0.01 * 2**0.5)
    assert (large.movements[0].size_before, large.movements[0].size_after) == (50, 54)


def test_the_largest_sustained_run_is_named_and_at_most_three() -> None:
    view = _view(
        release("a", {1: 20, 2: 30, 3: 20, 4: 30}),
        release("b", {1: 25, 2: 30, 3: 15, 4: 30}),
        release("c", {1: 30, 2: 18, 3: 11, 4: 41}),
        release("d", {1: 28, 2: 12, 3: 18, 4: 42}),
    )
    found = [(m.number, m.start, m.end, m.releases) for m in view.movements]
    # 2 shrank 30 -> 12 and 4 grew 30 -> 42 over all four releases (flat steps included); 1 grew
    # 20 -> 30 before moving back; 3 shrank 20 -> 11 then moved back (9 points, the fourth).
    assert found == [(2, 0, 3, 4), (4, 0, 3, 4), (1, 0, 2, 3)]


def test_a_replayed_release_borrows_the_segments_measured_noise() -> None:
    replayed = release("a", {1: 50, 2: 50}, noise=None)
    measured = release("b", {1: 60, 2: 40}, noise=0.03)
    # Noise 0.03 at both ends: 2 * sqrt(2) * 0.03 = 8.5 points; a 10-point change is named.
    assert [m.number for m in _view(replayed, measured).movements] == [1, 2]
    never = release("b", {1: 60, 2: 40}, noise=None)
    assert _view(replayed, never).movements == ()


def test_a_change_that_rounds_to_the_same_percent_is_not_named() -> None:
    view = history_view(
        History(
            (
                release("a", {1: 1000, 2: 1000}, noise=0.0001),
                release("b", {1: 1003, 2: 997}, noise=0.0001),
            )
        ),
        PRIVATE,
    )
    assert view is not None and view.movements == ()


def test_net_flows_add_up_the_known_steps() -> None:
    first = release("a", {1: 50, 2: 50})
    second = release(
        "b", {1: 40, 2: 60}, cells("a", {(1, 1): 30, (1, 2): 20, (2, 1): 10, (2, 2): 40})
    )
    third = release(
        "c", {1: 30, 2: 70}, cells("b", {(1, 1): 25, (1, 2): 15, (2, 1): 0, (2, 2): 60})
    )
    view = _view(first, second, third)
    assert view.flow_steps == view.steps == 2
    assert [(f.source, f.target, f.customers) for f in view.net_flows] == [(1, 2, 25)]
    assert not view.flows_withheld
    # A flow since another release than the one before is not a step of this history.
    stray = release("c", {1: 30, 2: 70}, cells("zzz", {(1, 1): 25, (1, 2): 15}))
    assert _view(first, second, stray).flow_steps == 1


def test_a_net_flow_with_a_hidden_cell_or_too_small_is_withheld() -> None:
    first = release("a", {1: 50, 2: 50, 3: 50})
    second = release(
        "b",
        {1: 45, 2: 55, 3: 50},
        cells(
            "a",
            {(1, 1): 40, (1, 2): 5, (1, 3): 5, (2, 1): 0, (2, 2): 50, (2, 3): 0}
            | {(3, 1): 5, (3, 2): 0, (3, 3): 45},
        ),
    )
    view = _view(first, second)
    assert view.net_flows == () and view.flows_withheld
    open_view = _view(first, second, suppress=Suppressor(10, enabled=False))
    assert [(f.source, f.target, f.customers) for f in open_view.net_flows] == [(1, 2, 5)]


def test_releases_are_labelled_by_date_unless_dates_repeat_or_are_missing() -> None:
    dated = _view(
        release("a", {1: 50}, date="2024-01-01"), release("b", {1: 60}, date="2024-04-01")
    )
    assert [r.label for r in dated.releases] == ["2024-01-01", "2024-04-01"]
    same = _view(release("a", {1: 50}, date="2024-01-01"), release("b", {1: 60}, date="2024-01-01"))
    assert [r.label for r in same.releases] == ["Release 1", "Release 2"]
    assert history_view(History((release("a", {1: 50}),)), PRIVATE) is None


def test_new_and_retired_segments() -> None:
    view = _view(release("a", {1: 50, 2: 50}), release("b", {1: 50, 3: 50}))
    assert [(s.number, s.new, s.retired, s.first, s.last) for s in view.segments] == [
        (1, False, False, 0, 1),
        (2, False, True, 0, 0),
        (3, True, False, 1, 1),
    ]
    assert view.segments[1].shares == (0.5, None)
    assert view.segments[1].present == (True, False)
