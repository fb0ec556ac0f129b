"""What every page is told: ``SiteContext``, the one context of the page templates, and its making.

Python decides here what may be said (privacy, the most valuable segment, what changed); the
templates under ``templates/pages/`` say it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata

from generator import __version__
from generator.analysis.stability import READINGS, TRUSTED, UNTRUSTED, SegmentStability, Stability
from generator.config.settings import Config
from generator.model import Analysis, ChartSpec, SegmentProfile
from generator.release.changes import Changes, SegmentChange
from generator.release.history import value_share
from generator.release.prepare import Release
from generator.report.findings import MIN_POINTS, Group, grouped
from generator.report.history import HistoryView, history_view
from generator.report.outcomes import OutcomeLine, outcome_lines
from generator.report.privacy import Suppressor, public_note
from generator.report.published import published_config

PACKAGES = (
    "segments",
    "pandas",
    "numpy",
    "scikit-learn",
    "altair",
    "vl-convert-python",
    "jinja2",
    "mkdocs",
    "mkdocs-material",
)


@dataclass(frozen=True)
class SiteContext:
    """What every page template receives (documented at the top of each template).

    Attributes:
        analysis: The segmentation and profiles.
        config: The validated config.
        charts: Chart specs by name.
        value_segment: The segment with the best mean on ``config.value`` (highest, or lowest
            when lower is better), or None when the config names no value feature.
        largest: The segment with the most customers.
        versions: Library name to version, for the reproducibility facts.
        config_text: The config file as written by the analyst (paths outside it: names only).
        suppress: Small-group suppression for every published count.
        size_visible: Per segment (in order), whether its size may be shown.
        changes: What changed since the previous release, or None on a first build.
        change_visible: Per segment number on the changes page, whether its size then and its
            size now may be shown (complementary suppression within each release).
        stability: Bootstrap stability by segment number.
        stability_seeds: The whole stability result (resamples, sample size, seed runs).
        history: The release history's figures, or None before the second release.
        outcomes: Per segment number, its outcome rates as published (``report.outcomes``).
    """

    analysis: Analysis
    config: Config
    charts: dict[str, ChartSpec]
    value_segment: SegmentProfile | None
    largest: SegmentProfile
    versions: dict[str, str]
    config_text: str
    suppress: Suppressor
    size_visible: dict[int, bool]
    changes: Changes | None
    change_visible: dict[int, tuple[bool, bool]]
    stability: dict[int, SegmentStability]
    stability_seeds: Stability
    history: HistoryView | None = None
    outcomes: dict[int, list[OutcomeLine]] = field(default_factory=dict)

    def chart_parts(self, first: str) -> list[str]:
        """The chart ``first`` and the charts that continue it (``first.2``, ``first.3``...)."""
        names = [first] if first in self.charts else []
        while names and f"{first}.{len(names) + 1}" in self.charts:
            names.append(f"{first}.{len(names) + 1}")
        return names

    @property
    def findings(self) -> tuple[Group, ...]:
        """The summary's findings by segment, strongest first (``report.findings``)."""
        return grouped(self)

    @property
    def alike_points(self) -> float:
        """How close every value's share must be to everyone's for a category to read as alike."""
        return MIN_POINTS

    def alike(self, profile: SegmentProfile) -> list[str]:
        """The category columns on which the segment is like everyone: shown last, collapsed.

        Every value's share must be shown on its own and within ``MIN_POINTS`` of everyone's (a
        hidden or pooled share could hide a difference).
        """
        everyone = self.analysis.population.categorical
        return [
            column
            for column, shares in profile.categorical.items()
            if all(
                s is not None
                and len(values) == 1
                and abs(s - everyone[column][values[0]]) < MIN_POINTS
                for values, s in self.suppress.pooled(shares, profile.size)
            )
        ]

    @property
    def stability_readings(self) -> tuple[tuple[float, str], ...]:
        """The readings of a stability score, highest floor first (``0.85``: highly stable)."""
        return READINGS

    @property
    def untrusted(self) -> str:
        """The reading of a score under the lowest floor."""
        return UNTRUSTED

    def size(self, profile: SegmentProfile) -> int | None:
        """A segment's size, or None when privacy hides it."""
        return profile.size if self.size_visible[profile.number] else None

    def share(self, profile: SegmentProfile) -> float | None:
        """A segment's share of customers, or None when privacy hides it."""
        return profile.share if self.size_visible[profile.number] else None

    def value_share(self, profile: SegmentProfile) -> float | None:
        """The segment's share of the value column's total (an additive value only)."""
        value = self.config.value
        if not value.additive or not self.size_visible[profile.number]:
            return None
        return value_share(self.analysis, profile, value.feature)

    @property
    def unstable_below(self) -> float:
        """The stability under which a segment is marked "do not trust"."""
        return TRUSTED

    def unstable(self, profile: SegmentProfile) -> bool:
        """Whether the segment's stability is under the threshold (``--strict`` fails there)."""
        return self.stability[profile.number].jaccard < TRUSTED

    @property
    def any_unstable(self) -> bool:
        """Whether any segment is marked "do not trust" (the summary then says what it means)."""
        return any(self.unstable(p) for p in self.analysis.profiles)

    def details_hidden(self, profile: SegmentProfile) -> bool:
        """Whether the segment is itself a group too small to describe (its statistics hidden)."""
        return not self.suppress.allows(profile.size)

    def change_sizes(self, change: SegmentChange) -> tuple[int | None, int | None]:
        """A segment's size in the last release and now, each None when privacy hides it."""
        before, after = self.change_visible[change.number]
        return (change.size_before if before else None, change.size_after if after else None)

    @property
    def rows_read(self) -> int | None:
        """Rows (a log's lines) read, or None when it would reveal too few rows left out."""
        source = self.analysis.table.source
        made = source.log_lines or self.analysis.table.n_customers
        return source.rows_read if self.suppress.allows(source.rows_read - made) else None

    @property
    def left_out(self) -> list[LeftOutPart]:
        """Why rows (a log's lines) were left out before customers were counted, with counts.

        A log's lines without a customer ID and with a missing date or amount come first; the
        placeholder IDs of any table follow. A count too small to publish is None.
        """
        source = self.analysis.table.source
        parts = [(p.reason, p.count, p.values) for p in source.left_out]
        if source.log_lines:
            other = source.rows_read - source.log_lines - source.log_no_id
            other -= sum(p.count for p in source.left_out)
            parts = [("no_id", source.log_no_id, ()), *parts, ("missing", other, ())]
        return [
            LeftOutPart(reason, self.suppress.count(count), values)
            for reason, count, values in parts
            if count
        ]

    @property
    def data_notes(self) -> list[str]:
        """The notes on reading the table, with counts of too few rows or cells hidden."""
        return [public_note(note, self.suppress) for note in self.analysis.table.source.notes]

    def change_described(self, change: SegmentChange) -> bool:
        """Whether the segment was and is a group large enough to say how its centre moved."""
        return self.suppress.allows(change.size_before) and self.suppress.allows(change.size_after)


