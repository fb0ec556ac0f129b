"""DuckDB against the local engine on what reads every customer: levels, percentiles, the map.

A driver's sample cannot give these (a level ranks a segment's customers against everyone);
each is measured by the engine and compared with the local engine's function on all rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

from generator.analysis.engine_levels import counted_whole, levels_whole
from generator.analysis.engine_map import passing, reaching
from generator.analysis.levels import Counted, segment_levels
from generator.analysis.run import run_analysis
from generator.config.settings import Config, EngineSettings, load_config
from generator.engine.session import CUSTOMERS, Engine
from generator.model import Analysis
from generator.report.charts.segmap import segment_map
from tests.conftest import blobs, write_config
from tests.engine.parity import assert_same_map, assert_same_ranges, mall_like

pytest.importorskip("duckdb")


@pytest.fixture
def duck(tmp_path: Path) -> Iterator[Engine]:
    from generator.engine.duck import DuckEngine

    with DuckEngine(EngineSettings(name="duckdb"), tmp_path / "tmp") as engine:
        yield engine


def _register(engine: Engine, frame: pd.DataFrame) -> None:
    engine.connection.register("frame_input", frame)  # type: ignore[attr-defined]
    engine.view(CUSTOMERS, "SELECT * FROM frame_input")


def _columns(n: int, seed: int) -> pd.DataFrame:
    """Every branch of the level rules: spread, skew, ties, zero-inflated, 0/1, a 1/2 code."""
    rng = np.random.default_rng(seed)
    spend = rng.lognormal(3, 1.2, n).round(1)
    spend[rng.random(n) < 0.45] = 0.0  # zero-inflated: None where a segment is mostly zeros
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, n).astype(float),  # many ties
            "income": rng.normal(60, 20, n).round(2),
            "spend": spend,
            "flag": (rng.random(n) < 0.12).astype(float),
            "channel": rng.integers(1, 3, n).astype(float),
            "visits": rng.poisson(0.6, n).astype(float),  # zeros, ties, a long tail
        }
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_levels_over_every_row_are_the_local_levels(duck: Engine, seed: int) -> None:
    n, k = 3_000, 6
    frame = _columns(n, seed)
    x = frame.to_numpy(dtype=np.float64)
    # Segments that lean on every column, so that every level occurs somewhere.
    rng = np.random.default_rng(seed + 10)
    order = np.argsort(x[:, 2] + 15 * x[:, 3] + rng.normal(0, 20, n))
    labels = np.empty(n, dtype=np.int64)
    labels[order] = np.minimum(np.arange(n) * k // n, k - 1)
    labels[rng.random(n) < 0.05] = k - 1  # a segment with a mix of everything
    _register(duck, frame.assign(segment=labels))
    features = tuple(frame.columns)
    spread = x.std(axis=0).tolist()
    got = levels_whole(duck, f"SELECT * FROM {CUSTOMERS}", features, k, spread)
    expected = segment_levels(x, labels, k)
    assert got.tolist() == expected.tolist()
    # None, Low, Mixed, Medium and High occur
    assert {0, 1, 2, 3, 4} <= set(expected.ravel().tolist())
    counted = counted_whole(duck, f"SELECT * FROM {CUSTOMERS}", features, k, spread)
    for j, column in enumerate(counted):
        _assert_counts(x[:, j], labels, k, column)
    # With the values' bounds the sums come from the tables (count times value): the same digits.
    bounds = np.abs(x).max(axis=0).tolist()
    short = counted_whole(duck, f"SELECT * FROM {CUSTOMERS}", features, k, spread, bounds)
    long = counted_whole(duck, f"SELECT * FROM {CUSTOMERS}", features, k, spread)
    assert [c.sums.tolist() for c in short] == [c.sums.tolist() for c in long]


def _assert_counts(values: np.ndarray, labels: np.ndarray, k: int, counted: Counted) -> None:
    """Every count the rules read, as the local engine counts it from the rows."""
    ordered = np.sort(values)
    assert counted.sizes.tolist() == np.bincount(labels, minlength=k).tolist()
    assert counted.ones.tolist() == np.bincount(labels, values <= 1, k).astype(int).tolist()
    medians = [
        np.quantile(values[labels == i], 0.5) if (labels == i).any() else np.nan for i in range(k)
    ]
    np.testing.assert_array_equal(counted.medians, medians)
    assert counted.median == np.quantile(values, 0.5)
    tops = np.bincount(labels, values == ordered[-1], k).astype(int)
    assert counted.tops.tolist() == tops.tolist()
    assert counted.zeros.tolist() == np.bincount(labels, values == 0, k).astype(int).tolist()
    np.testing.assert_allclose(counted.sums, np.bincount(labels, values, k), rtol=1e-12)
    assert counted.lowest == ordered[0]
    assert counted.two_valued == (len(np.unique(values)) == 2)


def test_an_empty_segment_gets_the_local_level(duck: Engine) -> None:
    frame = _columns(500, 3)
    labels = (frame["income"] > 60).astype(np.int64).to_numpy()  # segment 2 has nobody
    _register(duck, frame.assign(segment=labels))
    spread = frame.to_numpy(dtype=float).std(axis=0).tolist()
    got = levels_whole(duck, f"SELECT * FROM {CUSTOMERS}", tuple(frame.columns), 3, spread)
    assert got.tolist() == segment_levels(frame.to_numpy(dtype=float), labels, 3).tolist()


WHOLE = """
engine: ENGINE
data: {path: TABLE, id_column: client}
features: [visits, basket, recency]
describe: [tenure, score]
k: 4
sample_size: 2000
"""


def _whole_configs(
    folder: Path, rows: int, settings: str = "", far: float = 0.0
) -> tuple[Path, Path]:
    """Four separated clusters, 10 times the sample: the sample's figures are not the table's.

    Separated, so the engine's own-sample fit labels every customer as the local fit does, and
    every other published figure can be compared exactly.
    """
    sizes = [rows * 4 // 10, rows * 3 // 10, rows * 2 // 10, rows // 10]
    x = blobs(sizes, [[5, 20, 90], [30, 80, 10], [60, 40, 50], [10, 90, 80]], seed=3)
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"client": [f"C{i:07d}" for i in range(len(x))]})
    frame[["visits", "basket", "recency"]] = np.abs(x)
    frame["tenure"] = np.minimum(np.round(x[:, 0] / 6 + rng.exponential(3, len(x))), 30)
    frame["score"] = (x[:, 1] + rng.normal(0, 25, len(x))).round(1)
    frame.loc[:4, "visits"] = 400.0  # beyond the map's far fence: counted outside, not drawn
    if far:
        frame.loc[5:9, "basket"] = far  # beyond the far fence of a log axis
    table = folder / "blobs.parquet"
    folder.mkdir(parents=True, exist_ok=True)
    frame.sample(frac=1.0, random_state=1).to_parquet(table, index=False)
    text = WHOLE.replace("TABLE", str(table)) + settings
    return (
        write_config(folder / "local", text.replace("ENGINE", "local")),
        write_config(folder / "duckdb", text.replace("ENGINE", "duckdb")),
    )


@pytest.fixture(scope="module")
def whole_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Analysis, Analysis, Config]:
    local_path, duck_path = _whole_configs(tmp_path_factory.mktemp("whole"), 20_000)
    duck_config = load_config(duck_path)
    local, duck = run_analysis(load_config(local_path)), run_analysis(duck_config)
    assert duck.segmentation.search_rows == 2_000 and duck.table.n_customers == 20_000
    assert [p.size for p in local.profiles] == [p.size for p in duck.profiles]
    return local, duck, duck_config


def test_levels_and_labels_on_a_table_larger_than_the_sample(whole_pair) -> None:
    local, duck, _ = whole_pair
    assert local.segmentation.levels == duck.segmentation.levels
    assert [p.levels for p in local.profiles] == [p.levels for p in duck.profiles]
    assert [p.name for p in local.profiles] == [p.name for p in duck.profiles]


def test_the_ranges_charts_place_values_among_every_customer(whole_pair) -> None:
    local, duck, _ = whole_pair
    assert_same_ranges(local, duck)


def test_the_map_is_the_local_map(whole_pair) -> None:
    local, duck, config = whole_pair
    assert config.map_axes is None  # chosen on every customer: the best separating pair
    assert_same_map(local, duck, config)


@pytest.mark.parametrize(
    ("settings", "outside"),
    [
        # 5 beyond the axes, under min_group_size=10: hidden ("fewer than 10"), as locally.
        ("map: [visits, basket]\n", None),
        ("scaling: log\nmap: [basket, visits]\n", None),
        ("privacy: {individual_points: true, min_group_size: 10}\nmap: [visits, basket]\n", 5),
        ("privacy: {individual_points: false, min_group_size: 400}\n", 0),
    ],
)
def test_the_map_is_the_local_map_on_log_axes_points_and_large_groups(
    tmp_path: Path, settings: str, outside: int | None
) -> None:
    far = 1e5 if "log" in settings else 0.0
    local_path, duck_path = _whole_configs(tmp_path, 12_000, settings, far)
    config = load_config(duck_path)
    local, duck = run_analysis(load_config(local_path)), run_analysis(config)
    assert [p.size for p in local.profiles] == [p.size for p in duck.profiles]
    assert_same_map(local, duck, config)
    assert segment_map(duck, config).facts["outside"] == outside


@pytest.mark.parametrize("edge", [0.0, 1e-12, 0.3, 1.0, np.log1p(20.0), 4.605170185988092, 11.5])
def test_a_log_cell_edge_becomes_the_first_number_numpy_puts_past_it(edge: float) -> None:
    low, high = reaching(edge), passing(edge)
    assert np.log1p(low) >= edge > np.log1p(np.nextafter(low, -np.inf))
    assert np.log1p(high) > edge >= np.log1p(np.nextafter(high, -np.inf))


def test_own_sample_on_overlapping_clusters_differs_only_by_the_stopping_rule(
    tmp_path: Path,
) -> None:
    """Two samples start Lloyd at two places; each stops at scikit-learn's tolerance.

    The rule stops when the squared shifts of all centres in one iteration sum to at most
    ``1e-4`` of the mean variance, so a centre may still move ~1e-2 sd per iteration: on
    overlapping clusters the two fits stop some 1e-3 sd apart (3.4e-3 here). Run on with no
    tolerance, each reaches a fixed point of Lloyd's algorithm within three iterations; on
    overlapping clusters these may be two neighbouring fixed points (here 1.0e-3 sd apart, a
    few border customers assigned the other way) of the same quality: their inertias agree to
    1e-6. So the engine's sample, seeding and Lloyd are not what differs.
    """
    local_config = load_config(mall_like(tmp_path, 20_000, "local", sample_size=2_000))
    duck_config = load_config(mall_like(tmp_path, 20_000, "duckdb", sample_size=2_000))
    local, duck = run_analysis(local_config), run_analysis(duck_config)
    assert duck.segmentation.search_rows == 2_000 and local.segmentation.k == duck.segmentation.k
    sizes = np.array([p.size for p in local.profiles]) - np.array([p.size for p in duck.profiles])
    assert np.abs(sizes).max() <= 0.001 * 20_000, sizes
    frame = local.table.frame[list(local.table.features)].to_numpy(dtype=np.float64)
    mean, sd = frame.mean(axis=0), frame.std(axis=0)
    gap = np.abs(local.segmentation.centroids - duck.segmentation.centroids) / sd
    assert gap.max() < 1e-2, gap  # the stopping rule's scale, not 1e-3 on overlapping clusters
    converged = [
        KMeans(len(c), init=(c - mean) / sd, n_init=1, tol=0.0, max_iter=1_000).fit(
            (frame - mean) / sd
        )
        for c in (local.segmentation.centroids, duck.segmentation.centroids)
    ]
    centres = [fit.cluster_centers_ for fit in converged]
    np.testing.assert_allclose(centres[1], centres[0], rtol=0, atol=2e-3)
    assert converged[1].inertia_ == pytest.approx(converged[0].inertia_, rel=1e-5)


KINDS = """
engine: ENGINE
data: {path: TABLE, id_column: client}
features: [visits, basket]
describe: [member, born]
k: 3
sample_size: 1000
"""


@pytest.mark.parametrize(("code", "year"), [(2.0, 3000.0), (0.5, 1975.5)])
def test_rates_and_years_are_read_on_every_customer(
    tmp_path: Path, code: float, year: float
) -> None:
    """A 0/1 column in the sample with a 2 elsewhere is no rate; a year of 3000 makes no years.

    Nor do a 0.5 and a 1975.5, which leave the columns' extremes those of a rate and of years.
    """
    x = blobs([4_000, 3_000, 1_000], [[5, 20], [30, 80], [60, 40]], seed=2)
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"client": [f"C{i:05d}" for i in range(len(x))]})
    frame[["visits", "basket"]] = np.abs(x)
    frame["member"] = (rng.random(len(x)) < 0.3).astype(float)
    frame["born"] = rng.integers(1940, 2005, len(x)).astype(float)
    table = tmp_path / "kinds.parquet"
    frame.to_parquet(table, index=False)
    text = KINDS.replace("TABLE", str(table))
    duck_path = write_config(tmp_path / "duckdb", text.replace("ENGINE", "duckdb"))
    first = run_analysis(load_config(duck_path))
    assert (first.population.rates, first.population.years) == (("member",), ("born",))
    sampled = set(first.table.frame["client"])
    elsewhere = frame.index[~frame["client"].isin(sampled)][:3]
    frame.loc[elsewhere, "member"] = code
    frame.loc[elsewhere, "born"] = year
    frame.to_parquet(table, index=False)
    local_path = write_config(tmp_path / "local", text.replace("ENGINE", "local"))
    local, duck = run_analysis(load_config(local_path)), run_analysis(load_config(duck_path))
    assert set(duck.table.frame["client"]) == sampled  # the sample alone still looks 0/1
    assert (local.population.rates, local.population.years) == ((), ())
    assert (duck.population.rates, duck.population.years) == ((), ())
    assert [i.kind for i in duck.population.insights] == [i.kind for i in local.population.insights]


ONE_FEATURE = """
engine: ENGINE
data: {path: TABLE, id_column: client}
features: [basket]
describe: [visits]
k: 3
"""


def test_one_feature_places_the_ranges_without_a_map(tmp_path: Path) -> None:
    """With one feature there is no map: the ranges charts' counts take a scan of their own."""
    x = blobs([600, 300, 100], [[5, 20], [30, 80], [60, 40]], seed=3)
    frame = pd.DataFrame({"client": [f"C{i:05d}" for i in range(len(x))]})
    frame[["visits", "basket"]] = np.abs(x).round(0)
    table = tmp_path / "one.parquet"
    frame.to_parquet(table, index=False)
    text = ONE_FEATURE.replace("TABLE", str(table))
    local_path = write_config(tmp_path / "local", text.replace("ENGINE", "local"))
    duck_path = write_config(tmp_path / "duckdb", text.replace("ENGINE", "duckdb"))
    local, duck = run_analysis(load_config(local_path)), run_analysis(load_config(duck_path))
    assert duck.table.whole.segment_map is None
    assert duck.table.whole.percentiles["visits"]
    assert_same_ranges(local, duck)
