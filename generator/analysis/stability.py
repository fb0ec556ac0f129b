"""How much to trust each segment: bootstrap Jaccard stability and sensitivity to the seed.

Bootstrap (Hennig 2007, "Cluster-wise assessment of cluster stability"): draw ``RESAMPLES``
resamples with replacement, each with its own fixed seed, refit the whole pipeline (scaler and
K-Means with the config's k and ``n_init``) on each, and compare every published segment,
restricted to the customers present in the resample, with the most similar resample cluster by
the Jaccard index. A segment's score is the mean over resamples. The usual reading:
>= 0.85 highly stable, >= 0.75 stable, >= 0.6 doubtful, below 0.6 do not trust.

The same resamples measure how much a segment's share of customers moves by chance: in each
resample, the share of the customers present that fall in the best-matching resample cluster.
Its standard deviation over the resamples (``share_noise``) is the noise a change of share
between two releases must exceed before the history page calls it a movement.

Seed sensitivity: refit with ``SEEDS`` other ``random_state`` values and report the adjusted
Rand index of each fit against the published segments.

Cost is bounded whatever the table size: everything runs on a fixed random sample of at most
``STABILITY_ROWS`` customers (all of them when there are fewer), so 1M or 10M rows cost the
same as 1,000 plus drawing the sample: about (RESAMPLES + SEEDS) K-Means fits of 1,000 rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from generator.config.settings import Config
from generator.model import Analysis

RESAMPLES = 100
SEEDS = 5
STABILITY_ROWS = 1_000
# The usual reading of bootstrap Jaccard scores; under TRUSTED a segment is not to be trusted.
TRUSTED = 0.6
READINGS = ((0.85, "highly stable"), (0.75, "stable"), (TRUSTED, "doubtful"))
UNTRUSTED = "do not trust"
DISSOLVED = 0.5


@dataclass(frozen=True)
class SegmentStability:
    """The bootstrap evidence for one segment.

    Attributes:
        number: The segment's number.
        slug: The segment's slug.
        jaccard: Mean Jaccard similarity with the best-matching resample cluster (0 to 1).
        dissolved: Share of resamples in which the segment dissolved (Jaccard below 0.5).
        reading: ``highly stable``, ``stable``, ``doubtful`` or ``do not trust``.
        share_noise: Standard deviation over the resamples of the best-matching resample
            cluster's share of the customers present (a fraction, like a share).
    """

    number: int
    slug: str
    jaccard: float
    dissolved: float
    reading: str
    share_noise: float


@dataclass(frozen=True)
class SeedRun:
    """One refit with another ``random_state``, compared with the published segments."""

    random_state: int
    ari: float


@dataclass(frozen=True)
class Stability:
    """Stability evidence for a whole segmentation."""

    resamples: int
    sample_rows: int
    segments: tuple[SegmentStability, ...]
    seeds: tuple[SeedRun, ...]

    def below(self, threshold: float = TRUSTED) -> tuple[SegmentStability, ...]:
        """The segments whose score is under ``threshold`` (``--strict`` refuses to publish)."""
        return tuple(s for s in self.segments if s.jaccard < threshold)

    def renumbered(self, numbers: Sequence[int], published: Analysis) -> Stability:
        """The same evidence under the published identities, in the published order.

        Args:
            numbers: The published number of each measured segment, in measured order.
            published: The analysis as published (its profiles give the order and slugs).
        """
        measured = dict(zip(numbers, self.segments, strict=True))
        segments = tuple(
            replace(measured[p.number], number=p.number, slug=p.slug) for p in published.profiles
        )
        return replace(self, segments=segments)

    @property
    def seed_ari_min(self) -> float:
        """The lowest agreement between a refit with another seed and the published segments."""
        return min((s.ari for s in self.seeds), default=1.0)


def reading(score: float) -> str:
    """The usual words for a Jaccard stability score."""
    return next((words for limit, words in READINGS if score >= limit), UNTRUSTED)


def stability(
    analysis: Analysis,
    config: Config,
    resamples: int = RESAMPLES,
    max_rows: int = STABILITY_ROWS,
) -> Stability:
    """Bootstrap and seed evidence for the segments of ``analysis`` (see the module docstring).

    Args:
        analysis: The analysis (numbers and slugs are read from its profiles; see
            ``Stability.renumbered`` for the published ones).
        config: The config it was built with (scaling, ``n_init``, ``random_state``).
        resamples: How many bootstrap resamples.
        max_rows: The most customers the evidence is computed on.
    """
    from threadpoolctl import threadpool_limits

    x = analysis.table.feature_matrix()
    labels = analysis.segmentation.labels
    k = analysis.segmentation.k
    rng = np.random.default_rng(config.random_state)
    rows = np.sort(rng.choice(len(x), max_rows, replace=False)) if len(x) > max_rows else None
    xs, ls = (x, labels) if rows is None else (x[rows], labels[rows])
    # Small fits run fastest on one thread; OpenMP threads on a busy machine cost 10x or more.
    with threadpool_limits(limits=1, user_api="openmp"):
        measured = [_resample(xs, ls, k, config, b) for b in range(resamples)]
        seeds = _seed_runs(xs, ls, k, config)
    scores = np.vstack([jaccard for jaccard, _ in measured])
    shares = np.vstack([share for _, share in measured])
    mean = np.nanmean(scores, axis=0)
    dissolved = np.nanmean(scores < DISSOLVED, axis=0)
    noise = np.nanstd(shares, axis=0)
    segments = tuple(
        SegmentStability(
            p.number, p.slug, float(mean[i]), float(dissolved[i]), reading(mean[i]), float(noise[i])
        )
        for i, p in enumerate(analysis.profiles)
    )
    return Stability(resamples, len(xs), segments, seeds)


def _resample(
    x: np.ndarray, labels: np.ndarray, k: int, config: Config, b: int
) -> tuple[np.ndarray, np.ndarray]:
    """Best Jaccard per segment in resample ``b``, and the share of its best match."""
    from generator.analysis.kmeans import make_pipeline

    rng = np.random.default_rng((config.random_state, b))
    picked = rng.integers(0, len(x), len(x))
    fit = make_pipeline(config.scaling, k, b, config.n_init).fit(x[picked])
    present = np.unique(picked)
    return best_match(labels[present], fit.predict(x[present]), k)


def best_jaccard(reference: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    """For each reference cluster, the highest Jaccard index with any cluster of ``other``.

    Both label arrays hold integers in ``0..k-1`` for the same points. A reference cluster
    with no points gets NaN.
    """
    return best_match(reference, other, k)[0]


def best_match(reference: np.ndarray, other: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per reference cluster, its best Jaccard index and the share of the points in its match.

    The share is the best-matching cluster of ``other``'s size over all points: what the
    segment's share would have read in that resample. Both are NaN for an empty cluster.
    """
    counts = np.bincount(reference * k + other, minlength=k * k).reshape(k, k)
    sizes = counts.sum(axis=1)
    union = sizes[:, None] + counts.sum(axis=0)[None, :] - counts
    jaccard = counts / np.maximum(union, 1)
    best = jaccard.argmax(axis=1)
    share = counts.sum(axis=0)[best] / max(len(reference), 1)
    empty = sizes == 0
    return np.where(empty, np.nan, jaccard.max(axis=1)), np.where(empty, np.nan, share)


def _seed_runs(x: np.ndarray, labels: np.ndarray, k: int, config: Config) -> tuple[SeedRun, ...]:
    from sklearn.metrics import adjusted_rand_score

    from generator.analysis.kmeans import make_pipeline

    seeds = [config.random_state + step for step in range(1, SEEDS + 1)]
    runs = []
    for seed in seeds:
        fit = make_pipeline(config.scaling, k, seed, config.n_init).fit(x)
        runs.append(SeedRun(seed, float(adjusted_rand_score(labels, fit.predict(x)))))
    return tuple(runs)
