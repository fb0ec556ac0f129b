"""Describe each segment: sizes, centroids, medians, indexes and the describe columns.

Everything here is vectorised over all rows (group-bys and bincounts, no row-wise Python).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.config import Config
from generator.model import (
    Analysis,
    CustomerTable,
    Insight,
    NumericStats,
    Population,
    Segmentation,
    SegmentProfile,
)
from generator.personas import name_segments, playbook_actions, rules_of_thumb


def analyse(table: CustomerTable, segmentation: Segmentation, config: Config) -> Analysis:
    """Build every segment's profile and the population facts."""
    frame = table.frame
    labels = segmentation.labels
    k = segmentation.k
    sizes = np.bincount(labels, minlength=k)
    features = list(table.features)
    pop_mean = frame[features].mean().to_numpy()
    pop_std = frame[features].std(ddof=0).to_numpy()
    groups = frame.groupby(labels, sort=True, observed=True)
    medians = groups[features].median().reindex(range(k)).to_numpy()
    means = groups[features].mean().reindex(range(k)).to_numpy()
    z = (segmentation.centroids - pop_mean) / np.where(pop_std > 0, pop_std, 1.0)
    label_of = {f.column: f.label for f in config.features}
    names, slugs, distinctive = name_segments(
        segmentation.levels, z, [label_of[f] for f in features]
    )
    rules = rules_of_thumb(table, labels, k, config.random_state)
    numeric, categorical = _describe_groups(frame, labels, k, table.describe)
    profiles = []
    for i in range(k):
        levels = dict(zip(features, segmentation.levels[i], strict=True))
        profiles.append(
            SegmentProfile(
                number=i + 1,
                slug=slugs[i],
                name=names[i],
                size=int(sizes[i]),
                share=float(sizes[i] / len(frame)),
                centroid=_pairs(features, segmentation.centroids[i]),
                median=_pairs(features, medians[i]),
                index=_pairs(features, 100 * means[i] / np.where(pop_mean != 0, pop_mean, np.nan)),
                levels=tuple(levels.items()),
                distinctive=tuple(features[j] for j in distinctive[i]),
                numeric=tuple((c, stats[i]) for c, stats in numeric.items()),
                categorical=tuple((c, shares[i]) for c, shares in categorical.items()),
                rule=rules[i],
                actions=playbook_actions(config, levels),
            )
        )
    return Analysis(
        table=table,
        segmentation=segmentation,
        profiles=tuple(profiles),
        population=_population(table, pop_mean),
        labels=tuple(label_of.items()),
    )


def _pairs(names: list[str], values: np.ndarray) -> tuple[tuple[str, float], ...]:
    return tuple((n, float(v)) for n, v in zip(names, values, strict=True))


def _describe_groups(
    frame: pd.DataFrame, labels: np.ndarray, k: int, columns: tuple[str, ...]
) -> tuple[dict[str, list[NumericStats]], dict[str, list[tuple[tuple[str, float], ...]]]]:
    numeric: dict[str, list[NumericStats]] = {}
    categorical: dict[str, list[tuple[tuple[str, float], ...]]] = {}
    for column in columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            counts = pd.crosstab(labels, series).reindex(range(k), fill_value=0)
            shares = counts.to_numpy() / np.maximum(counts.to_numpy().sum(axis=1, keepdims=True), 1)
            names = [str(c) for c in counts.columns]
            categorical[column] = [
                tuple(zip(names, map(float, row), strict=True)) for row in shares
            ]
        else:
            grouped = series.groupby(labels)
            stats = pd.DataFrame(
                {
                    "mean": grouped.mean(),
                    "median": grouped.median(),
                    "q1": grouped.quantile(0.25),
                    "q3": grouped.quantile(0.75),
                }
            ).reindex(range(k))
            numeric[column] = [NumericStats(*map(float, row)) for row in stats.to_numpy()]
    return numeric, categorical


def _numeric_stats(series: pd.Series) -> NumericStats:
    q1, median, q3 = series.quantile([0.25, 0.5, 0.75]).to_numpy()
    return NumericStats(float(series.mean()), float(median), float(q1), float(q3))


def _population(table: CustomerTable, pop_mean: np.ndarray) -> Population:
    frame = table.frame
    numeric = []
    categorical = []
    insights = []
    for column in (*table.features, *table.describe):
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            shares = series.value_counts(normalize=True, sort=False).sort_index()
            pairs = tuple((str(c), float(v)) for c, v in shares.items())
            categorical.append((column, pairs))
            if column in table.describe and len(pairs) >= 2:
                top = max(pairs, key=lambda p: (p[1], p[0]))
                insights.append(
                    Insight(
                        "balance",
                        column,
                        (("value", top[0]), ("share", top[1]), ("n_values", len(pairs))),
                    )
                )
        else:
            stats = _numeric_stats(series)
            numeric.append((column, stats))
            if column in table.describe:
                insights.append(
                    Insight(
                        "spread",
                        column,
                        (("q1", stats.q1), ("median", stats.median), ("q3", stats.q3)),
                    )
                )
    insights.extend(_relation(frame, table.features))
    return Population(
        n_customers=len(frame),
        mean=_pairs(list(table.features), pop_mean),
        numeric=tuple(numeric),
        categorical=tuple(categorical),
        insights=tuple(insights),
    )


def _relation(frame: pd.DataFrame, features: tuple[str, ...]) -> list[Insight]:
    """The strongest linear relation between two features, as a correlation."""
    if len(features) < 2:
        return []
    corr = np.corrcoef(frame[list(features)].to_numpy(dtype=np.float64), rowvar=False)
    np.fill_diagonal(corr, 0.0)
    i, j = np.unravel_index(int(np.argmax(np.abs(corr))), corr.shape)
    first, second = sorted((int(i), int(j)))
    return [
        Insight(
            "relation",
            features[first],
            (("other", features[second]), ("r", float(corr[first, second]))),
        )
    ]
