"""Engine invariants on 100k synthetic Mall-like customers (kept to a few seconds)."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import yaml

from benchmarks.make_data import make_table, write
from generator.analysis.kmeans import SILHOUETTE_ROWS
from generator.analysis.run import run_analysis
from generator.config.settings import load_config
from generator.report.summary import summary, to_json
from generator.runtime.timing import recording
from tests.conftest import MALL_CONFIG

ROWS = 100_000
MALL_LEVELS = (
    ("High", "High"),
    ("High", "Low"),
    ("Medium", "Medium"),
    ("Low", "High"),
    ("Low", "Low"),
)


def _config(folder: Path, table: pa.Table, name: str) -> Path:
    write(table, folder / name)
    config = yaml.safe_load(MALL_CONFIG.read_text(encoding="utf-8"))
    config["data"]["path"] = name
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scale(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("scale")
    table, clusters = make_table(ROWS)
    with recording() as seconds:
        analysis = run_analysis(load_config(_config(folder, table, "customers.csv")))
    return folder, table, clusters, analysis, seconds


def test_five_segments_found_in_the_mall_order(scale) -> None:
    _, _, _, analysis, _ = scale
    seg = analysis.segmentation
    assert seg.k == 5 and seg.choice.auto
    assert seg.levels == MALL_LEVELS
    assert analysis.table.n_customers == ROWS


def test_segments_recover_the_generated_clusters(scale) -> None:
    _, _, clusters, analysis, _ = scale
    labels = analysis.segmentation.labels  # rows are sorted by ID, as generated
    generated = np.bincount(clusters, minlength=5)
    found = np.bincount(labels, minlength=5)
    assert np.all(np.abs(found - generated) / generated < 0.15), (found, generated)
    assert (labels == clusters).mean() > 0.9


def test_sampling_is_recorded_for_the_methodology_page(scale) -> None:
    _, _, _, analysis, seconds = scale
    seg = analysis.segmentation
    assert seg.search_rows == 20_000 and seg.silhouette_rows == SILHOUETTE_ROWS
    assert len(seg.labels) == ROWS
    assert set(seconds) == {"load", "validate", "k_search", "fit", "profile"}


def test_shuffled_parquet_gives_the_same_summary(scale) -> None:
    folder, table, _, analysis, _ = scale
    order = np.random.default_rng(5).permutation(ROWS)
    shuffled = _config(folder, table.take(pa.array(order)), "shuffled.parquet")
    again = run_analysis(load_config(shuffled))
    assert to_json(summary(again)) == to_json(summary(analysis))


CHART_BUDGET = 40_000  # bytes per chart spec; the Mall's largest is about 22 kB
CHARTS_BUDGET = 300_000  # bytes for all chart specs together; the Mall's are about 200 kB


def test_chart_specs_stay_within_a_fixed_byte_budget(scale) -> None:
    from generator.release.prepare import prepare
    from generator.report.pages import build_pages

    folder, _, _, analysis, _ = scale
    config = load_config(folder / "customers.csv.yml")
    pages = build_pages(prepare(analysis, config, relock=True), config)
    specs = {p.path: len(p.content) for p in pages if p.path.startswith("charts/")}
    assert len(specs) == 30
    assert max(specs.values()) <= CHART_BUDGET, max(specs.items(), key=lambda kv: kv[1])
    assert sum(specs.values()) <= CHARTS_BUDGET
