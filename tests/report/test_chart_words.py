"""The charts' words come from templates/charts/words.yml, and a missing one is a named error."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.analysis.run import run_analysis
from generator.config.settings import load_config
from generator.errors import RenderError
from generator.report.charts import words
from generator.report.charts.common import segment_sizes
from tests.conftest import MALL_CONFIG


@pytest.fixture(scope="module")
def analysis():
    return run_analysis(load_config(MALL_CONFIG))


def test_a_chart_says_what_the_table_says(
    analysis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = words.WORDS.read_text(encoding="utf-8")
    edited = original.replace("title: Customers per segment", "title: Kunden je Segment")
    edited = edited.replace('name: "{number}. {name}"', 'name: "Segment {number}: {name}"')
    assert edited.count("Kunden je Segment") == 1 and "Segment {number}" in edited
    (tmp_path / "words.yml").write_text(edited, encoding="utf-8")
    monkeypatch.setattr(words, "WORDS", tmp_path / "words.yml")
    chart = segment_sizes(analysis, [True] * len(analysis.profiles))
    first = analysis.profiles[0]
    assert chart.title == chart.spec["title"] == "Kunden je Segment"
    assert f"Segment 1: {first.name}: {first.size}" in chart.description


@pytest.mark.parametrize(
    ("key", "values", "message"),
    [
        ("sizes.headline", {}, "no words at 'sizes.headline'"),
        ("sizes", {}, "no words at 'sizes'"),
        (
            "map.points",
            {"number": 3},
            "the words at 'map.points' cannot be filled (KeyError: 'count'); "
            "the chart gives the values: number",
        ),
    ],
)
def test_missing_words_are_a_render_error(
    key: str, values: dict[str, object], message: str
) -> None:
    with pytest.raises(RenderError) as caught:
        words.say(key, **values)
    assert str(caught.value) == f"{words.WORDS}: {message}"
