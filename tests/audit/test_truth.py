"""The truth audit: build a site for each seeded table with the real CLI, recompute with pandas.

Each table is shaped like one of the public tables on which the report once printed false
averages, levels or names (see ``tables.py``); Mall is audited as committed in ``data/``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.audit.checks import audit, load_truth
from tests.audit.tables import CASES, Case
from tests.conftest import ROOT, run_cli
from tests.e2e.test_build import CACHE

pytestmark = pytest.mark.e2e
FENCE = 3.0


def _project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    return folder


def _build(folder: Path, config: Path) -> str:
    result = run_cli("build", "--config", str(config.relative_to(folder)), cwd=folder, env=CACHE)
    assert result.returncode == 0, result.stderr
    return result.stderr


def _new(folder: Path, case: Case) -> tuple[Path, Path, str]:
    folder.mkdir()
    case.table.to_csv(folder / f"{case.name}.csv", index=False)
    made = run_cli("new", "project", "--data", f"{case.name}.csv", cwd=folder, env=CACHE)
    assert made.returncode == 0, made.stderr
    config = folder / "project" / "data" / "segments.yml"
    return folder / "project", config, _build(folder / "project", config)


@pytest.fixture(scope="module", params=[case.__name__ for case in CASES] + ["mall"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    folder = _project(tmp_path_factory.mktemp(request.param))
    data = folder / "data"
    if request.param == "mall":
        shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("segments.*.*"))
    else:
        case = next(c for c in CASES if c.__name__ == request.param)()
        if not case.config:  # as a new user builds it: `segments new`, no edits
            return request.param, *_new(folder.parent / f"{case.name}-new", case)
        data.mkdir()
        case.table.to_csv(data / "table.csv", index=False)
        (data / "segments.yml").write_text(case.config, encoding="utf-8")
    config = data / "segments.yml"
    return request.param, folder, config, _build(folder, config)


def test_every_stated_number_is_true(built) -> None:
    name, folder, config, _ = built
    counts = audit(folder, config)
    # The audit must have read real statements, not matched nothing.
    assert counts["json"] >= 8 and counts["persona pages"] >= 10, counts
    assert counts["levels"] >= 4 and counts["names"] >= 2, counts
    if name == "telecom":  # `segments new` proposed Churn as an outcome, checked everywhere
        assert counts["outcomes"] >= 20, counts
    if name == "mall":  # the well-known answer stays: k = 5, its names and its actions
        summary = json.loads((folder / "docs/downloads/segments.json").read_text("utf-8"))
        got = [(s["name"], s["size"], s["actions"][0].split()[0]) for s in summary["segments"]]
        assert got == [
            ("High Income, High Spending", 39, "Offer"),
            ("High Income, Low Spending", 35, "Convert"),
            ("Medium Income, Medium Spending", 81, "Promote"),
            ("Low Income, High Spending", 22, "Offer"),
            ("Low Income, Low Spending", 23, "Stock"),
        ]


def test_analyze_json_states_the_same_means(built) -> None:
    _, folder, config, _ = built
    truth = load_truth(folder, config)
    result = run_cli("analyze", "--json", "--config", str(config), cwd=folder, env=CACHE)
    assert result.returncode == 0, result.stderr
    for seg in json.loads(result.stdout)["segments"]:
        # A first build keeps the analysis' numbering, so the sidecar's numbers apply.
        part = truth.segment(seg["number"])
        assert seg["size"] == len(part)
        for column, mean in seg["means"].items():
            assert mean == pytest.approx(part[column].mean(), rel=1e-5), (seg["name"], column)


def test_k_at_the_edge_is_warned_about(built) -> None:
    _, folder, _, stderr = built
    summary = json.loads((folder / "docs/downloads/segments.json").read_text(encoding="utf-8"))
    searched = [s["k"] for s in summary["scores"]]
    methodology = (folder / "docs/methodology.md").read_text(encoding="utf-8")
    auto = summary["k_reason"].startswith(("All three", "Two of three", "The signals"))
    edge = auto and summary["k"] in (min(searched), max(searched))
    assert ("Warning: k is at the edge of the search" in methodology) == edge
    assert (f"k={summary['k']} is at k_m" in stderr) == edge


def test_map_says_how_many_customers_lie_outside(built) -> None:
    name, folder, config, _ = built
    truth = load_truth(folder, config)
    spec = json.loads((folder / "docs/charts/segment-map.json").read_text(encoding="utf-8"))
    x_title = spec["layer"][-1]["encoding"]["x"]["title"]
    y_title = spec["layer"][-1]["encoding"]["y"]["title"]
    columns = [next(c for c in truth.features if truth.label(c) == t) for t in (x_title, y_title)]
    private = not truth.config.get("privacy", {}).get("individual_points", False)
    sizes = truth.frame["segment"].value_counts()
    shown = sizes[sizes >= (truth.min_group_size if private else 0)].index
    centres = truth.frame[truth.frame["segment"].isin(shown)].groupby("segment")[columns].mean()
    inside = np.ones(len(truth.frame), dtype=bool)
    log = truth.config.get("scaling") == "log"  # fences in log1p units on log axes
    for column, axis in zip(columns, ("x", "y"), strict=True):
        values = truth.frame[column].to_numpy(dtype=float)
        seen = np.log1p(values) if log else values
        centre = np.log1p(centres[column]) if log else centres[column]
        q1, q3 = np.quantile(seen, [0.25, 0.75])
        low = max(seen.min(), q1 - FENCE * (q3 - q1)) if q3 > q1 else seen.min()
        high = min(seen.max(), q3 + FENCE * (q3 - q1)) if q3 > q1 else seen.max()
        low, high = min(low, centre.min()), max(high, centre.max())
        if log:
            low, high = np.expm1(low), np.expm1(high)
        # The drawn axis holds the fences and every centre (widened to round numbers when
        # private); "beyond the axes" counts the customers outside what is drawn.
        drawn = spec["layer"][-1]["encoding"][axis]["scale"]["domain"]
        assert drawn[0] <= low + 1e-9 * abs(low) and drawn[1] >= high - 1e-9 * abs(high), column
        inside &= (values >= drawn[0] - 1e-9 * abs(drawn[0])) & (
            values <= drawn[1] + 1e-9 * abs(drawn[1])
        )
    index = (folder / "docs/index.md").read_text(encoding="utf-8")
    said = re.search(r"(?<!Fewer than )\b([\d,]+) customers? (?:lie|lies) beyond the axes", index)
    outside = int((~inside).sum())
    if private and 0 < outside < truth.min_group_size:  # too few to publish: "fewer than N"
        assert not said and f"Fewer than {truth.min_group_size} customers lie beyond" in index
    else:
        assert (int(said.group(1).replace(",", "")) if said else 0) == outside
    if name == "outlier":
        assert outside >= 1