@dataclass(frozen=True)
class LeftOutPart:
    """Rows left out for one reason (see ``SiteContext.left_out``); ``count`` None when hidden."""

    reason: str
    count: int | None
    values: tuple[str, ...]


def suppressor(config: Config) -> Suppressor:
    """What the config's privacy settings let the site publish."""
    return Suppressor(config.privacy.min_group_size, not config.privacy.individual_points)


def site_context(release: Release, config: Config, drawn: list[ChartSpec]) -> SiteContext:
    """The pages' context: the release, the drawn charts and what privacy lets them say."""
    analysis = release.analysis
    suppress = suppressor(config)
    shown = suppress.visible([p.size for p in analysis.profiles])
    size_visible = {p.number: ok for p, ok in zip(analysis.profiles, shown, strict=True)}
    value_segment = _value_segment(analysis, config, suppress)
    largest = max(analysis.profiles, key=lambda p: (p.size, -p.number))
    return SiteContext(
        analysis=analysis,
        config=config,
        charts={c.name: c for c in drawn},
        value_segment=value_segment,
        largest=largest,
        versions={name: _version(name) for name in PACKAGES},
        config_text=published_config(config),
        suppress=suppress,
        size_visible=size_visible,
        changes=release.changes,
        change_visible=_change_visible(release.changes, suppress),
        stability={s.number: s for s in release.stability.segments},
        stability_seeds=release.stability,
        history=history_view(release.history, suppress),
        outcomes=outcome_lines(analysis, config, suppress),
    )


def _value_segment(
    analysis: Analysis, config: Config, suppress: Suppressor
) -> SegmentProfile | None:
    """The segment with the best mean on the value feature (ties: the lower number).

    A segment too small to describe is never ranked: "most valuable" would describe it.
    """
    column = config.value.feature
    ranked = [p for p in analysis.profiles if suppress.allows(p.size)]
    if not column or not ranked:
        return None
    sign = 1.0 if config.value.better == "higher" else -1.0
    return max(ranked, key=lambda p: (sign * p.mean[column], -p.number))


def _change_visible(changes: Changes | None, suppress: Suppressor) -> dict[int, tuple[bool, bool]]:
    if changes is None:
        return {}
    before = suppress.visible([s.size_before for s in changes.segments])
    after = suppress.visible([s.size_after for s in changes.segments])
    return {s.number: (b, a) for s, b, a in zip(changes.segments, before, after, strict=True)}


def _version(name: str) -> str:
    if name == "segments":  # this source tree, installed or not
        return __version__
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
