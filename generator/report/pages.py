"""Gather every file of ``docs/``: Markdown pages, chart specs, downloads and static assets.

Nothing here touches the disk except reading ``templates/``; ``write`` puts the result in place.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator.config.settings import Config
from generator.model import ChartSpec, RenderedPage
from generator.release.lockfile import model_json
from generator.release.prepare import Release
from generator.report.context import SiteContext, site_context, suppressor
from generator.report.disclosure import published_analysis, published_numbers
from generator.report.downloads import csv_text
from generator.report.history import history_view
from generator.report.outcomes import outcome_json
from generator.report.privacy import Suppressor
from generator.report.summary import summary, to_json
from generator.report.text import TEMPLATES, render
from generator.runtime import timing


def build_pages(
    release: Release, config: Config, drawn: list[ChartSpec] | None = None
) -> list[RenderedPage]:
    """Every file of the generated ``docs/`` folder, in a stable order.

    ``drawn`` are the chart specs of ``make_charts`` when the caller has them (from the cache).
    Every figure comes from ``published_release``: no overall figure covers a hidden segment.
    """
    release = published_release(release, config)
    with timing.stage("charts"):
        context = site_context(
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
    if context.history is not None:
        files.append(_page("history.md", "pages/history.md.j2", context))
    for profile in analysis.profiles:
        files.append(
            _page(f"segments/{profile.slug}.md", "pages/segment.md.j2", context, profile=profile)
        )
    for chart in context.charts.values():
        # Compact: a chart's data rows would triple in size with indentation.
        files.append(_text(f"charts/{chart.name}.json", to_json(chart.spec, compact=True)))
        files.append(_text(f"downloads/data/{chart.name}.csv", chart.data_csv))
    files.append(_text("downloads/segments.json", to_json(_published_summary(context))))
    withheld = [p.number for p in analysis.profiles if not context.suppress.allows(p.size)]
    whole = published_numbers(analysis, context.suppress)
    hidden = len(whole) < len(analysis.profiles)
    model = model_json(release.lock, withheld, whole if hidden else None)
    files.append(_text("downloads/model.json", to_json(model)))
    files.append(_text("downloads/segment-profiles.csv", _profiles_csv(context)))
    files.append(_text(".nav.yml", _nav(context)))
    files.extend(_assets())
    return files


def make_charts(release: Release, config: Config) -> list[ChartSpec]:
    """Every chart of the site (the slow part of rendering: Altair builds each spec)."""
    from altair.utils.schemapi import debug_mode  # Altair: only when drawing

    release = published_release(release, config)
    suppress = suppressor(config)
    shown = suppress.visible([p.size for p in release.analysis.profiles])
    # Debug mode validates each schema object as it is made, a chart's inline rows included:
    # a third of the drawing time. Every finished spec is validated by
    # tests/report/test_rendered_pages.py.
    with debug_mode(False):
        return _charts(release, config, suppress, shown)


def _charts(
    release: Release, config: Config, suppress: Suppressor, size_visible: list[bool]
) -> list[ChartSpec]:
    from generator.report.charts import common as charts  # Altair: only when drawing
    from generator.report.charts import history as charts_history
    from generator.report.charts import pages as charts_report
    from generator.report.charts import persona as charts_persona
    from generator.report.charts import segmap
    from generator.report.charts import shares as charts_shares

    analysis = release.analysis
    view = history_view(release.history, suppress)
    found: list[ChartSpec | None] = [
        charts_report.flow(release.changes, suppress) if release.changes is not None else None,
        charts_history.shares_over_releases(view, analysis) if view is not None else None,
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
            *charts_shares.category_shares(analysis, profile, suppress),
            segmap.segment_map(analysis, config, f"map-{profile.slug}", highlight=profile.number),
        ]
    return [c for c in found if c is not None]


def published_release(release: Release, config: Config) -> Release:
    """The release with its overall figures taken as privacy lets them be published."""
    analysis = published_analysis(release.analysis, suppressor(config))
    return release if analysis is release.analysis else replace(release, analysis=analysis)


def _page(path: str, template: str, context: SiteContext, **extra: Any) -> RenderedPage:
    depth = path.count("/")
    root = "../" * depth
    text = render(template, site=context, root=root, **extra)
    return RenderedPage(path, text.encode("utf-8"))


def _text(path: str, text: str) -> RenderedPage:
    return RenderedPage(path, text.encode("utf-8"))


def _nav(site: SiteContext) -> str:
    """The navigation, read by the MkDocs hook (segment pages in segment order)."""
    return render(
        "pages/nav.yml.j2",
        "txt",
        profiles=site.analysis.profiles,
        with_changes=site.changes is not None,
        with_history=site.history is not None,
    )


def _published_summary(site: SiteContext) -> dict[str, Any]:
    """The summary download, with each size and share that privacy hides set to null."""
    data = summary(site.analysis)
    for item, profile in zip(data["segments"], site.analysis.profiles, strict=True):
        if not site.size_visible[profile.number]:
            item["size"] = item["share"] = None
        if site.details_hidden(profile):
            item["means"] = dict.fromkeys(item["means"])
            item["medians"] = dict.fromkeys(item["medians"])
        item["outcomes"] = {o.column: outcome_json(o) for o in site.outcomes[profile.number]}
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
        for o in site.outcomes[p.number]:
            row[f"outcome rate: {o.column}"] = o.rate  # empty where privacy hides it
            row[f"outcome low: {o.column}"] = o.low
            row[f"outcome high: {o.column}"] = o.high
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
