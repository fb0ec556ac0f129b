"""From a fresh analysis to the one to publish: keep locked identities, then apply overrides.

``refresh`` is the one call ``segments build`` makes between the analysis and the pages:
match to the lock (unless there is none, or ``--relock`` asks to start afresh), then apply the
config's persona overrides by slug, so an override follows its segment across refreshes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from generator.config.settings import Config, PersonaOverride
from generator.model import Analysis, SegmentProfile
from generator.release.lockfile import Lock
from generator.release.match import Match, apply_match, match

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refresh:
    """The analysis to publish, how it was matched to the lock, and what the analyst should know.

    Attributes:
        analysis: Segments numbered, named and overridden as they will be published.
        matched: The same segments before the persona overrides (their own names).
        match: The pairing with the lock, or None on a first build or with ``--relock``.
        warnings: Sentences for the analyst (also logged), e.g. an override for a slug that no
            longer exists.
    """

    analysis: Analysis
    matched: Analysis
    match: Match | None
    warnings: tuple[str, ...]


def refresh(analysis: Analysis, config: Config, lock: Lock | None) -> Refresh:
    """Match ``analysis`` to ``lock`` (when given) and apply the config's persona overrides.

    Args:
        analysis: The fresh analysis (``pipeline.run_analysis``).
        config: The config; its ``personas`` overrides are applied after matching.
        lock: The previous release's lock; None for a first build or ``--relock``.

    Raises:
        ConfigError: When the lock was made with other features.
    """
    result = match(analysis, lock) if lock is not None else None
    matched = apply_match(analysis, result) if result is not None else analysis
    final, warnings = apply_overrides(matched, config.personas)
    for note in _match_notes(result):
        log.info("%s", note)
    for warning in warnings:
        log.warning("%s", warning)
    return Refresh(final, matched, result, warnings)


def apply_overrides(
    analysis: Analysis, overrides: tuple[tuple[str, PersonaOverride], ...]
) -> tuple[Analysis, tuple[str, ...]]:
    """Give segments the config's display names, descriptions and actions, by slug.

    Returns:
        The new analysis and one warning per override that could not be applied (its slug is
        not a current segment, or its name is already another segment's name).
    """
    by_slug = {p.slug: p for p in analysis.profiles}
    warnings = [
        f"personas.{slug}: no segment has this slug any more (current: "
        f"{', '.join(sorted(by_slug))}); the override is not used"
        for slug, _ in overrides
        if slug not in by_slug
    ]
    wanted = dict(overrides)
    profiles = []
    for profile in analysis.profiles:
        override = wanted.get(profile.slug)
        if override is None:
            profiles.append(profile)
            continue
        others = {p.name for p in analysis.profiles if p.slug != profile.slug}
        others |= {o.name for s, o in overrides if s != profile.slug and o.name and s in by_slug}
        if override.name in others:
            warnings.append(
                f"personas.{profile.slug}: the name {override.name!r} is another segment's "
                "name; the generated name is kept"
            )
            override = replace(override, name=None)
        profiles.append(_overridden(profile, override))
    return replace(analysis, profiles=tuple(profiles)), tuple(warnings)


def _overridden(profile: SegmentProfile, override: PersonaOverride) -> SegmentProfile:
    return replace(
        profile,
        name=override.name or profile.name,
        description=override.description or profile.description,
        actions=override.actions if override.actions is not None else profile.actions,
    )


def _match_notes(result: Match | None) -> list[str]:
    if result is None:
        return []
    notes = [
        f"segment {s.number} is new: no segment of the last release is close to it"
        for s in result.new
    ]
    notes += [
        f"segment {s.number} ({s.name}) of the last release is retired: no segment is close to it"
        for s in result.retired
    ]
    return notes
