"""Engine benchmark: ``segments build`` end to end with DuckDB, Spark and PostgreSQL.

Rows it prints (beside ``bench.py``'s in-memory rows):

- DuckDB at 10M rows (target: at most 12 s and 1 GiB) and 100M rows (``duckdb.memory_limit``
  1GB; target: at most 60 s and 1.5 GiB end to end);
- Spark in a local ``local[2]`` session at 10M rows (needs ``segments[spark-local]`` and Java);
- PostgreSQL at 1M and 10M rows (``postgres:1M,postgres:10M``): the server libpq's ``PG*``
  variables name, or else a throwaway one started here (``tests/engine/pgserver.py``, Debian's
  ``postgresql``) with default settings. The table is copied in once (not timed); the client's
  wall, CPU and peak RSS are measured as for the others, and for a throwaway server its CPU
  (its finished backends' time, read from the postmaster) is shown beside k.

Tables are Mall-like (``make_data.make_table``) Parquet files in ``.bench-data/``; the 100M one
is written in chunks of ``CHUNK_ROWS`` with one ``ParquetWriter``, so it is never held in memory
(about 1 GB on disk). Each build runs in a fresh child process with an empty cache; peak RSS is
that process's (with Spark, the JVM is another process, whose memory is not counted).

    python benchmarks/engines.py --runs duckdb:10M,duckdb:100M,spark:10M,postgres:1M,postgres:10M
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import LINKED, MALL_CONFIG, child_env, measure  # noqa: E402
from benchmarks.make_data import COLUMNS, SEED, make_table, parse_size  # noqa: E402
from tests.engine import pgserver  # noqa: E402

CHUNK_ROWS = 5_000_000
TARGETS = {
    ("duckdb", 10_000_000): (12.0, 1024.0),
    ("duckdb", 100_000_000): (60.0, 1536.0),
}
SETTINGS = {
    "duckdb": {"duckdb": {"memory_limit": "1GB", "threads": 2}},
    "spark": {"spark": {"conf": {"spark.driver.memory": "2g"}}},
    "postgres": {},
}
PG_TYPES = {pa.int64(): "BIGINT", pa.float64(): "DOUBLE PRECISION", pa.string(): "TEXT"}


def chunked_table(n: int, folder: Path) -> Path:
    """``n`` Mall-like customers as one Parquet file, written ``CHUNK_ROWS`` at a time."""
    path = folder / f"mall-like-{n}-chunked.parquet"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    writer = None
    for start in range(0, n, CHUNK_ROWS):
        rows = min(CHUNK_ROWS, n - start)
        table, _ = make_table(rows, seed=SEED + start // CHUNK_ROWS)
        ids = pa.array(np.arange(start + 1, start + rows + 1, dtype=np.int64))
        table = table.set_column(0, COLUMNS[0], ids)
        if writer is None:
            writer = pq.ParquetWriter(partial, table.schema, compression="snappy")
        writer.write_table(table, row_group_size=1_000_000)
    assert writer is not None
    writer.close()
    partial.replace(path)
    return path


def project(engine: str, data: Path, folder: Path) -> Path:
    """A project folder whose config points at ``data`` and runs on ``engine``."""
    where = folder / f"{engine}-{data.stem}"
    (where / "data").mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load(MALL_CONFIG.read_text(encoding="utf-8"))
    if engine == "postgres":  # the table is in the database, copied there by ``pg_table``
        del config["data"]["path"]
        config["data"]["table"] = data.stem.replace("-", "_")
    else:
        config["data"]["path"] = str(data.resolve())
    config["privacy"]["individual_points"] = False
    config.update({"engine": engine, **SETTINGS[engine]})
    (where / "data" / "segments.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for item in LINKED:
        (where / item).symlink_to(ROOT / item)
    return where


def pg_table(data: Path) -> None:
    """Copy the Parquet table into the database libpq's variables name (once)."""
    import psycopg
    import pyarrow.csv as pacsv

    name = data.stem.replace("-", "_")
    schema = pq.read_schema(data)
    columns = ", ".join(f'"{f.name}" {PG_TYPES[f.type]}' for f in schema)
    rows = pq.ParquetFile(data).metadata.num_rows
    with psycopg.connect("", autocommit=True) as connection:
        found = connection.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()
        if found and found[0]:
            count = connection.execute(f"SELECT count(*) FROM {name}").fetchone()
            if count and count[0] == rows:
                return
            connection.execute(f"DROP TABLE {name}")
        connection.execute(f"CREATE TABLE {name} ({columns})")
        options = pacsv.WriteOptions(include_header=False)
        with connection.cursor().copy(f"COPY {name} FROM STDIN (FORMAT csv)") as copy:
            for batch in pq.ParquetFile(data).iter_batches(batch_size=500_000):
                sink = pa.BufferOutputStream()
                pacsv.write_csv(pa.Table.from_batches([batch]), sink, options)
                copy.write(sink.getvalue().to_pybytes())
        connection.execute(f"VACUUM ANALYZE {name}")


