"""K-Means segmentation: search k, choose it by several signals, fit, and order the segments.

Segment identity never comes from scikit-learn's label numbers: segments are ordered by the
level of each feature (High before Low), then by centroid, so shuffled rows give the same result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, pairwise_distances
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, RobustScaler, StandardScaler
from threadpoolctl import threadpool_limits

from generator.analysis.levels import segment_levels
from generator.config.settings import LEVELS, Config
from generator.errors import DataError
from generator.model import (
    Agreement,
    CustomerTable,
    FrozenMap,
    KChoice,
    KScore,
    Scaler,
    Segmentation,
)
from generator.runtime.timing import stage

SILHOUETTE_ROWS = 5_000
SILHOUETTE_BLOCK = 1_000


def make_pipeline(scaling: str, k: int, random_state: int, n_init: int) -> Pipeline:
    """The scaler and K-Means in one pipeline, with explicit ``n_init`` and ``random_state``."""
    steps: list[tuple[str, Any]] = []
    if scaling == "log":
        steps.append(("log1p", FunctionTransformer(np.log1p, np.expm1, check_inverse=False)))
    steps.append(("scale", RobustScaler() if scaling == "robust" else StandardScaler()))
    steps.append(("kmeans", KMeans(n_clusters=k, n_init=n_init, random_state=random_state)))
    return Pipeline(steps)


def segment(table: CustomerTable, config: Config) -> Segmentation:
    """Search k on a sample, fit the chosen k on every row, and order the segments.

    The search fits every candidate k on at most ``config.sample_size`` rows and scores the
    silhouette on at most ``SILHOUETTE_ROWS`` of them; the chosen k is then refitted on every
    row, starting from the sample's centroids. ``search_rows`` and ``silhouette_rows`` record
    the sample sizes for the methodology page.

    Raises:
        DataError: When there are fewer distinct customers than segments to find.
    """
    x = table.feature_matrix()
    rng = np.random.default_rng(config.random_state)
    search = _sample(x, config.sample_size, rng)
    k_range = _k_range(x, search, config)
    # One thread for the many small fits: OpenMP's barriers cost more than they save on a
    # 20k-row sample and stall badly when the cores are shared; it also makes the search's
    # floating-point sums independent of the machine's core count.
    with stage("k_search", total=len(k_range)) as advance, threadpool_limits(limits=1):
        fits, scores, silhouette_rows = _search(search, config, k_range, rng, advance)
        choice = choose_k(scores, config.k)
    with stage("fit"):
        final = fits[choice.k]
        if len(search) < len(x):
            final = _warm_fit(x, config, _centroids(final))
            labels = final.named_steps["kmeans"].labels_
        else:
            labels = final.predict(x)
        return _ordered(x, final, labels, scores, choice, len(search), silhouette_rows)


def _k_range(x: np.ndarray, search: np.ndarray, config: Config) -> list[int]:
    high = max(config.k_max, config.k or 0)
    # Counting distinct rows is a sort of every row: the sample usually proves there are enough.
    distinct = len(np.unique(search, axis=0))
    if distinct <= high and len(search) < len(x):
        distinct = len(np.unique(x, axis=0))
    return k_range_for(distinct, config)


def k_range_for(distinct: int, config: Config) -> list[int]:
    """The candidate k for a table with ``distinct`` distinct customers.

    Raises:
        DataError: When there are too few distinct customers for the configured k.
    """
    if config.k is not None:
        # Silhouette and the fit need at least one more distinct point than segments.
        if distinct <= config.k:
            raise DataError(
                f"{config.data_path}: n_customers={distinct} distinct should be > k={config.k} "
                "(customers with equal feature values count once; lower k)"
            )
        # Still score the search range so the site can show the evidence beside the fixed k.
        low, high = min(config.k_min, config.k), max(config.k_max, config.k)
    else:
        low, high = config.k_min, config.k_max
    high = min(high, distinct - 1)
    if high < low or (config.k is None and distinct <= config.k_min):
        raise DataError(
            f"n_customers={distinct} distinct should be > k_min={config.k_min} to search for k"
        )
    return list(range(low, high + 1))


def _sample(x: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    if len(x) <= size:
        return x
    rows = np.sort(rng.choice(len(x), size=size, replace=False))
    return x[rows]


def _search(
    x: np.ndarray,
    config: Config,
    k_range: list[int],
    rng: np.random.Generator,
    advance: Callable[[int], None],
) -> tuple[dict[int, Pipeline], tuple[KScore, ...], int]:
    """Fit and score every candidate k on ``x``; return the fits, scores and silhouette rows."""
    rows = rng.choice(len(x), SILHOUETTE_ROWS, replace=False) if len(x) > SILHOUETTE_ROWS else None
    fits: dict[int, Pipeline] = {}
    for k in k_range:
        fits[k] = _fit(x, config, k)
        advance(1)
    # Every k's pipeline fitted the same scaler on the same rows: scale once.
    scaled = fits[k_range[0]][:-1].transform(x)
    labels = [fits[k].named_steps["kmeans"].labels_ for k in k_range]
    sil_points = scaled if rows is None else scaled[rows]
    sil = silhouettes(sil_points, [lab if rows is None else lab[rows] for lab in labels])
    scores = tuple(_score(scaled, fits[k], s) for k, s in zip(k_range, sil, strict=True))
    return fits, scores, len(sil_points)


def _fit(x: np.ndarray, config: Config, k: int) -> Pipeline:
    return make_pipeline(config.scaling, k, config.random_state, config.n_init).fit(x)


def _centroids(pipeline: Pipeline) -> np.ndarray:
    """Centroids in original units (the inverse of the scaling steps)."""
    centers: np.ndarray = pipeline.named_steps["kmeans"].cluster_centers_
    return np.asarray(pipeline[:-1].inverse_transform(centers), dtype=np.float64)


def _warm_fit(x: np.ndarray, config: Config, centroids: np.ndarray) -> Pipeline:
    """Fit every row, starting K-Means from the sample's centroids (given in original units)."""
    k = len(centroids)
    pipeline = make_pipeline(config.scaling, k, config.random_state, config.n_init)
    scaled = pipeline[:-1].fit_transform(x)  # the scaler is fitted once, on every row
    kmeans = pipeline.named_steps["kmeans"]
    # copy_x=False: K-Means may centre our private scaled copy in place instead of copying it.
    kmeans.set_params(init=pipeline[:-1].transform(centroids), n_init=1, copy_x=False)
    kmeans.fit(scaled)
    return pipeline


