"""Privacy by default, end to end: 1,000 synthetic customers, the default privacy settings.

No customer ID and no individual (income, spending) pair may appear in any file under site/;
a group under ``privacy.min_group_size`` (a tiny segment, a rare category) shows no count or
share anywhere, and a second group is hidden with it so totals cannot give it away.

The values are chosen so their text cannot be mistaken for other numbers: IDs have six digits
(100001 to 101000, clear of the round bin edge 100000), incomes five (20000 to 99999) and
spending four (1000 to 9999). A pair counts as published when the two numbers stand next to
each other (in either order) in a file's sequence of numbers: a CSV row, a JSON record, a table
row.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.report.privacy import Suppressor
from generator.report.text import MISSING
from generator.runtime.cache import read_signed, shared_folder
from tests.conftest import ROOT, run_cli
from tests.e2e.test_build import CACHE

pytestmark = pytest.mark.e2e
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?")
RARE = "Islands"
OTHER = "Other"
CONFIG = """\
title: Private shop
data: {path: customers.csv, id_column: customer}
features: [income, spending]
describe: [region]
k: 5
random_state: 3
"""


def customers() -> pd.DataFrame:
    """Four big groups and a tiny one of 8 high spenders; 7 customers in a rare region."""
    rng = np.random.default_rng(8)
    centres = [(30000, 2000), (30000, 8000), (90000, 2000), (90000, 5000)]
    parts = [rng.normal(c, (3000, 400), size=(248, 2)) for c in centres]
    parts.append(rng.normal((60000, 9700), (500, 60), size=(8, 2)))
    values = np.vstack(parts).round().astype(int)
    values[:, 0] = values[:, 0].clip(20000, 99999)
    values[:, 1] = values[:, 1].clip(1000, 9999)
    regions = np.array(["North", "South", "East"] * 334)[:1000].astype(object)
    regions[rng.choice(992, 7, replace=False)] = RARE
    return pd.DataFrame(
        {
            "customer": 100001 + np.arange(1000),
            "income": values[:, 0],
            "spending": values[:, 1],
            "region": regions,
        }
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, int]:
    """The built site/, the table, and the number of the segment of 8 (flagged by the build)."""
    folder = tmp_path_factory.mktemp("private")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    (folder / "input").mkdir()
    table = customers()
    table.to_csv(folder / "input" / "customers.csv", index=False)
    (folder / "input" / "segments.yml").write_text(CONFIG, encoding="utf-8")
    result = run_cli("build", "--config", "input/segments.yml", cwd=folder, env=CACHE)
    assert result.returncode == 0, result.stderr
    flagged = re.fullmatch(
        r"WARNING: segment (\d+) \(.*\) has 8 customers, fewer than privacy.min_group_size=10\n",
        result.stderr,
    )
    assert flagged, result.stderr
    return folder / "site", table, int(flagged.group(1))


def text_files(site: Path) -> dict[str, str]:
    found = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix != ".gz":
            try:
                found[path.relative_to(site).as_posix()] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:  # images: no text to search
                continue
    return found


def numbers(text: str) -> list[str]:
    """Every number in the text, thousands separators removed, in order."""
    return [match.replace(",", "") for match in NUMBER.findall(text)]


def test_no_customer_id_or_individual_pair_in_any_file(
    site: tuple[Path, pd.DataFrame, int],
) -> None:
    folder, table, _ = site
    ids = {str(i) for i in table["customer"]}
    pairs = {(str(a), str(b)) for a, b in zip(table["income"], table["spending"], strict=True)}
    pairs |= {(b, a) for a, b in pairs}
    files = text_files(folder)
    assert len(files) > 40 and "search/search_index.json" in files
    leaks = []
    # vl-convert's bundle is the same file whatever the data (and holds 100255 as a constant)
    cached = next(shared_folder().glob("vega-bundle-*.js"))
    bundle = read_signed(cached, cached.name)
    assert bundle is not None
    assert files.pop("assets/vendor/vega-bundle.js") == bundle.decode("utf-8")
    for name, text in files.items():
        found = numbers(text)
        leaks += [f"{name}: ID {n}" for n in sorted(ids & set(found))]
        leaks += [f"{name}: pair {p}" for p in sorted(pairs & set(itertools.pairwise(found)))]
    assert leaks == []
    assert "customer" in files["data.html"] and "never published" in files["data.html"]


def chart_rows(site: Path, name: str) -> list[dict[str, object]]:
    spec = json.loads((site / "charts" / f"{name}.json").read_text(encoding="utf-8"))
    return [row for rows in spec["datasets"].values() for row in rows]


def test_tiny_segment_shows_no_size_or_share(site: tuple[Path, pd.DataFrame, int]) -> None:
    folder, _, number = site
    summary = json.loads((folder / "downloads" / "segments.json").read_text(encoding="utf-8"))
    tiny = next(s for s in summary["segments"] if s["number"] == number)
    assert (tiny["size"], tiny["share"]) == (None, None)
    hidden = [s["number"] for s in summary["segments"] if s["size"] is None]
    assert len(hidden) == 2, hidden  # complementary suppression: the total gives nothing away
    bars = chart_rows(folder, "segment-sizes")
    assert sorted(int(r["segment"].split(".")[0]) for r in bars if r["customers"] is None) == hidden
    assert [r for r in bars if r["customers"] is None and r.get("share") is not None] == []
    spec = json.loads((folder / "charts" / "segment-sizes.json").read_text(encoding="utf-8"))
    said = dict(item.rsplit(": ", 1) for item in spec["description"].split(". ", 1)[1].split("; "))
    assert [name for name, size in said.items() if size == "hidden"] == [
        r["segment"] for r in bars if r["customers"] is None
    ]
    assert all(size == "hidden" or size.isdigit() for size in said.values()), said
    with (folder / "downloads" / "segment-profiles.csv").open(encoding="utf-8") as f:
        rows = {row["number"]: row for row in csv.DictReader(f)}
    assert all((rows[str(n)]["size"], rows[str(n)]["share"]) == ("", "") for n in hidden)
    index = (folder / "index.html").read_text(encoding="utf-8")
    for n in hidden:
        row = re.search(rf"<tr>\s*<td>{n}</td>.*?</tr>", index, re.DOTALL)
        assert row and row.group().count('right;">\u2013</td>') == 2, row
    assert "0.8%" not in index and ">1%<" not in index and " 1%" not in index
    page = (folder / "segments" / f"{tiny['slug']}.html").read_text(encoding="utf-8")
    assert "\u2013 customers, \u2013 of all." in page


def test_rare_category_is_pooled_and_never_published(site: tuple[Path, pd.DataFrame, int]) -> None:
    folder, _, _ = site
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".csv", ".md", ".txt"):
            assert RARE not in path.read_text(encoding="utf-8"), path
    spec_files = sorted(p.stem for p in (folder / "charts").glob("*.json"))
    region = next(
        n
        for n in spec_files
        if n.startswith("distribution-") and "East" in str(chart_rows(folder, n))
    )
    counts = {r["value"]: r["customers"] for r in chart_rows(folder, region)}
    assert counts[OTHER] is None  # 7 customers: pooled as Other, still a small group
    assert sum(c is None for c in counts.values()) == 2  # complementary suppression
    shares = [r for n in spec_files if n.startswith("shares-") for r in chart_rows(folder, n)]
    # a segment with no customer of the region may say so (0%); no other share is published
    assert shares and all(r["share"] in (None, 0.0) for r in shares if r["value"] == OTHER)
    table = (folder / "downloads" / "segment-profiles.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(io.StringIO(table)):
        assert row[f"share region: {OTHER}"] in ("", "0")


def test_tiny_segment_publishes_no_statistics(site: tuple[Path, pd.DataFrame, int]) -> None:
    folder, _, number = site
    summary = json.loads((folder / "downloads" / "segments.json").read_text(encoding="utf-8"))
    tiny = next(s for s in summary["segments"] if s["number"] == number)
    assert set(tiny["means"].values()) == set(tiny["medians"].values()) == {None}
    charts = {p.stem for p in (folder / "charts").glob("*.json")}
    assert not {c for c in charts if c.endswith(tiny["slug"])}
    centres = [r for r in chart_rows(folder, "segment-map") if "number" in r]
    assert str(number) not in {r["number"] for r in centres} and len(centres) == 4
    page = (folder / "segments" / f"{tiny['slug']}.html").read_text(encoding="utf-8")
    assert "its averages, ranges and rule of thumb are not published" in page
    assert "How to recognise them" not in page and "Key numbers" not in page
    with (folder / "downloads" / "segment-profiles.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["number"] == str(number))
    assert all(v == "" for k, v in row.items() if k.startswith(("mean:", "median:")))
    # The scoring model withholds its centre too: a tiny segment's centre is nearly a customer.
    model = json.loads((folder / "downloads" / "model.json").read_text(encoding="utf-8"))
    assert model["withheld"] == [number]
    for segment in model["segments"]:
        hidden = segment["number"] == number
        assert (segment["centroid"] is None) is hidden
        assert (segment["scaled_centroid"] is None) is hidden


def test_changes_page_hides_the_tiny_segment(
    site: tuple[Path, pd.DataFrame, int], tmp_path: Path
) -> None:
    built, table, number = site
    folder = tmp_path / "refresh"
    shutil.copytree(built.parent, folder, symlinks=True)
    table.iloc[20:].to_csv(folder / "input" / "customers.csv", index=False)  # 20 customers left
    result = run_cli("build", "--config", "input/segments.yml", cwd=folder, env=CACHE)
    assert result.returncode == 0, result.stderr
    page = (folder / "docs" / "changes.md").read_text(encoding="utf-8")
    rows = {
        int(cells[0]): cells[3:]
        for line in page.splitlines()
        if (cells := [c.strip() for c in line.strip("|").split("|")])[0].isdigit()
    }
    assert rows[number] == [MISSING] * 5  # then, now, change, share change, centre moved
    # The totals (1,000 then, 980 now) minus the other counts must not give it away either.
    others = [cells for n, cells in rows.items() if n != number]
    assert sum(MISSING in cells[:2] for cells in others) >= 1
    assert all(cells[4] != MISSING for cells in others)


def flow_description(counts: tuple[tuple[int, ...], ...]) -> str:
    from generator.release.changes import Changes, Flow
    from generator.report.charts.pages import flow
    from generator.report.privacy import Suppressor

    moves = Flow((1, 2), (1, 2), counts, (0, 0), (0, 0))
    common = sum(map(sum, counts))
    changes = Changes((), common, common, True, common, 0.9, moves)
    chart = flow(changes, Suppressor(10))
    assert chart is not None
    return chart.description


def test_no_total_over_hidden_flow_cells_is_published() -> None:
    # 942 stayed in segment 1, 6 in segment 2 (hidden): "948 stayed" would give the 6 away.
    assert flow_description(((942, 30), (40, 6))) == (
        "Heatmap of the 1,018 customers present in both releases by previous and current segment."
    )
    assert flow_description(((942, 30), (40, 60))) == (
        "Heatmap of the 1,072 customers present in both releases by previous and current "
        "segment; 1,002 stayed in the same segment."
    )


@pytest.mark.parametrize("seed", range(5))
def test_histogram_edges_never_show_the_extreme_values(seed: int) -> None:
    from generator.table.bins import rounded_edges

    rng = np.random.default_rng(seed)
    values = np.concatenate([rng.normal(50_000, 9_000, 300).round(), [107.0, 181_337.0]])
    edges = rounded_edges(values, 20)
    assert edges[0] <= values.min() and edges[-1] >= values.max()
    assert not set(edges) & {values.min(), values.max()}
    steps = np.diff(edges)
    assert np.allclose(steps, steps[0]) and 10 <= len(steps) <= 21
    counts, _ = np.histogram(values, bins=edges)
    assert counts.sum() == len(values)


@pytest.mark.parametrize(
    ("note", "published"),
    [
        (
            "column 'g': mapped 'M' to 'Male' (1 cell), 'F' to 'Female' (12 cells)",
            "column 'g': mapped 'M' to 'Male' (fewer than 10 cells), 'F' to 'Female' (12 cells)",
        ),
        (
            "dropped 2 rows with missing values (lines 3, 5)",
            "dropped fewer than 10 rows with missing values",
        ),
        (
            "dropped 1,234 rows with missing values (lines 2, 3, 5, 7, 9 and 1,229 more)",
            "dropped 1,234 rows with missing values",
        ),
        ("column 'Genre' read as 'Gender'", "column 'Genre' read as 'Gender'"),
    ],
)
def test_data_page_notes_follow_the_privacy_rule(note: str, published: str) -> None:
    from generator.report.privacy import Suppressor, public_note

    assert public_note(note, Suppressor(10)) == published
    assert public_note(note, Suppressor(10, enabled=False)) == note


def test_no_histogram_or_map_shows_an_extreme_value(site: tuple[Path, pd.DataFrame, int]) -> None:
    folder, table, _ = site
    # The tool clips spending at 1000, a round number a bin may well start at; others are not.
    ends = [v for c in ("income", "spending") for v in (table[c].min(), table[c].max())]
    extremes = {str(v) for v in ends if v % 50}
    assert len(extremes) == 2
    for name, text in text_files(folder).items():
        if name.startswith(("charts/", "downloads/data/")):
            assert not extremes & set(numbers(text)), name


def test_data_page_hides_a_small_number_of_dropped_rows(tmp_path: Path) -> None:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    table = customers().astype({"income": "float64"})
    table.loc[[3, 700], "income"] = np.nan
    (tmp_path / "input").mkdir()
    table.to_csv(tmp_path / "input" / "customers.csv", index=False)
    config = CONFIG.replace("id_column: customer}", "id_column: customer, missing: drop}")
    (tmp_path / "input" / "segments.yml").write_text(config, encoding="utf-8")
    result = run_cli("generate", "--config", "input/segments.yml", cwd=tmp_path, env=CACHE)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "docs" / "data.md").read_text(encoding="utf-8")
    assert "**998 customers segmented from <code>customers.csv</code>.**" in page
    assert "- Fewer than 10 rows were left out (the exact number is hidden for privacy)." in page
    assert "- dropped fewer than 10 rows with missing values\n" in page
    assert "1,000" not in page and "lines" not in page


@pytest.mark.parametrize("seed", range(30))
def test_no_row_or_column_total_reveals_a_hidden_flow_cell(seed: int) -> None:
    from generator.report.privacy import Suppressor

    rng = np.random.default_rng(seed)
    counts = rng.choice([0, 1, 3, 8, 12, 40, 150], size=(4, 5)).tolist()
    shown = Suppressor(10).visible_grid(counts)
    lines = [list(zip(counts[i], shown[i], strict=True)) for i in range(4)]
    lines += [[(counts[i][j], shown[i][j]) for i in range(4)] for j in range(5)]
    for line in lines:
        hidden = [c for c, ok in line if not ok]
        # One hidden cell beside shown non-empty ones would be its total minus those.
        assert len(hidden) != 1 or not [c for c, ok in line if ok and c > 0]
    for row, oks in zip(counts, shown, strict=True):
        assert all(not ok for c, ok in zip(row, oks, strict=True) if 0 < c < 10)


def test_a_grid_with_individual_points_allowed_hides_nothing() -> None:
    from generator.report.privacy import Suppressor

    counts = [[1, 50], [30, 2]]
    assert Suppressor(10, enabled=False).visible_grid(counts) == [[True, True], [True, True]]


def test_a_small_value_is_pooled_with_the_next_smallest_never_hides_a_large_one() -> None:
    # Issue 19: "InternetService: DSL (not shown: a small group)" for 515 customers.
    suppress = Suppressor(10)
    parts = {"DSL": 515 / 1170, "Fiber optic": 650 / 1170, "No": 5 / 1170}
    got = suppress.pooled(parts, 1170)
    assert got == [(("DSL", "No"), pytest.approx(520 / 1170)), (("Fiber optic",), 650 / 1170)]
    # Two small values hide each other: each hidden share is a small group.
    parts = {"A": 0.9, "B": 0.05, "C": 0.05}
    assert suppress.pooled(parts, 100) == [(("A",), 0.9), (("B",), None), (("C",), None)]
    assert Suppressor(10, enabled=False).pooled({"A": 0.95, "B": 0.05}, 100) == [
        (("A",), 0.95),
        (("B",), 0.05),
    ]
