"""Attacks by subtraction on everything a private site publishes (issue 21, High 1).

A hidden segment (fewer than ``privacy.min_group_size`` customers) must not be recoverable from
published figures combined: everyone's mean or centre times everyone's count, minus the shown
segments' sizes times their means, would otherwise be the hidden segment's sum. Each attack here
assumes the worst: the attacker knows the hidden segment's size exactly (the map caption used
to say "1 customer lies beyond the axes"). The build runs the real CLI, locally and on DuckDB.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT, run_cli
from tests.e2e.test_build import CACHE

pytestmark = pytest.mark.e2e
FAR = (400.0, 400.0)
MIN = 10
CONFIG = """\
title: Attacked shop
data: {{path: customers.csv, id_column: customer}}
features: [income, spending]
describe: [region]
k: 5
random_state: 3
engine: {engine}
"""


def customers(hidden: int) -> pd.DataFrame:
    """Four big groups of incomes and spending scores, and ``hidden`` customers near (400, 400)."""
    rng = np.random.default_rng(21)
    centres = [(25, 20), (25, 80), (90, 20), (90, 80)]
    big = (1000 - hidden) // 4
    parts = [rng.normal(c, (6, 6), size=(big, 2)) for c in centres]
    parts.append(rng.normal(FAR, (2, 2), size=(hidden, 2)))
    values = np.vstack(parts).round(2)
    regions = np.array(["North", "South", "East"] * 400)[: len(values)]
    return pd.DataFrame(
        {
            "customer": 500001 + np.arange(len(values)),
            "income": values[:, 0],
            "spending": values[:, 1],
            "region": regions,
        }
    )


@pytest.fixture(scope="module", params=[("local", 1), ("duckdb", 6)], ids=["local-1", "duckdb-6"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The built docs/ and the table; the hidden segment is the far one."""
    engine, hidden = request.param
    folder = tmp_path_factory.mktemp(f"attack-{engine}")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    (folder / "input").mkdir()
    table = customers(hidden)
    table.to_csv(folder / "input" / "customers.csv", index=False)
    (folder / "input" / "segments.yml").write_text(CONFIG.format(engine=engine), encoding="utf-8")
    result = run_cli("build", "--config", "input/segments.yml", cwd=folder, env=CACHE)
    assert result.returncode == 0, result.stderr
    assert f"has {hidden} customer" in result.stderr, result.stderr
    return folder / "docs", table, hidden


def _truth(table: pd.DataFrame, hidden: int) -> np.ndarray:
    far = table.tail(hidden)
    return far[["income", "spending"]].to_numpy().mean(axis=0)


def _close(estimate: np.ndarray, truth: np.ndarray) -> bool:
    """Whether an estimate pins the hidden centre down to within 10% of its distance to 0."""
    return bool(np.all(np.abs(estimate - truth) < 0.1 * np.abs(truth)))


def _published(docs: Path) -> tuple[dict, dict]:
    summary = json.loads((docs / "downloads" / "segments.json").read_text(encoding="utf-8"))
    model = json.loads((docs / "downloads" / "model.json").read_text(encoding="utf-8"))
    return summary, model


def _hidden_rest(summary: dict, model: dict, hidden: int) -> tuple[int, np.ndarray | None]:
    """The customers not in a shown size, and the centre of the one hidden-size segment shown."""
    shown = sum(s["size"] for s in summary["segments"] if s["size"] is not None)
    rest = summary["n_customers"] - shown
    partner = [
        s
        for s in model["segments"]
        if s["centroid"] is not None
        and s["number"] in [x["number"] for x in summary["segments"] if x["size"] is None]
    ]
    centre = None
    if partner:
        centre = np.array([partner[0]["centroid"][f] for f in model["features"]])
    return rest - hidden, centre