def _score(scaled: np.ndarray, pipeline: Pipeline, silhouette: float) -> KScore:
    kmeans = pipeline.named_steps["kmeans"]
    return KScore(
        k=int(kmeans.n_clusters),
        inertia=float(kmeans.inertia_),
        silhouette=silhouette,
        calinski_harabasz=float(calinski_harabasz_score(scaled, kmeans.labels_)),
        davies_bouldin=float(davies_bouldin_score(scaled, kmeans.labels_)),
    )


def silhouettes(points: np.ndarray, labelings: list[np.ndarray]) -> list[float]:
    """Mean silhouette coefficient (as scikit-learn defines it) of each labelling of ``points``.

    The pairwise distances are computed once for every labelling, a block of rows at a time
    (memory stays near ``SILHOUETTE_BLOCK`` x n), and one matrix product per block gives each
    row's distance sum to every cluster, where scikit-learn loops over rows. A sample alone in
    its cluster scores 0.
    """
    n = len(points)
    coded = [np.unique(labels, return_inverse=True) for labels in labelings]
    onehots = [np.eye(len(clusters))[codes] for clusters, codes in coded]
    sums = [np.empty((n, onehot.shape[1])) for onehot in onehots]
    for start in range(0, n, SILHOUETTE_BLOCK):
        stop = min(start + SILHOUETTE_BLOCK, n)
        block = pairwise_distances(points[start:stop], points)
        block[np.arange(stop - start), np.arange(start, stop)] = 0.0  # exact self-distance
        for total, onehot in zip(sums, onehots, strict=True):
            total[start:stop] = block @ onehot
    return [
        _mean_silhouette(total, codes, onehot.sum(axis=0))
        for total, (_, codes), onehot in zip(sums, coded, onehots, strict=True)
    ]


