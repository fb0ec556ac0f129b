"""DuckDB's per-row arithmetic: the sample key and sample, bins at their edges, exact sums."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.config.engine import EngineSettings
from generator.engine.session import Engine
from tests.engine.keys import check_bins, check_sample, check_sample_keys, check_sums

pytest.importorskip("duckdb")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    from generator.engine.duck import DuckEngine

    with DuckEngine(EngineSettings(name="duckdb", threads=2), tmp_path / "spill") as duck:
        yield duck


def test_sample_keys_are_the_reference(engine: Engine, tmp_path: Path) -> None:
    check_sample_keys(engine, tmp_path)


def test_the_sample_is_the_smallest_keys(engine: Engine, tmp_path: Path) -> None:
    check_sample(engine, tmp_path)


def test_bins_are_numpys_at_every_edge(engine: Engine, tmp_path: Path) -> None:
    check_bins(engine, tmp_path)


def test_narrow_fixed_point_sums_are_exact(engine: Engine, tmp_path: Path) -> None:
    check_sums(engine, tmp_path)
