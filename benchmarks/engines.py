"""Engine benchmark: ``segments build`` end to end with DuckDB and Spark on large tables.

Rows it prints (beside ``bench.py``'s in-memory rows):

- DuckDB at 10M rows (target: at most 12 s and 1 GiB) and 100M rows (``duckdb.memory_limit``
  1GB; target: at most 60 s and 1.5 GiB end to end);
- Spark in a local ``local[2]`` session at 10M rows (needs ``segments[spark-local]`` and Java).

Tables are Mall-like (``make_data.make_table``) Parquet files in ``.bench-data/``; the 100M one
is written in chunks of ``CHUNK_ROWS`` with one ``ParquetWriter``, so it is never held in memory
(about 1 GB on disk). Each build runs in a fresh child process with an empty cache; peak RSS is
that process's (with Spark, the JVM is another process, whose memory is not counted).

    python benchmarks/engines.py --runs duckdb:10M,duckdb:100M,spark:10M
"""

from __future__ import annotations

import argparse
import json
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

CHUNK_ROWS = 5_000_000
TARGETS = {
    ("duckdb", 10_000_000): (12.0, 1024.0),
    ("duckdb", 100_000_000): (60.0, 1536.0),
}
SETTINGS = {
    "duckdb": {"duckdb": {"memory_limit": "1GB", "threads": 2}},
    "spark": {"spark": {"conf": {"spark.driver.memory": "2g"}}},
}


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
    config["data"]["path"] = str(data.resolve())
    config["privacy"]["individual_points"] = False
    config.update({"engine": engine, **SETTINGS[engine]})
    (where / "data" / "segments.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for item in LINKED:
        (where / item).symlink_to(ROOT / item)
    return where


def run(engine: str, rows: int, data_folder: Path, work: Path) -> dict[str, object]:
    """One cold build; wall, CPU, peak RSS, k and sizes."""
    data = chunked_table(rows, data_folder)
    where = project(engine, data, work)
    cache = where / "cache"
    result = measure(
        [sys.executable, "-m", "generator", "build"], where, child_env(False, cache), 1800
    )
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
    return (
        f"| {engine} | {rows:,} | {wall:.1f} | {cpu:.1f} | {rss:,.0f} | k={result['k']} "
        f"| {verdict} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="duckdb:10M,duckdb:100M,spark:10M")
    parser.add_argument("--data", type=Path, default=ROOT / ".bench-data")
    args = parser.parse_args()
    print("| engine | rows | wall s | CPU s | peak RSS MiB | result | target |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="segments-engines-") as work:
        for item in args.runs.split(","):
            engine, size = item.split(":")
            rows = parse_size(size)
            result = run(engine, rows, args.data, Path(work))
            print(row(engine, rows, result), flush=True)
            shutil.rmtree(Path(work) / f"{engine}-mall-like-{rows}-chunked", ignore_errors=True)


if __name__ == "__main__":
    main()
