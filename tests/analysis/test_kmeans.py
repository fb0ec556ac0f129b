from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from generator.analysis.kmeans import choose_k, elbow, segment
from generator.analysis.run import load_table
from generator.config.settings import load_config
from generator.errors import DataError
from generator.model import KScore
from generator.report.summary import k_reason
from tests.conftest import MALL_CONFIG


@pytest.fixture(scope="module")
def mall():
    config = load_config(MALL_CONFIG)
    return config, load_table(config)


def test_mall_auto_k_is_five_with_known_sizes(mall) -> None:
    config, table = mall
    seg = segment(table, config)
    assert seg.k == 5
    assert list(np.bincount(seg.labels)) == [39, 35, 81, 22, 23]
    assert seg.levels == (
        ("High", "High"),
        ("High", "Low"),
        ("Medium", "Medium"),
        ("Low", "High"),
        ("Low", "Low"),
    )
    assert seg.choice.signals == {"silhouette": 5, "davies_bouldin": 5, "elbow": 5}
    assert [s.k for s in seg.scores] == list(range(2, 11))


def test_every_k_has_four_metrics(mall) -> None:
    config, table = mall
    for score in segment(table, config).scores:
        assert score.inertia > 0 and -1 <= score.silhouette <= 1
        assert score.calinski_harabasz > 0 and score.davies_bouldin > 0


def test_centroids_are_in_original_units(mall) -> None:
    config, table = mall
    seg = segment(table, config)
    x = table.feature_matrix()
    for i in range(seg.k):
        np.testing.assert_allclose(seg.centroids[i], x[seg.labels == i].mean(axis=0), rtol=1e-6)


@pytest.mark.parametrize("scaling", ["standard", "robust", "log"])
def test_every_scaling_finds_segments(mall, scaling: str) -> None:
    config, table = mall
    seg = segment(table, replace(config, scaling=scaling, k=5))
    assert seg.k == 5 and len(np.unique(seg.labels)) == 5
    assert seg.scaler.log1p is (scaling == "log")


def test_fixed_k_is_used_and_explained(mall) -> None:
    config, table = mall
    seg = segment(table, replace(config, k=6))
    assert seg.k == 6 and not seg.choice.auto
    assert k_reason(seg.choice).startswith(
        "Set in the config; for comparison, silhouette is highest at k=5"
    )


@pytest.mark.parametrize(("rows", "k"), [(3, 5), (5, 5), (6, 6)])
def test_fewer_distinct_customers_than_k(mall, rows: int, k: int) -> None:
    config, table = mall
    small = replace(table, frame=table.frame.head(rows))
    distinct = len(small.frame[list(config.feature_columns)].drop_duplicates())
    with pytest.raises(DataError) as info:
        segment(small, replace(config, k=k))
    assert str(info.value) == (
        f"{config.data_path}: n_customers={distinct} distinct should be > k={k} (customers "
        "with equal feature values count once; lower k)"
    )


def _scores(sil: list[float], db: list[float], inertia: list[float]) -> tuple[KScore, ...]:
    return tuple(
        KScore(k, i, s, 1.0, d)
        for k, s, d, i in zip(range(2, 2 + len(sil)), sil, db, inertia, strict=True)
    )


@pytest.mark.parametrize(
    ("sil", "db", "inertia", "k", "start"),
    [
        (
            [0.3, 0.5, 0.4, 0.2],
            [1.0, 0.5, 0.7, 0.9],
            [100, 30, 25, 22],
            3,
            "All three signals agree",
        ),
        (
            [0.3, 0.5, 0.4, 0.2],
            [1.0, 0.8, 0.5, 0.9],
            [100, 30, 25, 22],
            3,
            "Two of three signals agree on k=3",
        ),
        ([0.3, 0.5, 0.4, 0.2], [1.0, 0.8, 0.7, 0.5], [100, 90, 20, 18], 3, "The signals disagree"),
    ],
)
def test_choose_k_rule(sil, db, inertia, k: int, start: str) -> None:
    choice = choose_k(_scores(sil, db, inertia), None)
    assert choice.k == k and choice.auto
    assert k_reason(choice).startswith(start)


def test_elbow_is_the_point_farthest_below_the_chord() -> None:
    assert elbow([2, 3, 4, 5, 6], [100, 40, 30, 25, 22]) == 3
    assert elbow([2, 3], [10, 5]) == 2


def test_sampled_search_fits_all_rows(tmp_path: Path, mall) -> None:
    config, table = mall
    big = replace(
        table,
        frame=table.frame.sample(n=3000, replace=True, random_state=1)
        .assign(CustomerID=range(3000))
        .reset_index(drop=True),
    )
    seg = segment(big, replace(config, sample_size=1000))
    assert seg.search_rows == 1000 and len(seg.labels) == 3000 and seg.k == 5
