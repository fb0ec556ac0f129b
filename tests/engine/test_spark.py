"""Spark parity: a local[2] session in this process, and one build through Spark Connect.

Needs the full pyspark (``segments[spark-local]``) and Java 17 (``make java``). Outside CI a
machine without them skips this module; under ``CI=true`` it fails instead. Spark's temporary,
warehouse and log folders stay inside the test's temporary folder.

Kept to about a minute: the Connect server starts with the module, so its JVM boots while the
local session's test runs; the DuckDB reference is generated while Spark builds; and both
sessions run with settings for tiny jobs (``TINY``): Spark compiles Java code for every query
plan, which costs more than interpreting 2,000 rows, and the Lloyd iterations are new plans
each time (their centres are literals). The results do not depend on these settings.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from generator.analysis.run import run_analysis
from generator.config.engine import EngineSettings
from generator.config.settings import load_config
from generator.release.engine_sidecar import write_sidecar
from tests.conftest import ROOT, run_cli
from tests.engine.keys import check_bins, check_sample, check_sample_keys, check_sums
from tests.engine.parity import (
    assert_same_map,
    assert_same_ranges,
    assert_same_sample_parity,
    mall_like,
    mall_project,
    shop_like,
)


def _missing() -> str:
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None or not (Path(spec.origin).parent / "jars").is_dir():
        return "the full pyspark is not installed (pip install 'segments[spark-local]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java 17 is not installed (make java)"
    return ""


MISSING = _missing()
pytestmark = pytest.mark.skipif(
    bool(MISSING) and os.environ.get("CI") != "true", reason=MISSING or "ready"
)


# Settings for tiny local jobs: interpreted expressions instead of generated Java code, no
# adaptive re-planning, two shuffle partitions for two cores.
TINY = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
}
# For every JVM the module starts (the local session's, the Connect server's): the quick
# compiler only, and the serial collector (start-up and warm-up are most of a test's time),
# and no performance-data file in the system's /tmp.
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"


@pytest.fixture(scope="module")
def spark_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """SEGMENTS_CACHE inside the test's folder: the engine puts Spark's folders under it.

    ``JAVA_TOOL_OPTIONS`` carries ``JAVA_OPTIONS`` to every JVM started meanwhile.
    """
    assert not MISSING, MISSING
    folder = tmp_path_factory.mktemp("spark-cache")
    java = " ".join(filter(None, [os.environ.get("JAVA_TOOL_OPTIONS", ""), JAVA_OPTIONS]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEGMENTS_CACHE", str(folder))
        patch.setenv("JAVA_TOOL_OPTIONS", java)
        yield folder


def test_local_session_gives_the_local_result(spark_cache: Path, tmp_path: Path) -> None:
    local = run_analysis(load_config(mall_like(tmp_path, 2_000, "local")))
    config = load_config(mall_like(tmp_path, 2_000, "spark", spark={"conf": TINY}))
    spark = run_analysis(config)
    assert_same_sample_parity(local, spark)
    assert_same_map(local, spark, config)
    assert_same_ranges(local, spark)
    written = pq.read_table(write_sidecar(config, spark, tmp_path / "sidecar")).to_pandas()
    labels = pd.Series(local.segmentation.labels + 1, index=local.table.frame["CustomerID"])
    got = written.set_index(written["CustomerID"].astype(np.int64))["segment"].sort_index()
    assert got.tolist() == labels.sort_index().tolist()
    assert (spark_cache / "engine-tmp" / "warehouse").parent.is_dir()
    assert not (Path.cwd() / "spark-warehouse").exists()


def test_robust_scaling_gives_the_local_result(spark_cache: Path, tmp_path: Path) -> None:
    """In the local session already started: medians and quartiles over every row, no refit."""
    settings = {"scaling": "robust", "k": 5, "outcomes": {"churn": "Yes", "responded": 1}}
    local = run_analysis(load_config(shop_like(tmp_path, 3_000, "local", 1, **settings)))
    config = load_config(shop_like(tmp_path, 3_000, "spark", 1, spark={"conf": TINY}, **settings))
    spark = run_analysis(config)
    assert spark.segmentation.scaler == local.segmentation.scaler
    assert_same_sample_parity(local, spark)


def test_per_row_arithmetic_is_the_reference(spark_cache: Path, tmp_path: Path) -> None:
    """The sample key and sample, the bins and the exact sums: as DuckDB computes them."""
    from generator.engine.spark import SparkEngine

    engine = SparkEngine(EngineSettings(name="spark"), spark_cache / "engine-tmp")
    check_sample_keys(engine, tmp_path)
    check_sample(engine, tmp_path)
    check_bins(engine, tmp_path)
    check_sums(engine, tmp_path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module", autouse=True)
def _booting_server(spark_cache: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A local Spark Connect server (Spark's own class, launched by pyspark's spark-submit).

    Started with the module, so that its JVM boots while the local session's test runs.
    """
    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    folder = spark_cache / "connect"
    folder.mkdir()
    confs = {
        "spark.connect.grpc.binding.port": str(port),
        "spark.ui.enabled": "false",
        "spark.local.dir": str(folder / "tmp"),
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={folder}",
        **TINY,
    }
    command = [str(home / "bin" / "spark-submit"), "--master", "local[2]"]
    command += ["--class", "org.apache.spark.sql.connect.service.SparkConnectServer"]
    for key, value in confs.items():
        command += ["--conf", f"{key}={value}"]
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [*command, "spark-internal"],
        cwd=folder,
        stdout=log,
        stderr=log,
        env={**os.environ, "SPARK_HOME": str(home)},
        start_new_session=True,
    )
    try:
        yield port, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()


