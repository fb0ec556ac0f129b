"""Speed and memory benchmark: synthetic Mall-like tables from 200 to 10M customers.

For every size and format it runs, each in a fresh child process (so peak RSS is that run's):

- ``engine``: load, validate, k search, fit and profile through ``run_analysis`` with the
  library's stage timings (``generator.runtime.timing``);
- ``build``: ``segments build`` end to end, when the CLI has that command (detected), with the
  size of ``site/`` and of its largest page including the chart specs it references;
- ``baseline``: the naive way on the same file (pandas read, then ``KMeans(n_init=10)`` on every
  row for every k in 2..10, silhouette on a 20k sample); timed once per size and format.

It prints a Markdown table; ``ours/base`` is our engine time over the baseline's.

    python benchmarks/bench.py --sizes mall,200,100k,1M,10M --formats csv,parquet --repeat 3

Data is cached in ``.bench-data/`` (git-ignored); the first run makes it (10M CSV: 230 MB).
Times are those of the fastest of ``--repeat`` runs; peak RSS is the largest seen. The machine
may be shared: the header prints the load average, and the CPU column (user + system) is less
noisy than wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.make_data import ensure, parse_size  # noqa: E402

ENGINE_STAGES = ("load", "validate", "k_search", "fit", "profile")
BUILD_STAGES = ("stability", "charts", "render", "mkdocs")
MALL = ROOT / "data" / "mall_customers.csv"
MALL_CONFIG = ROOT / "data" / "segments.yml"
# Read-only project files a build needs; docs/ and site/ are written fresh in the run folder.
LINKED = ("mkdocs.yml", "templates", "generator")  # generator/ holds the MkDocs hook


# ---------------------------------------------------------------- child processes


def child_engine(config_path: str, out: str) -> None:
    """Run the analysis stages with timings; write them and a few invariants as JSON."""
    start = time.perf_counter()
    from generator.analysis.run import run_analysis
    from generator.config.settings import load_config
    from generator.runtime.timing import recording

    imported = time.perf_counter()
    with recording() as seconds:
        analysis = run_analysis(load_config(Path(config_path)))
    seg = analysis.segmentation
    result = {
        "stages": seconds,
        "import": imported - start,
        "engine": sum(seconds.values()),
        "k": seg.k,
        "sizes": [p.size for p in analysis.profiles],
        "search_rows": seg.search_rows,
        "silhouette_rows": seg.silhouette_rows,
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def child_baseline(data_path: str, out: str) -> None:
    """The naive way: every row, every k, ``n_init=10``, silhouette on a 20k sample."""
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    features = ["Annual Income (k$)", "Spending Score (1-100)"]
    start = time.perf_counter()
    path = Path(data_path)
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    x = StandardScaler().fit_transform(frame[features].to_numpy(dtype=float))
    read = time.perf_counter()
    silhouettes = {}
    for k in range(2, 11):
        labels = KMeans(n_clusters=k, n_init=10, random_state=42).fit_predict(x)
        silhouettes[k] = float(
            silhouette_score(x, labels, sample_size=min(20_000, len(x)), random_state=42)
        )
    done = time.perf_counter()
    best = max(silhouettes, key=lambda k: silhouettes[k])
    result = {"read": read - start, "search": done - read, "total": done - start, "k": best}
    Path(out).write_text(json.dumps(result), encoding="utf-8")


# ---------------------------------------------------------------- measuring a child


def measure(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float | None = None
) -> dict[str, Any]:
    """Run ``command``; return wall seconds, CPU seconds and peak RSS (MiB) of its process tree.

    A run still going after ``timeout`` seconds is killed and marked ``timed_out``.
    """
    start = time.perf_counter()
    with (cwd / "child.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        killer = threading.Timer(timeout, process.kill) if timeout else None
        if killer is not None:
            killer.start()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if killer is not None:
            killer.cancel()
    wall = time.perf_counter() - start
    if timeout and wall >= timeout:
        return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "timed_out": True}
    if process.returncode != 0:
        tail = (cwd / "child.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{tail}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        # Linux reports ru_maxrss in KiB; wait4 includes the child's own waited-for children.
        "rss": usage.ru_maxrss / 1024,
    }


def child_env(native_blas: bool, cache: Path) -> dict[str, str]:
    """The children's environment; every run shares one cache folder (and its Vega bundle)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "true", "PYTHONHASHSEED": "0"}
    env["SEGMENTS_CACHE"] = str(cache)
    if native_blas:
        # The workplace may pin an old OpenBLAS kernel for safety; unset both together.
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    return env


