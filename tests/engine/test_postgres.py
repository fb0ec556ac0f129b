"""PostgreSQL parity with the in-memory engine, on a real server the tests start.

The server (``conftest.postgres_server``) runs in a temporary folder on a Unix socket; each
table is copied into it from the Parquet file the other engines read, so every engine sees the
same rows. Errors go through the real CLI: one line, exit code 2, no password.
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import yaml

from generator.analysis.run import run_analysis
from generator.config.engine import ENGINES, EngineSettings
from generator.config.settings import load_config
from generator.engine import postgres
from generator.engine.adapters import ADAPTERS
from generator.engine.postgres import UPLOAD_TYPES, PostgresEngine
from generator.errors import ConfigError, DataError
from generator.release.engine_sidecar import write_sidecar
from tests.conftest import ROOT, run_cli, write_config
from tests.engine.keys import check_bins, check_sample, check_sample_keys, check_sums
from tests.engine.parity import (
    assert_same_map,
    assert_same_ranges,
    assert_same_sample_parity,
    mall_like,
    mall_project,
    shop_like,
)
from tests.engine.pgserver import PASSWORD, Server
from tests.engine.test_duckdb import BAD, _bad_table

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def load_table(name: str, table: pa.Table) -> None:
    """Create (or replace) table ``name`` in the test database with ``table``'s rows."""
    columns = ", ".join(
        f'"{field.name}" {UPLOAD_TYPES.get(field.type, "TEXT")}' for field in table.schema
    )
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    with psycopg.connect("", autocommit=True) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {name}")
        connection.execute(f"CREATE TABLE {name} ({columns})")
        with connection.cursor().copy(f"COPY {name} FROM STDIN (FORMAT csv)") as copy:
            copy.write(sink.getvalue().to_pybytes())