@pytest.fixture(scope="module")
def connect_server(_booting_server: tuple[int, subprocess.Popen[bytes]]) -> str:
    """The Connect server's address, once it listens."""
    port, server = _booting_server
    _wait_for(port, server)
    return f"sc://127.0.0.1:{port}"


def _cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The real CLI started in a subprocess, as ``run_cli`` runs it; its stderr in ``cli.log``."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    command = [sys.executable, "-m", "generator", *args]
    with (cwd / "cli.log").open("wb") as log:
        return subprocess.Popen(command, cwd=cwd, env=full_env, stdout=log, stderr=log)


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the Spark Connect server stopped"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise AssertionError(f"no Spark Connect server on port {port} after {seconds} s")


def test_a_build_through_spark_connect_publishes_what_duckdb_publishes(
    connect_server: str, spark_cache: Path, tmp_path: Path
) -> None:
    env = {"SEGMENTS_CACHE": str(spark_cache), "SOURCE_DATE_EPOCH": "1700000000"}
    spark = mall_project(tmp_path / "spark", "spark")
    duck = mall_project(tmp_path / "duck", "duckdb")
    # The reference is DuckDB's docs/ (no MkDocs site needed), written while Spark builds.
    reference = _cli("generate", cwd=duck, env={**env, "SEGMENTS_CACHE": str(tmp_path / "c")})
    built = run_cli("build", cwd=spark, env={**env, "SPARK_REMOTE": connect_server})
    assert built.returncode == 0, built.stderr
    assert reference.wait(timeout=600) == 0, (duck / "cli.log").read_text()
    assert (spark / "site" / "index.html").is_file()
    assert (spark / "data" / "segments.assignments.parquet").is_dir()
    # Pages and numbers as published are the same; chart files may differ in the last digit of
    # a centroid (1e-9 relative is the promise), so they are compared as sets of files.
    pages = sorted(p.relative_to(duck / "docs") for p in (duck / "docs").rglob("*") if p.is_file())
    assert pages == sorted(
        p.relative_to(spark / "docs") for p in (spark / "docs").rglob("*") if p.is_file()
    )
    for page in pages:
        if page.suffix == ".md" and page.name != "methodology.md":  # it quotes the config
            assert (spark / "docs" / page).read_text() == (duck / "docs" / page).read_text(), page
    summary = Path("downloads/segments.json")
    assert (spark / "docs" / summary).read_text() == (duck / "docs" / summary).read_text()
