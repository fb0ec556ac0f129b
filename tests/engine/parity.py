"""Shared checks of the engine parity tests: the same table through two engines."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import yaml

from benchmarks.make_data import make_table
from generator.config.settings import Config
from generator.model import Analysis, ChartSpec
from generator.report.charts.persona import describe_ranges
from generator.report.charts.segmap import map_columns, segment_map
from tests.conftest import MALL_CONFIG, ROOT


def mall_like(folder: Path, rows: int, engine: str, **settings: object) -> Path:
    """A Mall-like Parquet table of ``rows`` customers and its config for ``engine``."""
    folder.mkdir(parents=True, exist_ok=True)
    table_path = folder / "customers.parquet"
    if not table_path.exists():
        pq.write_table(make_table(rows)[0], table_path)
    config = yaml.safe_load(MALL_CONFIG.read_text(encoding="utf-8"))
    config["data"]["path"] = table_path.name
    config["privacy"]["individual_points"] = False
    config.update({"engine": engine, **settings})
    path = folder / f"{engine}.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


SHOP = """
data: {path: TABLE, id_column: client}
features: [spend, visits, member, tenure]
describe: [age, channel]
k: auto
k_max: 6
"""


def shop_like(folder: Path, rows: int, engine: str, seed: int, **settings: object) -> Path:
    """A table shaped like a shop's customers, and its config for ``engine``.

    Most customers spent nothing (the spend's lower quartile, and sometimes its median, is 0),
    a few spent 40 times more than the rest, ``member`` is a 0/1 flag held by few (its
    interquartile range is 0, so robust scaling keeps it in its own units), visits are counts,
    tenure whole months and age (described) whole years: the shapes that ``scaling: robust``
    and ``scaling: log`` are for.
    """
    folder.mkdir(parents=True, exist_ok=True)
    table_path = folder / f"shop-{rows}-{seed}.parquet"
    if not table_path.exists():
        rng = np.random.default_rng(seed)
        active = rng.random(rows) < 0.45
        spend = np.where(active, np.round(rng.lognormal(4.0, 1.0, rows), 2), 0.0)
        spend[rng.choice(rows, rows // 500, replace=False)] *= 40.0
        frame = pd.DataFrame({"client": [f"C{i:06d}" for i in range(rows)], "spend": spend})
        frame["visits"] = np.where(active, rng.poisson(6, rows), rng.poisson(0.5, rows))
        frame["member"] = (rng.random(rows) < np.where(active, 0.25, 0.05)).astype(np.int64)
        frame["tenure"] = np.round(rng.gamma(2.0, 12.0, rows))
        frame["age"] = rng.integers(18, 81, rows)
        frame["channel"] = rng.choice(["web", "store", "app"], rows, p=[0.5, 0.3, 0.2])
        # Outcomes: churn (text) more likely among the inactive, a response flag (0/1) rare.
        churned = rng.random(rows) < np.where(active, 0.15, 0.4)
        frame["churn"] = np.where(churned, "Yes", "No")
        frame["responded"] = (rng.random(rows) < 0.03).astype(np.int64)
        frame.to_parquet(table_path, index=False)
    config = yaml.safe_load(SHOP.replace("TABLE", table_path.name))
    config.update({"engine": engine, **settings})
    path = folder / f"{engine}.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def assert_same_sample_parity(local: Analysis, other: Analysis) -> None:
    """Same k, sizes and labels; centroids within 1e-9 relative; identical quartiles."""
    a, b = local.segmentation, other.segmentation
    assert a.k == b.k
    assert [p.size for p in local.profiles] == [p.size for p in other.profiles]
    assert np.array_equal(a.labels, b.labels)
    np.testing.assert_allclose(b.centroids, a.centroids, rtol=1e-9, atol=0)
    assert a.levels == b.levels
    for p, q in zip(local.profiles, other.profiles, strict=True):
        assert p.median == q.median
        assert list(p.numeric) == list(q.numeric)
        for column, s in p.numeric.items():
            t = q.numeric[column]
            assert (s.q1, s.median, s.q3) == (t.q1, t.median, t.q3), column
        assert p.categorical == q.categorical or _close(p.categorical, q.categorical)
        assert p.rule == q.rule  # learned on the same rows, scored on every row
        assert p.outcomes == q.outcomes  # counts, so exactly equal
        assert p.actions == q.actions
    assert local.population.outcomes == other.population.outcomes
    assert list(local.population.numeric) == list(other.population.numeric)
    for column, s in local.population.numeric.items():
        t = other.population.numeric[column]
        assert (s.q1, s.median, s.q3) == (t.q1, t.median, t.q3), column


def _close(a: Mapping[str, Mapping[str, float]], b: Mapping[str, Mapping[str, float]]) -> bool:
    """The same columns and values, in order, with shares equal to 12 digits."""
    return [(c, list(v)) for c, v in a.items()] == [(c, list(v)) for c, v in b.items()] and all(
        np.allclose(list(a[c].values()), list(b[c].values()), rtol=1e-12) for c in a
    )


def assert_own_sample_parity(local: Analysis, other: Analysis) -> None:
    """Same k; centres within 1e-3 standard deviations; sizes within 0.1% of the customers."""
    assert local.segmentation.k == other.segmentation.k
    frame = local.table.frame
    sd = frame[list(local.table.features)].std(ddof=0).to_numpy()
    gap = np.abs(local.segmentation.centroids - other.segmentation.centroids) / sd
    assert gap.max() < 1e-3, gap
    n = local.table.n_customers
    assert other.table.n_customers == n
    sizes = np.array([p.size for p in local.profiles]) - np.array([p.size for p in other.profiles])
    assert np.abs(sizes).max() <= 0.001 * n, sizes


def mall_project(folder: Path, engine: str) -> Path:
    """A copy of this project's Mall data (no lock, sidecar or history) built with ``engine``."""
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    shutil.copytree(
        ROOT / "data",
        folder / "data",
        ignore=shutil.ignore_patterns("*.lock.json", "*.assignments.*", "*.history.json"),
    )
    config = folder / "data" / "segments.yml"
    config.write_text(f"engine: {engine}\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def _domains(chart: ChartSpec) -> list[object]:
    layer = chart.spec["layer"][0]["encoding"]
    return [layer[a]["scale"]["domain"] for a in ("x", "y")]


def assert_same_map(local: Analysis, other: Analysis, config: Config) -> None:
    """The engine's map is the local map: axes, ranges, customers outside, every grid cell."""
    assert other.table.whole.segment_map is not None
    assert map_columns(other, config) == map_columns(local, config)
    highlights = [None, *(p.number for p in local.profiles)]
    for highlight in highlights:
        expected, got = (
            segment_map(local, config, highlight=highlight),
            segment_map(other, config, highlight=highlight),
        )
        assert expected is not None and got is not None
        assert got.facts == expected.facts
        assert _domains(got) == _domains(expected)
        if not config.privacy.individual_points:
            assert got.data_csv == expected.data_csv  # the grid's cells, after suppression
    centres = [[p.mean[c] for c in map_columns(local, config)] for p in local.profiles]
    got_centres = [[p.mean[c] for c in map_columns(other, config)] for p in other.profiles]
    np.testing.assert_allclose(got_centres, centres, rtol=1e-12)


def assert_same_ranges(local: Analysis, other: Analysis) -> None:
    """Every ranges chart the same: quartiles, and their percentiles among all customers."""
    for p, q in zip(local.profiles, other.profiles, strict=True):
        expected, got = describe_ranges(local, p), describe_ranges(other, q)
        assert expected is not None and got is not None
        assert got.spec == expected.spec, p.name