def _mean_silhouette(sums: np.ndarray, codes: np.ndarray, sizes: np.ndarray) -> float:
    if len(sizes) < 2:
        return 0.0
    rows = np.arange(len(codes))
    own_size = sizes[codes] - 1
    a = np.divide(sums[rows, codes], own_size, out=np.zeros(len(codes)), where=own_size > 0)
    means = sums / sizes
    means[rows, codes] = np.inf
    b = means.min(axis=1)
    scores = np.where(own_size > 0, (b - a) / np.maximum(a, b), 0.0)
    return float(np.nan_to_num(scores).mean())


def choose_k(scores: tuple[KScore, ...], fixed: int | None) -> KChoice:
    """Pick k by three signals and say why.

    The rule: the silhouette maximum, the Davies-Bouldin minimum and the elbow of inertia each
    vote for a k. A k with two or more votes wins; when all three disagree the silhouette
    maximum wins, because it measures separation directly. A k fixed in the config always wins.
    """
    signals = {
        "silhouette": max(scores, key=lambda s: (s.silhouette, -s.k)).k,
        "davies_bouldin": min(scores, key=lambda s: (s.davies_bouldin, s.k)).k,
        "elbow": elbow([s.k for s in scores], [s.inertia for s in scores]),
    }
    votes = Counter(signals.values())
    best, count = max(votes.items(), key=lambda kv: (kv[1], kv[0] == signals["silhouette"]))
    k = fixed if fixed is not None else (best if count >= 2 else signals["silhouette"])
    return KChoice(k, fixed is None, FrozenMap(signals), _agreement(k, fixed, signals))


def elbow(ks: list[int], inertia: list[float]) -> int:
    """The k farthest below the straight line from the first to the last inertia (kneedle)."""
    if len(ks) < 3:
        return ks[0]
    x = (np.asarray(ks, dtype=float) - ks[0]) / (ks[-1] - ks[0])
    span = inertia[0] - inertia[-1]
    y = (np.asarray(inertia) - inertia[-1]) / span if span > 0 else np.zeros(len(ks))
    return int(ks[int(np.argmax((1 - x) - y))])


def _agreement(k: int, fixed: int | None, signals: dict[str, int]) -> Agreement:
    """How the chosen k came about; ``templates/partials/k_reason.j2`` says it in words."""
    if fixed is not None:
        return "fixed"
    agree = sum(value == k for value in signals.values())
    return "all" if agree == 3 else "two" if agree == 2 else "none"


def _ordered(
    x: np.ndarray,
    pipeline: Pipeline,
    labels: np.ndarray,
    scores: tuple[KScore, ...],
    choice: KChoice,
    search_rows: int,
    silhouette_rows: int,
) -> Segmentation:
    """Put segments in order: High before Low for each feature in turn, then by centroid.

    Levels come from each segment's mean in original units (``analysis/levels.py``), the number
    the pages publish; the centroid stays in the model (``model.json``) and breaks ties.
    """
    centroids = _centroids(pipeline)
    levels = segment_levels(x, labels, len(centroids))
    keys = [(*(-levels[i]), *(-centroids[i])) for i in range(len(centroids))]
    order = sorted(range(len(centroids)), key=lambda i: keys[i])
    new_index = np.empty(len(order), dtype=np.int64)
    new_index[order] = np.arange(len(order))
    scaled = pipeline.named_steps["kmeans"].cluster_centers_
    return Segmentation(
        labels=new_index[labels].astype(np.int32),
        centroids=centroids[order],
        scaled_centroids=np.asarray(scaled)[order],
        scaler=_scaler_params(pipeline),
        levels=tuple(tuple(LEVELS[v] for v in levels[i]) for i in order),
        scores=scores,
        choice=choice,
        search_rows=search_rows,
        silhouette_rows=silhouette_rows,
    )


def _scaler_params(pipeline: Pipeline) -> Scaler:
    """The fitted scaling step as a ``Scaler`` record."""
    scaler = pipeline.named_steps["scale"]
    center = scaler.mean_ if isinstance(scaler, StandardScaler) else scaler.center_
    return Scaler(
        log1p="log1p" in pipeline.named_steps,
        center=tuple(float(v) for v in center),
        scale=tuple(float(v) for v in scaler.scale_),
    )