def on_postgres(config_path: Path, table: str, **settings: object) -> Path:
    """The config at ``config_path`` rewritten for ``engine: postgres`` reading ``table``."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["data"].pop("path")
    config["data"]["table"] = table
    config.update({"engine": "postgres", **settings})
    path = config_path.with_name(f"postgres-{table}.yml")
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mall(postgres_server: Server, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("mall")
    local_path = mall_like(folder, 3_000, "local")
    load_table("mall", pq.read_table(folder / "customers.parquet"))
    config = load_config(on_postgres(local_path, "mall"))
    return run_analysis(load_config(local_path)), run_analysis(config), config


def test_every_subquery_is_named() -> None:
    """PostgreSQL 15 refuses an unnamed subquery (``FROM (SELECT ...)``); the others accept names.

    A relation handed to a query builder as ``f"({sql})"`` is a subquery too.
    """
    unnamed = re.compile(r"""FROM \(\{\w+\}\)(?! AS | [a-z] )|f"\(\{\w+\}\)"[,)]""")
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "generator").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if unnamed.search(line)
    ]
    assert not found, found


def test_the_adapters_are_the_configured_engines() -> None:
    assert set(ADAPTERS) == set(ENGINES) - {"local"}
    assert ADAPTERS["postgres"].extra == "postgres"


def test_same_sample_gives_the_local_result(mall) -> None:
    local, pg, config = mall
    assert pg.table.whole is not None
    assert_same_sample_parity(local, pg)
    assert_same_map(local, pg, config)
    assert_same_ranges(local, pg)


def test_the_sidecar_streams_every_label(mall, tmp_path: Path) -> None:
    local, pg, config = mall
    written = pq.read_table(write_sidecar(config, pg, tmp_path / "sidecar")).to_pandas()
    assert list(written.columns) == ["CustomerID", "segment"]
    assert written["CustomerID"].dtype == np.int64
    expected = pd.Series(local.segmentation.labels + 1, index=local.table.frame["CustomerID"])
    got = written.set_index("CustomerID")["segment"].sort_index()
    assert got.tolist() == expected.sort_index().tolist()


@pytest.mark.parametrize(
    ("scaling", "k", "seed"), [("robust", 5, 1), ("robust", "auto", 3), ("log", "auto", 1)]
)
def test_zero_heavy_spend_and_outliers_give_the_local_result(
    postgres_server: Server, tmp_path: Path, scaling: str, k: int | str, seed: int
) -> None:
    outcomes = {"churn": "Yes", "responded": 1}  # text and 0/1: counted in the database
    settings = {"scaling": scaling, "k": k, "outcomes": outcomes}
    local_path = shop_like(tmp_path, 3_000, "local", seed, **settings)
    load_table("shop", pq.read_table(tmp_path / f"shop-3000-{seed}.parquet"))
    local = run_analysis(load_config(local_path))
    pg = run_analysis(load_config(on_postgres(local_path, "shop")))
    a, b = local.segmentation.scaler, pg.segmentation.scaler
    if scaling == "robust":
        assert b == a
    else:
        np.testing.assert_allclose([b.center, b.scale], [a.center, a.scale], rtol=1e-13)
    assert_same_sample_parity(local, pg)
    assert_same_ranges(local, pg)


def test_per_row_arithmetic_is_the_reference(postgres_server: Server, tmp_path: Path) -> None:
    """The sample key and sample, the bins and the exact sums: as DuckDB computes them."""
    with PostgresEngine(EngineSettings(name="postgres"), tmp_path) as engine:
        check_sample_keys(engine, tmp_path)
        check_sample(engine, tmp_path)
        check_bins(engine, tmp_path)
        check_sums(engine, tmp_path)


def test_text_cells_are_checked_as_in_memory(postgres_server: Server, tmp_path: Path) -> None:
    """Numbers read from text columns: the problems DuckDB names, in the same words."""
    frame = _bad_table()
    load_table("bad", pa.Table.from_pandas(frame, preserve_index=False))
    text = BAD.replace("engine: duckdb", "engine: postgres").replace(
        "path: table.csv", "table: bad"
    )
    with pytest.raises(DataError) as caught:
        run_analysis(load_config(write_config(tmp_path, text)))
    assert str(caught.value) == (
        "table bad: 5 problems: "
        "column 'a': 1 customer with a missing value (ID 26); expected a number; "
        "column 'a': 1 customer with a value that is not a number (ID 5 ('abc')); "
        "expected a number; "
        "column 'b': 1 customer with a value below the minimum (ID 10 ('-2')); "
        "expected a number >= 0; "
        "column 'colour': 1 customer with a value that is not allowed (ID 12 ('green')); "
        "expected one of blue, red; "
        "column 'id': 1 ID on more than one row (ID 3 (2 rows)); expected unique IDs "
        "(set data.missing: drop to drop rows with missing values)"
    )


def test_a_query_is_a_source_and_runs_read_only(mall, tmp_path: Path) -> None:
    _, _, config = mall
    text = config.path.read_text().replace(
        "table: mall", 'sql: SELECT * FROM mall WHERE "CustomerID" <= 1500;'
    )
    analysis = run_analysis(load_config(write_config(tmp_path / "sql", text)))
    assert analysis.table.n_customers == 1_500
    writes = config.path.read_text().replace("table: mall", "sql: DELETE FROM mall RETURNING *")
    with pytest.raises(ConfigError, match=r"data\.sql should be exactly one SELECT"):
        load_config(write_config(tmp_path / "delete", writes))
    # A SELECT that writes passes the config's reading; the server refuses it.
    hidden = "sql: WITH gone AS (DELETE FROM mall RETURNING *) SELECT * FROM gone"
    writes = config.path.read_text().replace("table: mall", hidden)
    with pytest.raises(DataError, match="PostgreSQL could not read the table"):
        run_analysis(load_config(write_config(tmp_path / "hidden", writes)))
    with psycopg.connect("") as connection:
        assert connection.execute("SELECT count(*) FROM mall").fetchone() == (3_000,)


@pytest.fixture(scope="module")
def projects(postgres_server: Server, tmp_path_factory: pytest.TempPathFactory):
    """The Mall project built on DuckDB and on PostgreSQL (each test may build it again)."""
    root = tmp_path_factory.mktemp("cli")
    duck, pg = mall_project(root / "duck", "duckdb"), mall_project(root / "pg", "postgres")
    csv = ROOT / "data" / "mall_customers.csv"
    load_table("mall_customers", pacsv.read_csv(csv))
    config = pg / "data" / "segments.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("path: mall_customers.csv", "table: mall_customers"))
    assert "table: mall_customers" in config.read_text()
    for folder in (duck, pg):
        env = {**ENV, "SEGMENTS_CACHE": str(folder / "cache")}
        result = run_cli("build", cwd=folder, env=env)
        assert result.returncode == 0, result.stderr
    return duck, pg


def _pages(folder: Path) -> list[Path]:
    docs = folder / "docs"
    return sorted(p.relative_to(docs) for p in docs.rglob("*") if p.is_file())


def test_the_cli_publishes_what_duckdb_publishes(projects) -> None:
    duck, pg = projects
    assert _pages(duck) == _pages(pg)
    for page in _pages(duck):
        if page.name == "methodology.md":  # it quotes the config (the engine, the table)
            continue
        expected = (duck / "docs" / page).read_bytes()
        if page.name == "data.md":  # it names the table instead of the file
            expected = expected.replace(b"mall\\_customers.csv", b"mall\\_customers")
            assert b"rows read from <code>mall\\_customers</code>" in expected
        assert (pg / "docs" / page).read_bytes() == expected, page
    assert (pg / "data" / "segments.assignments.parquet" / "part-0.parquet").is_file()


def test_a_refresh_compares_customers_in_the_database(projects) -> None:
    duck, pg = projects
    table = duck / "data" / "mall_customers.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    table.write_text("\n".join([*lines[:-5], "201,Male,30,40,50"]) + "\n", encoding="utf-8")
    load_table("mall_customers", pacsv.read_csv(table))
    for folder in (duck, pg):
        env = {**ENV, "SEGMENTS_CACHE": str(folder / "cache")}
        result = run_cli("build", cwd=folder, env=env)
        assert result.returncode == 0, result.stderr
    for page in (Path("downloads/segments.json"), Path("changes.md")):
        assert (pg / "docs" / page).read_text() == (duck / "docs" / page).read_text(), page
    # The customers of both releases were matched in the database (the previous sidecar
    # uploaded into a temporary table), not in memory.
    assert "Of the 195 customers in both releases" in (pg / "docs" / "changes.md").read_text()


def _validate(folder: Path, env: dict[str, str], table: str = "mall"):
    text = f"engine: postgres\ndata: {{table: {table}, id_column: CustomerID}}\nfeatures: [Age]\n"
    write_config(folder, text)
    return run_cli("validate", "--config", "segments.yml", cwd=folder, env=env)


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"PGHOST": "/nonexistent-segments"}, "check PGHOST and PGPORT"),
        ({"PGPASSWORD": "wrong-" + PASSWORD}, "check PGUSER and PGPASSWORD"),
        ({"PGDATABASE": "no_such_db"}, "check PGDATABASE"),
        ({"PGUSER": "no_such_user"}, "check PGUSER"),
        ({"table": "no_such_table"}, "check data.table"),
        ({"PGUSER": "reader"}, "check the grants of PGUSER"),
    ],
)
def test_errors_name_the_setting_to_check(
    mall, postgres_server: Server, tmp_path: Path, change: dict[str, str], check: str
) -> None:
    with psycopg.connect("", autocommit=True) as connection:
        connection.execute("DROP ROLE IF EXISTS reader")
        connection.execute(f"CREATE ROLE reader LOGIN PASSWORD '{PASSWORD}'")
    table = change.pop("table", "mall")
    result = _validate(tmp_path, {**postgres_server.env, **change}, table)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and check in lines[0], lines
    assert PASSWORD not in result.stderr
    assert os.environ["PGPASSWORD"] == PASSWORD


def test_a_slow_query_stops_at_the_statement_timeout(mall, tmp_path: Path) -> None:
    text = (
        "engine: postgres\npostgres: {statement_timeout: 50ms}\n"
        "data: {sql: 'SELECT * FROM mall, pg_sleep(1)', id_column: CustomerID}\nfeatures: [Age]\n"
    )
    write_config(tmp_path, text)
    result = run_cli("validate", "--config", "segments.yml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "canceling statement due to statement timeout" in result.stderr
    assert result.stderr.strip().endswith("check postgres.statement_timeout")


LISTED = """
engine: postgres
data: {table: ids, id_column: id}
features: [x, y]
"""


def test_first_ids_are_listed_in_code_point_order_whatever_the_collation(
    postgres_server: Server, tmp_path: Path
) -> None:
    """A database whose collation sorts ``a3`` before ``B2`` lists them as in memory."""
    with psycopg.connect("", autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS icu")
        connection.execute(
            "CREATE DATABASE icu LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8' "
            "TEMPLATE template0"
        )
    ids = ["b1", "B2", "a3", "A4", "c5", "C6"]
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": ids * 5, "x": rng.normal(size=30), "y": rng.normal(size=30)})
    frame["id"] = [f"{v}-{i}" if i >= 6 else v for i, v in enumerate(frame["id"])]
    frame.loc[:5, "x"] = np.nan
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PGDATABASE", "icu")
        load_table("ids", pa.Table.from_pandas(frame, preserve_index=False))
        with pytest.raises(DataError) as caught:
            run_analysis(load_config(write_config(tmp_path, LISTED)))
    assert "(ID A4, ID B2, ID C6, ID a3, ID b1, ID c5)" in str(caught.value)


@pytest.mark.parametrize("default", [False, True])
def test_a_server_that_never_answers_times_out_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default: bool
) -> None:
    """Issue 21: every remote engine has a connect timeout (libpq alone waits for ever)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts, never answers
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(silent.getsockname()[1]))
    started = time.monotonic()
    try:
        if default:  # no PGCONNECT_TIMEOUT: the engine's own, shortened for the test
            monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
            monkeypatch.setattr(postgres, "CONNECT_TIMEOUT", 2)
            with pytest.raises(DataError) as caught:
                PostgresEngine(EngineSettings(name="postgres"), tmp_path)
            lines = str(caught.value).splitlines()
        else:  # libpq's own setting, through the CLI
            result = _validate(tmp_path, {**os.environ, "PGCONNECT_TIMEOUT": "2"})
            assert result.returncode == 2, result.stderr
            lines = result.stderr.strip().splitlines()
    finally:
        silent.close()
    assert time.monotonic() - started < 30
    assert len(lines) == 1 and "check PGHOST and PGPORT" in lines[0], lines