def has_build(env: dict[str, str]) -> bool:
    """Whether the CLI has the ``build`` command yet."""
    probe = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return probe.returncode == 0


# ---------------------------------------------------------------- scenarios


def data_file(size: str, fmt: str, folder: Path) -> Path:
    if size != "mall":
        return ensure(parse_size(size), fmt, folder)
    if fmt == "csv":
        return MALL
    path = folder / "mall.parquet"
    if not path.exists():
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pacsv.read_csv(MALL), path)
    return path


def scenario_dir(name: str, data: Path, folder: Path) -> Path:
    """A small project folder: the Mall config pointing at ``data``, templates and mkdocs.yml."""
    where = folder / "runs" / name
    (where / "data").mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load(MALL_CONFIG.read_text(encoding="utf-8"))
    config["data"]["path"] = str(data.resolve())
    (where / "data" / "segments.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for item in LINKED:
        source, target = ROOT / item, where / item
        if source.exists() and not target.is_symlink():
            target.symlink_to(source)
    return where


def site_sizes(site: Path) -> dict[str, Any]:
    """Total bytes of ``site/`` and the largest page with the files (chart specs) it names."""
    files = [p for p in site.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    assets = [p for p in files if p.suffix in (".json", ".csv", ".vl")]
    largest, largest_name = 0, ""
    for page in (p for p in files if p.suffix == ".html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        size = page.stat().st_size + sum(a.stat().st_size for a in assets if a.name in text)
        if size > largest:
            largest, largest_name = size, str(page.relative_to(site))
    return {"site_bytes": total, "page_bytes": largest, "page": largest_name}


def run_engine(where: Path, env: dict[str, str]) -> dict[str, Any]:
    out = where / "engine.json"
    cmd = [sys.executable, __file__, "_engine", str(where / "data" / "segments.yml"), str(out)]
    measured = measure(cmd, where, env)
    return {**measured, **json.loads(out.read_text(encoding="utf-8"))}


def empty_caches(cache: Path) -> None:
    """Drop the rebuild caches (analysis, release, compiled templates); keep the Vega bundle."""
    for entry in [*cache.glob("*.pickle"), *cache.glob("jinja-*")]:
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def run_build(where: Path, env: dict[str, str]) -> dict[str, Any]:
    """A cold ``segments build`` (every repeat redoes the analysis; the bundle stays cached)."""
    empty_caches(Path(env["SEGMENTS_CACHE"]))
    cmd = [sys.executable, "-m", "generator", "--quiet", "--timings", "build"]
    cmd += ["--config", "data/segments.yml"]
    measured = measure(cmd, where, env)
    result: dict[str, Any] = {**measured, "stages": {}}
    for line in (where / "child.log").read_text(errors="replace").splitlines():
        if line.startswith("timings: "):
            result["stages"] = json.loads(line.removeprefix("timings: "))
    if (where / "site").is_dir():
        result.update(site_sizes(where / "site"))
    summary = where / "docs" / "downloads" / "segments.json"
    if summary.is_file():
        segments = json.loads(summary.read_text(encoding="utf-8"))
        result.update(k=segments["k"], sizes=[s["size"] for s in segments["segments"]])
    return result


def run_baseline(data: Path, where: Path, env: dict[str, str], timeout: float) -> dict[str, Any]:
    out = where / "baseline.json"
    command = [sys.executable, __file__, "_baseline", str(data), str(out)]
    measured = measure(command, where, env, timeout)
    if measured.get("timed_out"):
        return {**measured, "total": measured["wall"]}
    return {**measured, **json.loads(out.read_text(encoding="utf-8"))}


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest repeat (its stages and times, so they add up), with the largest peak RSS."""
    fastest = dict(min(runs, key=lambda r: r.get("engine") or r["wall"]))
    fastest["rss"] = max(r["rss"] for r in runs)
    return fastest


# ---------------------------------------------------------------- the table


def fmt_s(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def fmt_bytes(value: int | None) -> str:
    return "" if value is None else f"{value / 1024:,.0f} KiB"


def row(size: str, fmt: str, ours: dict[str, Any], base: dict[str, Any] | None) -> str:
    stages = ours["stages"]
    cells = [size, fmt, *(fmt_s(stages.get(s)) for s in (*ENGINE_STAGES, *BUILD_STAGES))]
    ours_time = ours.get("engine") or sum(stages.values())
    cells += [fmt_s(ours_time), fmt_s(ours["wall"]), fmt_s(ours["cpu"]), f"{ours['rss']:,.0f}"]
    cells += [fmt_bytes(ours.get("site_bytes")), fmt_bytes(ours.get("page_bytes"))]
    if base is not None:
        ratio = ours_time / base["total"]
        over = ">" if base.get("timed_out") else ""
        under = "<" if over else ""
        cells += [
            over + fmt_s(base["total"]),
            f"{under}{ratio:.3f} ({over}{1 / ratio:.1f}x faster)",
        ]
    else:
        cells += ["", ""]
    cells.append(f"k={ours.get('k', '?')}")
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| rows | format | load | validate | k search | fit | profile | stability | charts | render "
    "| mkdocs | ours s | process wall s | CPU s | peak RSS MiB | site/ | largest page "
    "| baseline s | ours/base | result |"
)


def environment(env: dict[str, str]) -> str:
    probe = (
        "import json, numpy, sklearn, threadpoolctl; "
        "info = threadpoolctl.threadpool_info(); "
        "print(json.dumps([numpy.__version__, sklearn.__version__, "
        "sorted({i.get('architecture', '?') for i in info if i['user_api'] == 'blas'})]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    numpy_v, sklearn_v, kernels = json.loads(out.stdout)
    pinned = {k: env[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in env}
    return (
        f"Python {platform.python_version()}, numpy {numpy_v}, scikit-learn {sklearn_v}, "
        f"BLAS kernel {'/'.join(kernels)}, OpenBLAS pins {pinned or 'none'}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Segments speed and memory benchmark.")
    parser.add_argument("--sizes", default="mall,200,100k,1M,10M")
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--baseline-sizes",
        default="100k,1M,10M",
        help="sizes that also time the baseline: a list, all or none (default: 100k,1M,10M)",
    )
    parser.add_argument(
        "--baseline-timeout", type=float, default=1800, help="stop a baseline run after N s"
    )
    parser.add_argument(
        "--engine-only", action="store_true", help="time the analysis stages even if build exists"
    )
    parser.add_argument(
        "--native-blas",
        action="store_true",
        help="unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in the children (see env README)",
    )
    parser.add_argument("--data", type=Path, default=ROOT / ".bench-data")
    args = parser.parse_args()

    env = child_env(args.native_blas, args.data / "cache")
    build = not args.engine_only and has_build(env)
    if build:  # makes the Vega bundle (about 3.5 s, once per vl-convert version) before timing
        run_build(scenario_dir("warm-up", MALL, args.data), env)
    print(environment(env))
    print(f"mode: {'segments build' if build else 'engine only (no build command yet)'}")
    print(f"seconds, fastest of {args.repeat} runs; peak RSS the largest; baseline run once\n")
    print(HEADER)
    print("|" + "---|" * (HEADER.count("|") - 1))
    for size in args.sizes.split(","):
        for fmt in args.formats.split(","):
            data = data_file(size, fmt, args.data)
            where = scenario_dir(f"{size}-{fmt}", data, args.data)
            runs = [
                run_build(where, env) if build else run_engine(where, env)
                for _ in range(args.repeat)
            ]
            base = (
                run_baseline(data, where, env, args.baseline_timeout)
                if args.baseline_sizes == "all" or size in args.baseline_sizes.split(",")
                else None
            )
            print(row(size, fmt, best(runs), base), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "_engine":
        child_engine(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "_baseline":
        child_baseline(sys.argv[2], sys.argv[3])
    else:
        main()
