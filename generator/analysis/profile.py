"""Describe each segment: sizes, means, medians, indexes and the describe columns.

Everything here is vectorised over all rows (group-bys and bincounts, no row-wise Python).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from generator.analysis.actions import segment_actions
from generator.analysis.categories import group_rare
from generator.analysis.levels import is_binary
from generator.analysis.outcomes import held_locally, local_counts, rates
from generator.analysis.personas import (
    direction_words,
    name_segments,
    playbook_actions,
    rules_of_thumb,
)
from generator.config.settings import Config
from generator.model import (
    Analysis,
    CustomerTable,
    FrozenMap,
    Insight,
    NumericStats,
    Population,
    Segmentation,
    SegmentProfile,
    by_name,
)

YEARS = (1800, 2100)


def analyse(table: CustomerTable, segmentation: Segmentation, config: Config) -> Analysis:
    """Build every segment's profile and the population facts.

    Rare category values are pooled as "Other" first (``categories.py``), so every later stage
    publishes only labels that at least ``privacy.min_group_size`` customers share.
    """
    labels = segmentation.labels
    k = segmentation.k
    counts = local_counts(table, labels, k, config)
    outcomes, overall = rates(counts, config, held_locally(table), str(table.source.path), k)
    table = group_rare(table, config.privacy.min_group_size)
    frame = table.frame
    sizes = np.bincount(labels, minlength=k)
    features = list(table.features)
    pop_mean = frame[features].mean().to_numpy()
    pop_std = frame[features].std(ddof=0).to_numpy()
    groups = _Groups(labels, k)
    stats = np.stack([groups.stats(frame[f].to_numpy(dtype=np.float64)) for f in features], 1)
    means, medians = stats[:, :, 0], stats[:, :, 1]
    # Distinctiveness on the published scale: the segment's mean against everyone's, in
    # standard deviations of the column's own units (not the scaled K-Means space).
    z = (means - pop_mean) / np.where(pop_std > 0, pop_std, 1.0)
    label_of = config.column_labels
    # Per segment and feature, the share of customers at 1 or below (a log's one-time buyers).
    ones = np.stack([np.bincount(labels, frame[f] <= 1, k) for f in features], 1)
    once = ones / np.maximum(sizes, 1)[:, None]
    words = direction_words(config, segmentation.levels, means, once)
    names, slugs, distinctive = name_segments(
        segmentation.levels, z, [label_of[f] for f in features], words
    )
    rules = rules_of_thumb(table, labels, k, config.random_state)
    numeric, categorical = _describe_groups(frame, groups, table.describe)
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
                mean=by_name(features, means[i]),
                median=by_name(features, medians[i]),
                index=by_name(features, 100 * means[i] / np.where(pop_mean != 0, pop_mean, np.nan)),
                levels=FrozenMap(levels),
                distinctive=tuple(features[j] for j in distinctive[i]),
                numeric=FrozenMap((c, stats[i]) for c, stats in numeric.items()),
                categorical=FrozenMap((c, shares[i]) for c, shares in categorical.items()),
                rule=rules[i],
                actions=segment_actions(
                    config,
                    playbook_actions(config, levels),
                    {
                        **dict(zip(features, means[i].tolist(), strict=True)),
                        **{c: s[i].mean for c, s in numeric.items()},
                    },
                    (outcomes[i], overall),
                ),
                outcomes=outcomes[i],
            )
        )
    return Analysis(
        table=table,
        segmentation=segmentation,
        profiles=tuple(profiles),
        population=replace(_population(table, pop_mean), outcomes=overall),
        labels=FrozenMap(label_of),
    )


class _Groups:
    """Per-segment statistics from one stable sort of the rows by segment (no pandas group-by).

    Quantiles interpolate linearly, as pandas does; a segment with no rows gets NaN.
    """

    def __init__(self, labels: np.ndarray, k: int) -> None:
        small = labels.astype(np.uint8) if k <= 255 else labels
        self.k = k
        self.order = np.argsort(small, kind="stable")  # a radix sort for uint8 labels
        self.sizes = np.bincount(labels, minlength=k)
        self.bounds = np.cumsum(self.sizes)[:-1]
        self.labels = labels

    def stats(self, values: np.ndarray) -> np.ndarray:
        """Rows of (mean, median, q1, q3, count) per segment; missing values are skipped."""
        out = np.full((self.k, 5), np.nan)
        for i, part in enumerate(np.split(values[self.order], self.bounds)):
            part = part[~np.isnan(part)]
            out[i, 4] = len(part)
            if len(part):
                q1, median, q3 = np.quantile(part, [0.25, 0.5, 0.75])
                out[i, :4] = (part.mean(), median, q1, q3)
        return out

    def shares(self, codes: np.ndarray, n_values: int) -> np.ndarray:
        """Share of each category code within each segment (rows sum to 1; -1 codes ignored)."""
        valid = codes >= 0
        flat = self.labels[valid].astype(np.int64) * n_values + codes[valid]
        counts = np.bincount(flat, minlength=self.k * n_values).reshape(self.k, n_values)
        shares: np.ndarray = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        return shares


def _describe_groups(
    frame: pd.DataFrame, groups: _Groups, columns: tuple[str, ...]
) -> tuple[dict[str, list[NumericStats]], dict[str, list[FrozenMap[str, float]]]]:
    numeric: dict[str, list[NumericStats]] = {}
    categorical: dict[str, list[FrozenMap[str, float]]] = {}
    for column in columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            names = [str(c) for c in series.cat.categories]
            shares = groups.shares(series.cat.codes.to_numpy(), len(names))
            categorical[column] = [
                FrozenMap(zip(names, map(float, row), strict=True)) for row in shares
            ]
        else:
            stats = groups.stats(series.to_numpy(dtype=np.float64))
            numeric[column] = [
                NumericStats(mean, median, q1, q3, int(count))
                for mean, median, q1, q3, count in stats.tolist()
            ]
    return numeric, categorical


def _numeric_stats(series: pd.Series) -> NumericStats:
    q1, median, q3 = series.quantile([0.25, 0.5, 0.75]).to_numpy()
    count = int(series.count())
    return NumericStats(float(series.mean()), float(median), float(q1), float(q3), count)


def _spread(column: str, stats: NumericStats, series: pd.Series) -> Insight:
    """A 0/1 column as a rate; any other as its middle half; with its coverage when gappy."""
    covered = {"count": stats.count, "n": len(series)}
    if is_binary(series.to_numpy(dtype=np.float64)):
        return Insight("rate", column, FrozenMap({"rate": stats.mean, **covered}))
    quartiles = {"q1": stats.q1, "median": stats.median, "q3": stats.q3}
    return Insight("spread", column, FrozenMap({**quartiles, **covered}))


def _kinds(frame: pd.DataFrame, columns: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The 0/1 columns (published as rates) and the year columns (published as ``1969``)."""
    rates, years = [], []
    for column in columns:
        values = frame[column].to_numpy(dtype=np.float64)
        present = values[~np.isnan(values)]
        if is_binary(values):
            rates.append(column)
        elif _whole_in(present, YEARS):
            years.append(column)
    return tuple(rates), tuple(years)


