"""Transaction logs: reading and aggregating 1M and 10M purchases into one row per customer.

For each size and layout it makes a seeded synthetic log in ``.bench-data/`` (git-ignored;
about 40 bytes a row), then in a fresh child process reads it, checks every cell and turns it
into one row per customer (``load`` and ``aggregate`` stages), and validates the result
(``validate``), through the library's own ``load_table`` and stage timings. It prints a
Markdown table with the peak resident memory of the child.

    python benchmarks/transactions.py --sizes 1M,10M --layouts csv,whitespace
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".bench-data"
ROWS_PER_CUSTOMER = 20
SIZES = {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
CONFIG = """
data:
  path: {path}
{layout}  transactions: {{customer: customer, date: date, amount: amount, order: order}}
features: [recency, frequency, monetary]
describe: [tenure, average_order_value]
"""
HEADERLESS = (
    "  delimiter: whitespace\n  header: false\n  columns: [customer, date, order, amount]\n"
)


def make_log(rows: int, layout: str) -> Path:
    """The seeded log of ``rows`` purchases (made once, then reused)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = DATA / f"log2-{rows}.{'csv' if layout == 'csv' else 'txt'}"
    if path.is_file():
        return path
    DATA.mkdir(exist_ok=True)
    rng = np.random.default_rng(rows)
    customers = rng.integers(0, rows // ROWS_PER_CUSTOMER, rows)
    day = np.datetime64("2022-01-01") + rng.integers(0, 730, rows)
    # An order is a customer's purchases on one day, numbered compactly as invoices are.
    visit = customers * 1000 + (day - np.datetime64("2022-01-01")).astype(np.int64)
    order = 100_000 + np.unique(visit, return_inverse=True)[1]
    table = pa.table(
        {
            "customer": pa.array(customers).cast(pa.string()),
            "date": pa.array(day.astype("datetime64[D]")).cast(pa.string()),
            "order": pa.array(order).cast(pa.string()),
            "amount": pa.array(rng.lognormal(3, 0.8, rows).round(2)),
        }
    )
    options = pacsv.WriteOptions(
        include_header=layout == "csv",
        delimiter="," if layout == "csv" else " ",
        quoting_style="none",
    )
    pacsv.write_csv(table, path, options)
    return path


def child(config: str) -> None:
    """Load and aggregate in this process; print the stage seconds as JSON."""
    sys.path.insert(0, str(ROOT))
    from generator.analysis.run import load_table
    from generator.config.settings import load_config
    from generator.runtime.timing import recording

    with recording(None) as seconds:
        table = load_table(load_config(Path(config)))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    facts = {"customers": table.n_customers, "peak_mib": usage.ru_maxrss / 1024, "cpu": cpu}
    print(json.dumps({**seconds, **facts}))


def run(rows: int, layout: str) -> dict[str, float]:
    path = make_log(rows, layout)
    config = DATA / f"log-{rows}-{layout}.yml"
    text = CONFIG.format(path=path.name, layout=HEADERLESS if layout != "csv" else "")
    config.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(config)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,10M")
    parser.add_argument("--layouts", default="csv,whitespace")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before: {load} (the machine may be shared; CPU s is steadier)\n")
    print(
        "| transactions | layout | customers | load s | aggregate s | validate s "
        "| process wall s | CPU s | peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        for layout in args.layouts.split(","):
            r = run(SIZES[size], layout)
            print(
                f"| {size} | {layout} | {int(r['customers']):,} | {r['load']:.2f} "
                f"| {r['aggregate']:.2f} | {r['validate']:.2f} | {r['wall']:.2f} "
                f"| {r['cpu']:.2f} | {r['peak_mib']:,.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
