"""Golden tests of the rendered pages and chart specs on the small fixture."""

import json
from pathlib import Path

import pytest

from generator.analysis.run import run_analysis
from generator.config.settings import load_config
from generator.release.prepare import prepare
from generator.report.pages import build_pages
from generator.site.hooks import chart_json
from tests.conftest import ROOT, assert_golden

SMALL = ROOT / "tests" / "fixtures" / "small" / "segments.yml"
GOLDEN_PAGES = [
    "index.md",
    "segments/high-income-high-spend.md",
    "data.md",
    "downloads.md",
    "charts/segment-sizes.json",
    "charts/segment-map.json",
    "downloads/segments.json",
    "downloads/segment-profiles.csv",
    ".nav.yml",
]


@pytest.fixture(scope="module")
def pages() -> dict[str, bytes]:
    config = load_config(SMALL)
    release = prepare(run_analysis(config), config, relock=True)
    return {p.path: p.content for p in build_pages(release, config)}


@pytest.mark.parametrize("path", GOLDEN_PAGES)
def test_page_matches_golden(pages: dict[str, bytes], path: str) -> None:
    assert_golden("small/" + path.replace("/", "__"), pages[path].decode("utf-8"))


def test_every_segment_has_a_page_and_every_chart_a_csv(pages: dict[str, bytes]) -> None:
    segments = [p for p in pages if p.startswith("segments/")]
    assert len(segments) == 4
    charts = {Path(p).stem for p in pages if p.startswith("charts/")}
    data = {Path(p).stem for p in pages if p.startswith("downloads/data/")}
    assert charts == data and len(charts) == 4 + 2 + 4 + 4 * 4
    assert "changes.md" not in pages  # a first release has nothing to compare with


def test_every_chart_is_valid_vega_lite_with_title_and_description(pages: dict[str, bytes]) -> None:
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import load_schema

    schema = load_schema()
    for path, content in pages.items():
        if path.startswith("charts/"):
            spec = json.loads(content)
            validate_jsonschema(spec, schema)
            assert spec["title"] and len(spec["description"]) > 40, path


def test_methodology_states_reason_sampling_and_facts(pages: dict[str, bytes]) -> None:
    text = pages["methodology.md"].decode()
    assert "**4 segments.** All three signals agree" in text
    assert "The search over k used all 58 customers" in text
    assert "| Rows read | 58 |" in text
    assert "| random seed | 1 |".lower() in text.lower()
    assert "| scikit-learn |" in text


def test_private_map_has_no_individual_points(pages: dict[str, bytes]) -> None:
    spec = json.loads(pages["charts/segment-map.json"])
    rows = [r for values in spec["datasets"].values() for r in values]
    assert all(
        set(r) in ({"x0", "x1", "y0", "y1", "customers"}, {"x", "y", "segment", "number"})
        for r in rows
    )
    assert all(r["customers"] >= 5 for r in rows if "customers" in r)
    assert "Customer" not in pages["downloads/segment-profiles.csv"].decode()


def test_chart_json_is_safe_inside_a_script_element() -> None:
    text = chart_json({"title": "</script><script>alert(1)</script>", "a": "x & y\u2028"})
    assert "</script>" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"title": "</script><script>alert(1)</script>", "a": "x & y\u2028"}


def test_segments_under_the_minimum_group_size_are_flagged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from generator.commands import build

    text = SMALL.read_text().replace("min_group_size: 5", "min_group_size: 13")
    config = tmp_path / "segments.yml"
    config.write_text(
        text.replace("path: customers.csv", f"path: {SMALL.parent / 'customers.csv'}")
    )
    with caplog.at_level("WARNING"):
        build.generate_pages(build.Project(config), load_config(config))
    assert [r.getMessage() for r in caplog.records] == [
        "segment 2 (High Income, Low Spend) has 12 customers, fewer than privacy.min_group_size=13",
        "segment 4 (Low Income, High Spend) has 12 customers, fewer than privacy.min_group_size=13",
    ]


def test_the_numbers_heading_names_the_describe_columns(synthetic: Path) -> None:
    """Regression: every persona page was headed "Age and other numbers", with or without Age."""
    config = load_config(synthetic)
    release = prepare(run_analysis(config), config, relock=True)
    rendered = {p.path: p.content.decode() for p in build_pages(release, config)}
    persona = [text for path, text in rendered.items() if path.startswith("segments/")]
    assert persona
    for text in persona:
        assert "Age" not in text
        assert "\n## Tenure among all customers\n" in text
