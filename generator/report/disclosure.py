"""Overall figures that cannot be undone by subtraction: taken over the published segments only.

An average over all customers, published beside the sizes and averages of the segments that are
shown, gives a hidden segment away: its sum is everyone's sum minus the shown ones'. So when a
segment is hidden (its size or its statistics), every additive overall figure the site
publishes (averages, rates, category shares, indexes and the scoring model's centre) is
computed from the segments that are published whole: a function of published numbers can only
tell what they tell. Rank statistics (medians, quartiles, percentiles) stay over everyone: no
subtraction recovers a customer from them. With nothing hidden the analysis passes unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from generator.model import Analysis, FrozenMap, Population, SegmentProfile
from generator.report.privacy import Suppressor

# Insights that are shares or rates of everyone: recomputed they would describe other customers.
ADDITIVE_INSIGHTS = ("balance", "rate")


def published_numbers(analysis: Analysis, suppress: Suppressor) -> list[int]:
    """The segments whose size and statistics are both published (the rest are hidden)."""
    profiles = analysis.profiles
    shown = suppress.visible([p.size for p in profiles])
    return [
        p.number for p, ok in zip(profiles, shown, strict=True) if ok and suppress.allows(p.size)
    ]


def published_analysis(analysis: Analysis, suppress: Suppressor) -> Analysis:
    """The analysis as the site may publish it: overall figures from published segments only.

    ``population.described`` then holds how many customers those segments have; the pages
    name the comparison group accordingly ("the customers of the described segments").
    """
    numbers = published_numbers(analysis, suppress)
    if len(numbers) == len(analysis.profiles) or not numbers:
        return analysis
    whole = [p for p in analysis.profiles if p.number in numbers]
    population = _population(analysis.population, whole)
    profiles = tuple(_indexed(p, population) for p in analysis.profiles)
    return replace(analysis, population=population, profiles=profiles)


def _population(pop: Population, whole: Sequence[SegmentProfile]) -> Population:
    sizes = np.array([p.size for p in whole], dtype=np.float64)
    mean = {c: _weighted([p.mean[c] for p in whole], sizes) for c in pop.mean}
    numeric = {}
    for column, stats in pop.numeric.items():
        counts = np.array([p.numeric[column].count if column in p.numeric else 0 for p in whole])
        values = [p.numeric[column].mean if column in p.numeric else 0.0 for p in whole]
        average = mean[column] if column in mean else _weighted(values, counts.astype(float))
        numeric[column] = replace(stats, mean=average)
    categorical = {
        column: FrozenMap((value, _share(whole, column, value, sizes)) for value in shares)
        for column, shares in pop.categorical.items()
    }
    return replace(
        pop,
        mean=FrozenMap(mean),
        numeric=FrozenMap(numeric),
        categorical=FrozenMap(categorical),
        insights=tuple(i for i in pop.insights if i.kind not in ADDITIVE_INSIGHTS),
        described=int(sizes.sum()),
    )


def _share(whole: Sequence[SegmentProfile], column: str, value: str, sizes: np.ndarray) -> float:
    return _weighted([_part(p, column, value) for p in whole], sizes)


def _part(profile: SegmentProfile, column: str, value: str) -> float:
    shares = profile.categorical.get(column)
    return 0.0 if shares is None else shares.get(value, 0.0)


def _indexed(profile: SegmentProfile, pop: Population) -> SegmentProfile:
    """The profile with its indexes (100 times its mean over everyone's) against ``pop``."""
    index = {
        c: 100 * v / pop.mean[c] if pop.mean[c] else float("nan") for c, v in profile.mean.items()
    }
    return replace(profile, index=FrozenMap(index))


def _weighted(values: Sequence[float], weights: np.ndarray) -> float:
    total = float(weights.sum())
    if not total:
        return float("nan")
    known = np.nan_to_num(np.asarray(values, dtype=np.float64))
    return float((known * weights).sum() / total)