def test_the_model_centre_does_not_give_the_hidden_segment_away(built) -> None:
    docs, table, hidden = built
    summary, model = _published(docs)
    assert model["withheld"], "the far segment should be withheld"
    n = summary["n_customers"]
    total = np.array(model["scaler"]["center"]) * n
    for item, seg in zip(summary["segments"], model["segments"], strict=True):
        if item["size"] is not None and seg["centroid"] is not None:
            total -= item["size"] * np.array([seg["centroid"][f] for f in model["features"]])
    partner_size, partner = _hidden_rest(summary, model, hidden)
    if partner is not None:
        total -= partner_size * partner
    assert not _close(total / hidden, _truth(table, hidden)), total / hidden


def _page_averages(page: str) -> dict[str, float]:
    """The comparison column of a segment page's key numbers (averages only)."""
    found = {}
    for line in page.splitlines():
        match = re.match(r"\| (income|spending), average \| [^|]* \| ([\d,.]+) \|", line, re.I)
        if match:
            found[match.group(1).lower()] = float(match.group(2).replace(",", ""))
    return found


def test_overall_averages_on_pages_do_not_give_it_away(built) -> None:
    docs, table, hidden = built
    summary, model = _published(docs)
    means = {s["number"]: s["means"] for s in summary["segments"]}
    shown = [s for s in summary["segments"] if s["size"] is not None and s["means"]["income"]]
    page = next((docs / "segments" / f"{s['slug']}.md").read_text(encoding="utf-8") for s in shown)
    overall = _page_averages(page)
    assert set(overall) == {"income", "spending"}, page
    n = summary["n_customers"]
    partner_size, _ = _hidden_rest(summary, model, hidden)
    partners = [s for s in summary["segments"] if s["size"] is None and s["means"]["income"]]
    estimate = []
    for column in ("income", "spending"):
        total = overall[column] * n - sum(s["size"] * means[s["number"]][column] for s in shown)
        if partners:
            total -= partner_size * partners[0]["means"][column]
        estimate.append(total / hidden)
    assert not _close(np.array(estimate), _truth(table, hidden)), estimate


def test_category_counts_do_not_give_the_hidden_region_away(built) -> None:
    """Everyone's region counts minus the shown segments' shares times sizes is the hidden mix."""
    docs, _, _ = built
    summary, _ = _published(docs)
    data = (docs / "downloads" / "data").glob("distribution-*.csv")
    regions = next(
        list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8"))))
        for p in sorted(data)
        if "value" in p.read_text(encoding="utf-8").splitlines()[0]
    )
    counts = {r["value"]: float(r["customers"] or "nan") for r in regions}
    known = sum(v for v in counts.values() if v == v)
    # The published counts are the described segments' own: no more customers than they have.
    shown = sum(s["size"] for s in summary["segments"] if s["size"] is not None)
    assert known <= shown + 1, (counts, shown)


def test_no_small_count_of_customers_beyond_the_axes(built) -> None:
    docs, _, _ = built
    for page in docs.rglob("*.md"):
        for count in re.findall(r"(\d[\d,]*) customers? lies? beyond the axes", page.read_text()):
            assert int(count.replace(",", "")) >= MIN, (page, count)


def test_histogram_ends_hold_enough_customers(built) -> None:
    """A far bin beside empty ones would say where a hidden customer is, even with no count."""
    docs, table, _ = built
    for number, column in enumerate(("income", "spending"), 1):
        path = docs / "downloads" / "data" / f"distribution-{number}.csv"
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for end in (rows[0], rows[-1]):
            low, high = float(end["from"]), float(end["to"])
            inside = table[column].between(low, high).sum()
            assert inside >= MIN, (path.name, column, end, inside)


@pytest.mark.parametrize(
    ("counts", "merged"),
    [
        ([1, 0, 95, 399, 24, 0, 0, 1], [96, 399, 25]),
        ([50, 50], [50, 50]),
        ([3, 4], [7]),
        ([0, 12, 0, 0, 9], [21]),
    ],
)
def test_end_bins_are_widened_until_they_hold_enough(counts: list[int], merged: list[int]) -> None:
    from generator.report.charts.pages import coded_tails

    hist, edges = coded_tails(np.array(counts), np.arange(len(counts) + 1.0), MIN)
    assert hist.tolist() == merged
    assert len(edges) == len(merged) + 1 and edges[0] == 0 and edges[-1] == len(counts)
