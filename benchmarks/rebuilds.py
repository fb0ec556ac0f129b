"""Rebuild benchmark: how long ``segments build`` takes after the edits analysts make all day.

On the Mall data, in a project folder of its own (templates copied, so editing them leaves the
repository alone), each round runs ``segments build`` in a fresh child process:

- ``cold``: the analysis, release and template caches emptied (the Vega bundle kept);
- ``unchanged``: nothing edited;
- ``template edit``: one sentence of the summary page's template changed;
- ``persona-name edit``: a ``personas:`` name override changed in the config.

It prints a Markdown table of wall seconds (median and slowest of ``--rounds``), CPU seconds and
the last round's stage seconds (a stage that is missing was served from a cache). Target:
under 2 s for the two edits.

In the same rounds it times the yardstick: a bare ``mkdocs build`` of the same ``docs/`` in a
fresh process (``bare mkdocs build``), and prints each rebuild as a multiple of it (issue 23: a
cold build within 2.5 s wall, a rebuild after a template edit within 1.2x the bare build).

    python benchmarks/rebuilds.py --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import MALL, child_env, empty_caches, environment, measure  # noqa: E402

PAGE = Path("templates") / "pages" / "index.md.j2"
SLUG = "high-income-low-spending"
CACHE = ".segments-cache"


def project(folder: Path) -> Path:
    """A fresh Mall project in ``folder``: config, lock, templates copied; code linked."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "data", folder / "data")
    shutil.copytree(ROOT / "templates", folder / "templates")
    shutil.copyfile(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    config = folder / "data" / "segments.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["data"]["path"] = str(MALL)
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return folder


def edit_template(folder: Path, round_: int) -> None:
    page = folder / PAGE
    page.write_text(page.read_text(encoding="utf-8") + f"\nEdited in round {round_}.\n")


def edit_persona(folder: Path, round_: int) -> None:
    config = folder / "data" / "segments.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["personas"] = {SLUG: {"name": f"Careful Earners {round_}"}}
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")


def bare_mkdocs(folder: Path, env: dict[str, str]) -> dict[str, Any]:
    """``mkdocs build`` alone on the docs/ the last build wrote, into a folder of its own."""
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", "bare-site"]
    return measure(command, folder, env)


EDITS: dict[str, Callable[[Path, int], None]] = {
    "cold": lambda folder, _: empty_caches(folder / CACHE),
    "unchanged": lambda folder, _: None,
    "template edit": edit_template,
    "persona-name edit": edit_persona,
}


def build(folder: Path, env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "generator", "--quiet", "--timings", "build"]
    result = measure(command, folder, env)
    for line in (folder / "child.log").read_text(errors="replace").splitlines():
        if line.startswith("timings: "):
            result["stages"] = json.loads(line.removeprefix("timings: "))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Segments rebuild benchmark.")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=ROOT / ".bench-data" / "rebuilds")
    args = parser.parse_args()

    folder = project(args.folder)
    env = child_env(False, folder / CACHE)
    build(folder, env)  # makes the Vega bundle once, and the lock's first release
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in EDITS}
    bare: list[dict[str, Any]] = []
    for round_ in range(args.rounds):
        for name, edit in EDITS.items():
            edit(folder, round_)
            runs[name].append(build(folder, env))
        bare.append(bare_mkdocs(folder, env))
    print(environment(env))
    print(f"Mall data, {args.rounds} rounds, each build a fresh process\n")
    yardstick = statistics.median(r["wall"] for r in bare)
    print(
        "| rebuild after | wall s (median) | wall s (slowest) | CPU s (median) "
        "| x bare mkdocs build | stages, s |"
    )
    print("|---|---|---|---|---|---|")
    for name, results in [*runs.items(), ("bare mkdocs build (yardstick)", bare)]:
        walls = [r["wall"] for r in results]
        cpu = statistics.median(r["cpu"] for r in results)
        stages = ", ".join(f"{k} {v:.2f}" for k, v in results[-1].get("stages", {}).items())
        ratio = statistics.median(walls) / yardstick
        print(
            f"| {name} | {statistics.median(walls):.2f} | {max(walls):.2f} | {cpu:.2f} "
            f"| {ratio:.2f} | {stages} |"
        )
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