def server_cpu(server: pgserver.Server | None) -> float:
    """CPU seconds of a throwaway server so far (its own and its finished backends')."""
    if server is None:
        return 0.0
    fields = Path(f"/proc/{server.postmaster_pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def run(
    engine: str, rows: int, data_folder: Path, work: Path, server: pgserver.Server | None = None
) -> dict[str, object]:
    """One cold build; wall, CPU, peak RSS, k and sizes (and a throwaway server's CPU)."""
    data = chunked_table(rows, data_folder)
    if engine == "postgres":
        pg_table(data)
    where = project(engine, data, work)
    cache = where / "cache"
    before = server_cpu(server)
    result = measure(
        [sys.executable, "-m", "generator", "build"], where, child_env(False, cache), 1800
    )
    if server is not None:
        result["server_cpu"] = server_cpu(server) - before
    lock = json.loads((where / "data" / "segments.lock.json").read_text(encoding="utf-8"))
    result["k"] = len(lock["segments"])
    result["sizes"] = sorted((s["size"] for s in lock["segments"]), reverse=True)
    return result


def row(engine: str, rows: int, result: dict[str, object]) -> str:
    wall, rss = float(result["wall"]), float(result.get("rss", 0.0))  # type: ignore[arg-type]
    target = TARGETS.get((engine, rows))
    verdict = ""
    if target is not None:
        ok = wall <= target[0] and rss <= target[1]
        verdict = f"{'meets' if ok else 'misses'} {target[0]:g} s, {target[1]:,.0f} MiB"
    cpu = float(result["cpu"])  # type: ignore[arg-type]
    server = f", server CPU {result['server_cpu']:.1f} s" if "server_cpu" in result else ""
    load = "-".join(f"{v:.1f}" for v in result.get("load", ()))  # type: ignore[attr-defined]
    return (
        f"| {engine} | {rows:,} | {wall:.1f} | {cpu:.1f} | {rss:,.0f} | k={result['k']}{server} "
        f"| {load} | {verdict} |"
    )


def postgres_server(runs: str) -> pgserver.Server | None:
    """A throwaway server when PostgreSQL runs are asked for and libpq names none."""
    if "postgres" not in runs or os.environ.get("PGHOST") or os.environ.get("PGSERVICE"):
        return None
    bin_dir = pgserver.binaries()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (make postgres), and PGHOST is not set")
    server = pgserver.start(bin_dir)
    pgserver.create_database(server, "bench")
    os.environ.update({**server.env, "PGDATABASE": "bench"})
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    runs = "duckdb:10M,duckdb:100M,spark:10M,postgres:1M,postgres:10M"
    parser.add_argument("--runs", default=runs)
    parser.add_argument("--data", type=Path, default=ROOT / ".bench-data")
    args = parser.parse_args()
    print("| engine | rows | wall s | CPU s | peak RSS MiB | result | load average | target |")
    print("|---|---|---|---|---|---|---|---|")
    server = postgres_server(args.runs)
    try:
        with tempfile.TemporaryDirectory(prefix="segments-engines-") as work:
            for item in args.runs.split(","):
                engine, size = item.split(":")
                rows = parse_size(size)
                load = os.getloadavg()[0]
                result = run(engine, rows, args.data, Path(work), server)
                result["load"] = (load, os.getloadavg()[0])
                print(row(engine, rows, result), flush=True)
                shutil.rmtree(Path(work) / f"{engine}-mall-like-{rows}-chunked", ignore_errors=True)
    finally:
        if server is not None:
            pgserver.stop(server)


if __name__ == "__main__":
    main()
