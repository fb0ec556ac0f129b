"""Gather every file of ``docs/``: Markdown pages, chart specs, downloads and static assets.

Nothing here touches the disk except reading ``templates/``; ``write`` puts the result in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any

from generator import __version__
from generator.analysis.stability import READINGS, TRUSTED, UNTRUSTED, SegmentStability, Stability
from generator.config.settings import Config
from generator.model import Analysis, ChartSpec, RenderedPage, SegmentProfile
from generator.release.changes import Changes, SegmentChange
from generator.release.lockfile import model_json
from generator.release.prepare import Release
from generator.report.downloads import csv_text
from generator.report.privacy import Suppressor, public_note
from generator.report.summary import summary, to_json
from generator.report.text import TEMPLATES, render
from generator.runtime import timing

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
        config_text: The config file as written by the analyst.
        suppress: Small-group suppression for every published count.
        size_visible: Per segment (in order), whether its size may be shown.
        changes: What changed since the previous release, or None on a first build.
        change_visible: Per segment number on the changes page, whether its size then and its
            size now may be shown (complementary suppression within each release).
        stability: Bootstrap stability by segment number.
        stability_seeds: The whole stability result (resamples, sample size, seed runs).
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
        total = self.analysis.population.mean[value.feature] * self.analysis.table.n_customers
        return profile.mean[value.feature] * profile.size / total if total else None

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
        """Rows read from the file, or None when it would reveal too few rows left out."""
        table = self.analysis.table
        left_out = table.source.rows_read - table.n_customers
        return table.source.rows_read if self.suppress.allows(left_out) else None

    @property
    def data_notes(self) -> list[str]:
        """The notes on reading the table, with counts of too few rows or cells hidden."""
        return [public_note(note, self.suppress) for note in self.analysis.table.source.notes]

    def change_described(self, change: SegmentChange) -> bool:
        """Whether the segment was and is a group large enough to say how its centre moved."""
        return self.suppress.allows(change.size_before) and self.suppress.allows(change.size_after)


def build_pages(
    release: Release, config: Config, drawn: list[ChartSpec] | None = None
) -> list[RenderedPage]:
    """Every file of the generated ``docs/`` folder, in a stable order.

    ``drawn`` are the chart specs of ``make_charts`` when the caller has them (from the cache).
    """
    with timing.stage("charts"):
        context = _context(
            release, config, drawn if drawn is not None else make_charts(release, config)
        )
    with timing.stage("render"):
        return _files(release, context)


def _files(release: Release, context: SiteContext) -> list[RenderedPage]:
    analysis = release.analysis
    files = [
        _page("index.md", "pages/index.md.j2", context),
        _page("methodology.md", "pages/methodology.md.j2", context),
        _page("data.md", "pages/data.md.j2", context),
        _page("downloads.md", "pages/downloads.md.j2", context),
    ]
    if release.changes is not None:
        files.append(_page("changes.md", "pages/changes.md.j2", context))
    for profile in analysis.profiles:
        files.append(
            _page(f"segments/{profile.slug}.md", "pages/segment.md.j2", context, profile=profile)
        )
    for chart in context.charts.values():
        # Compact: a chart's data rows would triple in size with indentation.
        files.append(_text(f"charts/{chart.name}.json", to_json(chart.spec, compact=True)))
        files.append(_text(f"downloads/data/{chart.name}.csv", chart.data_csv))
    files.append(_text("downloads/segments.json", to_json(_published_summary(context))))
    withheld = [p.number for p in release.analysis.profiles if not context.suppress.allows(p.size)]
    files.append(_text("downloads/model.json", to_json(model_json(release.lock, withheld))))
    files.append(_text("downloads/segment-profiles.csv", _profiles_csv(context)))
    files.append(_text(".nav.yml", _nav(analysis, release.changes is not None)))
    files.extend(_assets())
    return files


def _suppressor(config: Config) -> Suppressor:
    return Suppressor(config.privacy.min_group_size, not config.privacy.individual_points)


def make_charts(release: Release, config: Config) -> list[ChartSpec]:
    """Every chart of the site (the slow part of rendering: Altair builds each spec)."""
    from altair.utils.schemapi import debug_mode  # Altair: only when drawing

    suppress = _suppressor(config)
    shown = suppress.visible([p.size for p in release.analysis.profiles])
    # Debug mode validates each schema object as it is made, a chart's inline rows included:
    # a third of the drawing time. Every finished spec is validated by tests/test_site.py.
    with debug_mode(False):
        return _charts(release, config, suppress, shown)


def _context(release: Release, config: Config, drawn: list[ChartSpec]) -> SiteContext:
    analysis = release.analysis
    suppress = _suppressor(config)
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
        config_text=config.path.read_text(encoding="utf-8-sig"),
        suppress=suppress,
        size_visible=size_visible,
        changes=release.changes,
        change_visible=_change_visible(release.changes, suppress),
        stability={s.number: s for s in release.stability.segments},
        stability_seeds=release.stability,
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


def _charts(
    release: Release, config: Config, suppress: Suppressor, size_visible: list[bool]
) -> list[ChartSpec]:
    from generator.report.charts import common as charts  # Altair: only when drawing
    from generator.report.charts import pages as charts_report
    from generator.report.charts import persona as charts_persona
    from generator.report.charts import segmap

    analysis = release.analysis
    found: list[ChartSpec | None] = [
        charts_report.flow(release.changes, suppress) if release.changes is not None else None,
        segmap.segment_map(analysis, config),
        charts.segment_sizes(analysis, size_visible),
        *charts_report.k_search(analysis),
        *charts_report.distributions(analysis, suppress),
    ]
    for profile in analysis.profiles:
        if not suppress.allows(profile.size):
            continue  # too small to describe: no statistics, so no charts of its own
        found += [
            charts_persona.index_bars(analysis, profile),
            charts_persona.describe_ranges(analysis, profile),
            charts_persona.category_shares(analysis, profile, suppress),
            segmap.segment_map(analysis, config, f"map-{profile.slug}", highlight=profile.number),
        ]
    return [c for c in found if c is not None]


def _version(name: str) -> str:
    if name == "segments":  # this source tree, installed or not
        return __version__
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _page(path: str, template: str, context: SiteContext, **extra: Any) -> RenderedPage:
    depth = path.count("/")
    root = "../" * depth
    text = render(template, site=context, root=root, **extra)
    return RenderedPage(path, text.encode("utf-8"))


def _text(path: str, text: str) -> RenderedPage:
    return RenderedPage(path, text.encode("utf-8"))


def _nav(analysis: Analysis, with_changes: bool) -> str:
    """The navigation, read by the MkDocs hook (segment pages in segment order)."""
    return render("pages/nav.yml.j2", "txt", profiles=analysis.profiles, with_changes=with_changes)


def _published_summary(site: SiteContext) -> dict[str, Any]:
    """The summary download, with each size and share that privacy hides set to null."""
    data = summary(site.analysis)
    for item, profile in zip(data["segments"], site.analysis.profiles, strict=True):
        if not site.size_visible[profile.number]:
            item["size"] = item["share"] = None
        if site.details_hidden(profile):
            item["means"] = dict.fromkeys(item["means"])
            item["medians"] = dict.fromkeys(item["medians"])
    return data


def _profiles_csv(site: SiteContext) -> str:
    import pandas as pd

    rows = []
    for p in site.analysis.profiles:
        row: dict[str, Any] = {
            "number": p.number,
            "slug": p.slug,
            "name": p.name,
            "size": site.size(p),
            "share": site.share(p),
        }
        hidden = site.details_hidden(p)
        for column, value in p.mean.items():
            row[f"mean: {column}"] = None if hidden else value
            row[f"median: {column}"] = None if hidden else p.median[column]
            row[f"level: {column}"] = p.levels[column]
        for column, stats in p.numeric.items():
            row[f"mean: {column}"] = None if hidden else stats.mean
            row[f"median: {column}"] = None if hidden else stats.median
        for column, shares in p.categorical.items():
            for category, share in site.suppress.shares(shares, p.size):
                row[f"share {column}: {category}"] = share
        row["actions"] = " | ".join(p.actions)
        rows.append(row)
    return csv_text(pd.DataFrame(rows))


def _assets() -> list[RenderedPage]:
    folder = TEMPLATES / "assets"
    return [
        RenderedPage(f"assets/{path.relative_to(folder).as_posix()}", path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]
