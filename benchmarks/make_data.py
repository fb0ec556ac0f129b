"""Synthetic Mall-like customer tables for the benchmark and the scale test.

Five clusters on income and spending with the Mall data's shares, means and spreads (measured
on the shipped 200-row table), ages and genders drawn per cluster, whole numbers clipped to the
Mall ranges. Deterministic: the same size and seed give the same bytes.

    python benchmarks/make_data.py 1M --format parquet --out .bench-data/
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

COLUMNS = ("CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)")
# Per Mall segment: share, (income mean, sd), (spending mean, sd), (age mean, sd), share female.
CLUSTERS = (
    (39 / 200, (86.5, 16.3), (82.1, 9.4), (32.7, 3.7), 21 / 39),
    (35 / 200, (88.2, 16.4), (17.1, 10.0), (41.1, 11.3), 16 / 35),
    (81 / 200, (55.3, 9.0), (49.5, 6.5), (42.7, 16.4), 48 / 81),
    (22 / 200, (25.7, 7.6), (79.4, 10.5), (25.3, 5.3), 13 / 22),
    (23 / 200, (26.3, 7.9), (20.9, 13.0), (45.2, 13.2), 14 / 23),
)
SHARES = np.array([c[0] for c in CLUSTERS])
SEED = 20240607
CHUNK = 2_000_000


def parse_size(text: str) -> int:
    """``200``, ``100k``, ``1M`` or ``10M`` as a number of rows."""
    text = text.strip()
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def make_table(n: int, seed: int = SEED) -> tuple[pa.Table, np.ndarray]:
    """``n`` Mall-like customers and the cluster each was drawn from (0..4, Mall order)."""
    rng = np.random.default_rng([seed, n])
    cluster = rng.choice(len(CLUSTERS), size=n, p=SHARES / SHARES.sum()).astype(np.int8)
    income, spending, age = (np.empty(n, dtype=np.float64) for _ in range(3))
    female = np.empty(n, dtype=bool)
    for i, (_, inc, spend, years, fem) in enumerate(CLUSTERS):
        rows = np.flatnonzero(cluster == i)
        income[rows] = rng.normal(inc[0], inc[1], size=len(rows))
        spending[rows] = rng.normal(spend[0], spend[1], size=len(rows))
        age[rows] = rng.normal(years[0], years[1], size=len(rows))
        female[rows] = rng.random(len(rows)) < fem
    table = pa.table(
        {
            COLUMNS[0]: pa.array(np.arange(1, n + 1, dtype=np.int64)),
            COLUMNS[1]: pa.DictionaryArray.from_arrays(
                pa.array(female.astype(np.int8)), pa.array(["Male", "Female"])
            ).cast(pa.string()),
            COLUMNS[2]: pa.array(np.clip(np.rint(age), 18, 70).astype(np.int64)),
            COLUMNS[3]: pa.array(np.clip(np.rint(income), 15, 137).astype(np.int64)),
            COLUMNS[4]: pa.array(np.clip(np.rint(spending), 1, 99).astype(np.int64)),
        }
    )
    return table, cluster


def write(table: pa.Table, path: Path) -> None:
    """Write ``table`` as CSV (unquoted, like the Mall file) or Parquet, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if path.suffix == ".parquet":
        pq.write_table(table, partial, compression="snappy")
    else:
        options = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=CHUNK)
        with pa.OSFile(str(partial), "wb") as sink:
            sink.write((",".join(table.column_names) + "\n").encode())
            pacsv.write_csv(table, sink, write_options=options)
    partial.replace(path)


def ensure(n: int, fmt: str, folder: Path) -> Path:
    """The cached table of ``n`` rows in ``fmt`` (csv or parquet), made when missing."""
    path = folder / f"mall-like-{n}.{fmt}"
    if not path.exists():
        write(make_table(n)[0], path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="rows: 200, 100k, 1M, 10M")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--out", type=Path, default=Path(".bench-data"))
    args = parser.parse_args()
    print(ensure(parse_size(args.size), args.format, args.out))


if __name__ == "__main__":
    main()
