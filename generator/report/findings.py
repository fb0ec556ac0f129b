"""The summary's findings: at most five, ranked by how much of the business each one moves.

A finding is one segment differing from everyone on one column. Its weight is the segment's
share of customers times how far it differs, relative to everyone: a rate ``lift`` away from
1 (outcomes, 0/1 columns and category values), a mean ``ratio`` away from 1 (numbers), or its
share of an additive value column over its share of customers. A finding is made only when
the difference is one worth a sentence (``MIN_POINTS``, ``MIN_RATIO``, ``MIN_VALUE_GAP``, and
for outcomes a 95% interval that leaves out everyone's rate); every number passes privacy.
The strongest outcome finding of each outcome column in each direction (the segment most
above everyone's rate, the one most below) is always kept: outcomes are what the business
measures. At most ``PER_SEGMENT`` findings name one segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from generator.model import FrozenMap, SegmentProfile

if TYPE_CHECKING:
    from generator.report.context import SiteContext

MAX_FINDINGS = 5
PER_SEGMENT = 2
MIN_POINTS = 0.10  # a rate or category share 10 points from everyone's
MIN_RATIO = 0.25  # a mean a quarter above or below everyone's
MIN_VALUE_GAP = 0.05  # a value share 5 points from the share of customers
MAX_WEIGHT = 3.0  # a difference counts at most 3 times everyone's level

Kind = Literal["outcome", "value", "mean", "rate", "category"]


@dataclass(frozen=True)
class Finding:
    """One segment differing from everyone on one column; ``numbers`` as the sentence needs.

    ``numbers`` by kind: outcome ``rate, overall, lift, low, high, name``; value ``value_share``;
    mean ``mean, everyone``; rate ``rate, everyone``; category ``value, part, everyone``.
    """

    kind: Kind
    profile: SegmentProfile
    share: float
    column: str
    score: float
    numbers: FrozenMap[str, Any]


@dataclass(frozen=True)
class Group:
    """The findings about one segment, strongest first: one sentence on the summary."""

    profile: SegmentProfile
    share: float
    parts: tuple[Finding, ...]


def grouped(site: SiteContext) -> tuple[Group, ...]:
    """The findings by segment, those with an outcome finding first.

    Segments otherwise follow their strongest finding; within a segment, its outcomes lead.
    """
    groups: dict[int, list[Finding]] = {}
    for f in findings(site):
        groups.setdefault(f.profile.number, []).append(f)
    made = [
        Group(parts[0].profile, parts[0].share, tuple(sorted(parts, key=_outcome_first)))
        for parts in groups.values()
    ]
    return tuple(sorted(made, key=lambda g: g.parts[0].kind != "outcome"))


def _outcome_first(finding: Finding) -> bool:
    return finding.kind != "outcome"


def findings(site: SiteContext) -> tuple[Finding, ...]:
    """The summary's findings, strongest first (see the module doc)."""
    found: list[Finding] = []
    for p in site.analysis.profiles:
        share = site.share(p)
        if share is None or site.details_hidden(p):
            continue
        found += _outcomes(site, p, share)
        found += _value(site, p, share)
        found += _means(site, p, share)
        found += _categories(site, p, share)
    return _chosen(found, [o.column for o in site.config.outcomes])


def _chosen(found: list[Finding], outcomes: list[str]) -> tuple[Finding, ...]:
    ranked = sorted(found, key=lambda f: (-f.score, f.profile.number, f.column))
    chosen: list[Finding] = []
    for column in outcomes:
        for higher in (True, False):
            best = next(
                (
                    f
                    for f in ranked
                    if f.kind == "outcome"
                    and f.column == column
                    and (f.numbers["lift"] > 1) == higher
                ),
                None,
            )
            if best is not None and len(chosen) < MAX_FINDINGS:
                chosen.append(best)
    for f in ranked:
        if len(chosen) >= MAX_FINDINGS:
            break
        same = [c for c in chosen if c.profile.number == f.profile.number]
        if f in chosen or len(same) >= PER_SEGMENT or any(c.column == f.column for c in same):
            continue
        chosen.append(f)
    return tuple(sorted(chosen, key=lambda f: (-f.score, f.profile.number, f.column)))


def _weight(ratio: float) -> float:
    return min(abs(ratio - 1.0), MAX_WEIGHT)


def _outcomes(site: SiteContext, p: SegmentProfile, share: float) -> list[Finding]:
    out = []
    for line in site.outcomes.get(p.number, []):
        if not line.shown or line.direction == "same" or line.lift is None:
            continue
        numbers = {
            "rate": line.rate,
            "overall": line.overall,
            "lift": line.lift,
            "low": line.low,
            "high": line.high,
            "name": line.name,
        }
        score = share * _weight(line.lift)
        out.append(Finding("outcome", p, share, line.column, score, FrozenMap(numbers)))
    return out


def _value(site: SiteContext, p: SegmentProfile, share: float) -> list[Finding]:
    value_share = site.value_share(p)
    if value_share is None or abs(value_share - share) < MIN_VALUE_GAP:
        return []
    column = site.config.value.feature
    numbers = FrozenMap({"value_share": value_share})
    return [Finding("value", p, share, column, abs(value_share - share), numbers)]


def _means(site: SiteContext, p: SegmentProfile, share: float) -> list[Finding]:
    """Features and numeric describe columns: rates by points, other numbers by ratio."""
    a = site.analysis
    pop = a.population
    values = {c: (p.mean[c], pop.mean[c]) for c in a.table.features}
    values.update({c: (s.mean, pop.numeric[c].mean) for c, s in p.numeric.items() if s.count})
    if site.value_share(p) is not None:
        values.pop(site.config.value.feature, None)  # said as its share of the total
    out = []
    for column, (mine, everyone) in values.items():
        if column in pop.years or not (math.isfinite(mine) and math.isfinite(everyone)):
            continue
        if everyone <= 0:
            continue  # no ratio to everyone's level
        ratio = mine / everyone
        if column in pop.rates:
            if abs(mine - everyone) >= MIN_POINTS:
                numbers = FrozenMap({"rate": mine, "everyone": everyone})
                out.append(Finding("rate", p, share, column, share * _weight(ratio), numbers))
        elif abs(ratio - 1.0) >= MIN_RATIO:
            numbers = FrozenMap({"mean": mine, "everyone": everyone})
            out.append(Finding("mean", p, share, column, share * _weight(ratio), numbers))
    return out


def _categories(site: SiteContext, p: SegmentProfile, share: float) -> list[Finding]:
    """Per category column, the value whose share differs most from everyone's (if enough)."""
    out = []
    everyone = site.analysis.population.categorical
    for column, shares in p.categorical.items():
        visible = [(v, s) for v, s in site.suppress.shares(shares, p.size) if s is not None]
        best = None
        for value, part in visible:
            whole = everyone[column].get(value, 0.0)
            if whole > 0 and abs(part - whole) >= MIN_POINTS:
                score = share * _weight(part / whole)
                if best is None or score > best[0]:
                    best = (score, value, part, whole)
        if best is not None:
            score, value, part, whole = best
            numbers = FrozenMap({"value": value, "part": part, "everyone": whole})
            out.append(Finding("category", p, share, column, score, numbers))
    return out
