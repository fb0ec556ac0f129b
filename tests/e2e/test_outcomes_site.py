"""End to end: a telecom-like table with a churn outcome, built by the real CLI and MkDocs.

The summary must name the segment whose churn differs most, with its size, in words checked
against pandas; the persona pages open with the rate; segments.json holds every figure.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import binomtest

from tests.analysis.test_outcomes import TELECOM, telecom_like
from tests.conftest import ROOT, run_cli, write_config
from tests.e2e.test_build import CACHE

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("telecom")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    frame = telecom_like()
    write_config(folder / "data", TELECOM, frame)
    result = run_cli("build", "--config", "data/segments.yml", cwd=folder, env=CACHE)
    assert result.returncode == 0, result.stderr
    sidecar = pd.read_csv(folder / "data" / "segments.assignments.csv", dtype=str)
    merged = frame.astype({"customerID": str}).merge(sidecar, on="customerID")
    return folder, merged.astype({"segment": int})


def test_summary_names_the_churn_segment_with_its_size(site) -> None:
    folder, frame = site
    text = (folder / "docs" / "index.md").read_text(encoding="utf-8")
    overall = (frame["Churn"] == "Yes").mean()
    by_segment = frame.groupby("segment")
    rates = by_segment["Churn"].apply(lambda s: (s == "Yes").mean())
    shares = by_segment.size() / len(frame)
    churned = by_segment["Churn"].apply(lambda s: int((s == "Yes").sum()))
    ci = {
        n: binomtest(churned[n], int(by_segment.size()[n])).proportion_ci(method="wilson")
        for n in rates.index
    }
    supported = [n for n in rates.index if not ci[n].low <= overall <= ci[n].high]
    assert any(rates[n] > overall for n in supported), "the fixture has a high-churn segment"
    for higher in (True, False):
        # Of the segments the interval sets apart, the one whose churn moves most customers
        # (share x |lift - 1|) on each side of everyone's rate is named, with its size.
        side = [n for n in supported if (rates[n] > overall) == higher]
        if not side:
            continue
        top = max(side, key=lambda n: shares[n] * abs(rates[n] / overall - 1))
        found = re.search(
            rf"^- \*\*\[{top}\. [^\]]+\]\(segments/[a-z0-9-]+\.md\)\*\*, (\d+)% of customers: "
            r".*?\*\*Churn (\d+)%\*\* against (\d+)% of all customers, ([\d.]+ times|\d+% of) "
            r"the overall rate \(95% interval (\d+)% to (\d+)%\)",
            text,
            re.M,
        )
        assert found, text
        stated = [int(found.group(i)) for i in (1, 2, 3, 5, 6)]
        true = (shares[top], rates[top], overall, ci[top].low, ci[top].high)
        assert stated == [round(100 * v) for v in true]
        lift = rates[top] / overall
        said = f"{lift:.1f} times" if higher else f"{round(100 * lift)}% of"
        assert found.group(4) == said
    assert "## What stands out" in text and text.count("\n- **[") <= 5
    assert "roughly even" not in text and "What else we see" not in text


def test_json_and_persona_pages_state_every_rate(site) -> None:
    folder, frame = site
    summary = json.loads((folder / "docs/downloads/segments.json").read_text(encoding="utf-8"))
    overall = (frame["Churn"] == "Yes").mean()
    for seg in summary["segments"]:
        part = frame[frame["segment"] == seg["number"]]
        churn = seg["outcomes"]["Churn"]
        assert churn["rate"] == pytest.approx((part["Churn"] == "Yes").mean(), rel=1e-5)
        assert churn["overall"] == pytest.approx(overall, rel=1e-5)
        assert churn["lift"] == pytest.approx(churn["rate"] / overall, rel=1e-5)
        complain = part["Complain"].dropna()
        assert seg["outcomes"]["Complain"]["rate"] == pytest.approx(complain.mean(), rel=1e-5)
        page = (folder / "docs/segments" / f"{seg['slug']}.md").read_text(encoding="utf-8")
        first = page.split("## Who they are")[0]
        assert f"- **Churn: {round(100 * churn['rate'])}%** of them against" in first
        assert "- **Churn**:" not in page  # never also a category bullet
        inside = churn["low"] <= overall <= churn["high"]
        assert ("not a clear difference" in first.split("Complain")[0]) == inside
        # A segment that clearly churns more is told to retain them, first.
        todo = page.split("## What to do")[1].strip().splitlines()[0]
        assert todo.startswith("- Retain them first:") == (churn["low"] > overall), seg["slug"]
    html = (folder / "site" / "index.html").read_text(encoding="utf-8")
    assert "What stands out" in html and "times the overall rate" in html
