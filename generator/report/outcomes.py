"""What the site may say about outcome rates: which are shown, and which differences are real.

A segment's rate describes two groups of its customers, those with the outcome and those
without, so both counts must reach ``privacy.min_group_size``; the cells of the segments x
(with, without) table are hidden as any published table's are, with complementary suppression
along the segments' sizes and the overall counts (``Suppressor.visible_grid``). A difference
from everyone is claimed only when the segment's 95% interval leaves out everyone's rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from generator.config.settings import Config, Outcome
from generator.model import Analysis, OutcomeRate, SegmentProfile
from generator.report.disclosure import published_numbers
from generator.report.privacy import Suppressor

# Values that mean "has the outcome" by themselves: the column's name then names the rate.
PLAIN = {"yes", "y", "true", "t", "1"}

Direction = Literal["higher", "lower", "same"]


@dataclass(frozen=True)
class OutcomeLine:
    """One outcome of one segment, as published; the numbers are None when privacy hides them.

    Attributes:
        name: What the rate is of (``Churn``, or ``Plan: Cancelled`` when the value says more).
        direction: ``higher`` or ``lower`` when the 95% interval leaves out everyone's rate,
            ``same`` when it does not (no difference is claimed then).
        share: The segment's share of customers (None when hidden), for the summary's words.
    """

    column: str
    name: str
    number: int
    rate: float | None
    low: float | None
    high: float | None
    overall: float | None
    direction: Direction
    share: float | None = None

    @property
    def shown(self) -> bool:
        """Whether the segment's rate may be published."""
        return self.rate is not None and self.overall is not None

    @property
    def lift(self) -> float | None:
        """The segment's rate over everyone's (None when hidden or everyone's is 0)."""
        if not self.shown or not self.overall:
            return None
        assert self.rate is not None
        return self.rate / self.overall

    @property
    def gap(self) -> float:
        """How far the rate is from everyone's, in points of 1 (0 when hidden or not claimed)."""
        if not self.shown or self.direction == "same":
            return 0.0
        assert self.rate is not None and self.overall is not None
        return abs(self.rate - self.overall)


def outcome_name(outcome: Outcome, label: str) -> str:
    """``Churn`` for ``Churn: "Yes"``; ``Plan: Cancelled`` when the value is not a plain yes."""
    if outcome.shown.strip().lower() in PLAIN:
        return label
    return f"{label}: {outcome.shown}"


def outcome_lines(
    analysis: Analysis, config: Config, suppress: Suppressor
) -> dict[int, list[OutcomeLine]]:
    """Per segment number, its outcome lines in config order, privacy applied.

    When privacy hides a segment, "everyone's" rate is that of the segments published whole
    (as every overall figure then is, ``report/disclosure.py``), and only their rates show.
    """
    lines: dict[int, list[OutcomeLine]] = {p.number: [] for p in analysis.profiles}
    sizes = dict(zip(lines, suppress.visible([p.size for p in analysis.profiles]), strict=True))
    whole = set(published_numbers(analysis, suppress))
    described = [p for p in analysis.profiles if p.number in whole]
    for outcome in config.outcomes:
        column = outcome.column
        if column not in analysis.population.outcomes:
            continue
        rates = [p.outcomes[column] for p in described]
        grid = suppress.visible_grid([[r.positives, r.count - r.positives] for r in rates])
        shown = {p.number: all(cells) for p, cells in zip(described, grid, strict=True)}
        overall = _overall(rates, suppress)
        name = outcome_name(outcome, analysis.label(column))
        for p in analysis.profiles:
            rate = p.outcomes[column]
            ok = shown.get(p.number, False) and overall is not None and rate.count > 0
            lines[p.number].append(
                _line(column, name, p, rate if ok else None, overall, sizes[p.number])
            )
    return lines


def _overall(rates: list[OutcomeRate], suppress: Suppressor) -> float | None:
    """The rate over ``rates``' customers, when both of its groups may be published."""
    positives = sum(r.positives for r in rates)
    count = sum(r.count for r in rates)
    if not count or not (suppress.allows(positives) and suppress.allows(count - positives)):
        return None
    return positives / count


def _line(
    column: str,
    name: str,
    profile: SegmentProfile,
    rate: OutcomeRate | None,
    overall: float | None,
    size_shown: bool,
) -> OutcomeLine:
    share = profile.share if size_shown else None
    if rate is None:
        return OutcomeLine(column, name, profile.number, None, None, None, overall, "same", share)
    assert overall is not None
    return OutcomeLine(
        column,
        name,
        profile.number,
        rate.rate,
        rate.low,
        rate.high,
        overall,
        direction(rate, overall),
        share,
    )


def direction(rate: OutcomeRate, overall: float) -> Direction:
    """``higher``/``lower`` when the 95% interval leaves out ``overall``; ``same`` otherwise."""
    if math.isnan(rate.low) or rate.low <= overall <= rate.high:
        return "same"
    return "higher" if rate.low > overall else "lower"


def outcome_json(line: OutcomeLine) -> dict[str, float | None]:
    """One segment's outcome in ``segments.json``: ``{rate, overall, lift, low, high}``."""
    return {
        "rate": _round(line.rate),
        "overall": _round(line.overall),
        "lift": _round(line.lift),
        "low": _round(line.low),
        "high": _round(line.high),
    }


def _round(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.6g}")
