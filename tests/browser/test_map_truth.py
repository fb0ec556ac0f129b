"""A private map whose every density cell is too small: words instead of a grid, no NaN, no warning.

Built from a seeded table by the real CLI and opened in Chromium: the map draws only the segment
centres, its caption says why, no legend reads "NaN" and the console stays free of Vega's
warnings (an empty binned layer used to log ``Infinite extent for field "x0"``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from helpers import Tab, bound_server, check_page, copy_project, segments

CONFIG = """\
title: Sparse shop
data: {path: table.csv, id_column: id}
features: [income, spending]
k: 2
privacy: {individual_points: false, min_group_size: 40}
"""


@pytest.fixture(scope="module")
def sparse_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = copy_project(tmp_path_factory.mktemp("sparse"))
    shutil.rmtree(project / "data")
    (project / "data").mkdir()
    rng = np.random.default_rng(21)
    points = np.vstack([rng.normal(c, 8, size=(100, 2)) for c in ((30, 30), (80, 80))]).round(1)
    table = pd.DataFrame({"id": range(200), "income": points[:, 0], "spending": points[:, 1]})
    table.to_csv(project / "data" / "table.csv", index=False)
    (project / "data" / "segments.yml").write_text(CONFIG, encoding="utf-8")
    with bound_server(project / "site") as (_server, base_url):
        result = segments(project, "build", env={"SITE_URL": base_url})
        assert result.returncode == 0, result.stderr
        yield base_url


def test_an_empty_grid_is_said_in_words(tab: Tab, sparse_site: str) -> None:
    warnings: list[str] = []
    tab.page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    seen: list[str] = []
    for page in ("index.html", "segments/high-income-high-spending.html"):
        report = check_page(tab.page, tab.watch, sparse_site + page)
        assert not report.problems, report.problems
        assert "too few customers to show, so only the centres are drawn" in tab.page.inner_text(
            "article"
        )
        legends = tab.page.locator(".segments-chart svg .role-legend").evaluate_all(
            "nodes => nodes.map((n) => n.textContent)"
        )
        assert not any("NaN" in text for text in legends), legends
        seen += legends
    assert any("Segment" in text for text in seen), seen  # the map's one legend was drawn
    assert not [w for w in warnings if "extent" in w.lower() or "nan" in w.lower()], warnings