def _whole_in(values: np.ndarray, bounds: tuple[int, int]) -> bool:
    """Whether every value is a whole number within ``bounds`` (and there is one)."""
    whole = bool((values == np.round(values)).all())
    return whole and len(values) > 0 and bounds[0] <= values.min() and values.max() <= bounds[1]


def _population(table: CustomerTable, pop_mean: np.ndarray) -> Population:
    frame = table.frame
    numeric: dict[str, NumericStats] = {}
    categorical: dict[str, FrozenMap[str, float]] = {}
    insights = []
    for column in (*table.features, *table.describe):
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            shares = series.value_counts(normalize=True, sort=False).sort_index()
            pairs = FrozenMap((str(c), float(v)) for c, v in shares.items())
            categorical[column] = pairs
            if column in table.describe and len(pairs) >= 2:
                top = max(pairs.items(), key=lambda p: (p[1], p[0]))
                balance = {"value": top[0], "share": top[1], "n_values": len(pairs)}
                insights.append(Insight("balance", column, FrozenMap(balance)))
        else:
            stats = _numeric_stats(series)
            numeric[column] = stats
            if column in table.describe:
                insights.append(_spread(column, stats, series))
    insights.extend(_relation(frame, table.features))
    rates, years = _kinds(frame, list(numeric))
    return Population(
        n_customers=len(frame),
        mean=by_name(list(table.features), pop_mean),
        numeric=FrozenMap(numeric),
        categorical=FrozenMap(categorical),
        insights=tuple(insights),
        rates=rates,
        years=years,
        coverage=FrozenMap((c, int(frame[c].count())) for c in table.describe),
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
            FrozenMap({"other": features[second], "r": float(corr[first, second])}),
        )
    ]
