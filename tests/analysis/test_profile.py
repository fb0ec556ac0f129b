import pickle

import pytest

from generator.analysis.run import run_analysis
from generator.config.settings import load_config
from generator.model import FrozenMap
from generator.report.text import render
from tests.conftest import MALL_CONFIG


@pytest.fixture(scope="module")
def analysis():
    return run_analysis(load_config(MALL_CONFIG))


def test_mall_personas_sizes_and_actions(analysis) -> None:
    got = [(p.number, p.name, p.size, p.actions[0].split()[0]) for p in analysis.profiles]
    assert got == [
        (1, "High Income, High Spending", 39, "Offer"),
        (2, "High Income, Low Spending", 35, "Convert"),
        (3, "Medium Income, Medium Spending", 81, "Promote"),
        (4, "Low Income, High Spending", 22, "Offer"),
        (5, "Low Income, Low Spending", 23, "Stock"),
    ]
    assert sum(p.share for p in analysis.profiles) == pytest.approx(1.0)


def test_profile_statistics_in_original_units(analysis) -> None:
    first = analysis.profiles[0]
    assert first.mean["Annual Income (k$)"] == pytest.approx(86.538, abs=1e-3)
    assert first.median["Spending Score (1-100)"] == 83.0
    assert first.index["Annual Income (k$)"] == pytest.approx(100 * 86.538 / 60.56, abs=0.01)
    age = first.numeric["Age"]
    assert (age.median, age.q1, age.q3) == (32.0, 30.0, 35.5)
    gender = first.categorical["Gender"]
    assert gender == pytest.approx({"Female": 21 / 39, "Male": 18 / 39})


def test_rules_of_thumb_recognise_their_segment(analysis) -> None:
    rule = analysis.profiles[0].rule
    assert rule.conditions == (
        ("Annual Income (k$)", ">", 54.0),
        ("Spending Score (1-100)", ">", 62.0),
    )
    assert (rule.recall, rule.precision, rule.accuracy) == (1.0, 1.0, 1.0)
    for profile in analysis.profiles:
        assert profile.rule.accuracy >= 0.95 and profile.rule.recall >= 0.85


def test_population_insights_in_words(analysis) -> None:
    text = render("cli/analyze.txt.j2", "txt", analysis=analysis)
    assert "Gender: a slight majority are Female (56%)." in text
    assert "Age: half of the customers are between 28.8 and 49 (median 36)." in text
    assert "Income and Spending: no linear relationship (correlation 0.01)" in text


def test_profiles_are_frozen_mappings_that_hash_and_pickle(analysis) -> None:
    """The analysis cache pickles profiles; pages read their columns in the table's order."""
    first = analysis.profiles[0]
    assert list(first.mean) == list(analysis.table.features)
    again = pickle.loads(pickle.dumps(first))
    assert again == first and hash(again) == hash(first)
    assert list(again.mean) == list(first.mean)
    with pytest.raises(TypeError):
        first.mean["Age"] = 1.0  # type: ignore[index]
    assert FrozenMap({"a": 1, "b": 2}) == FrozenMap({"b": 2, "a": 1}) == {"a": 1, "b": 2}
    assert hash(FrozenMap({"a": 1, "b": 2})) == hash(FrozenMap({"b": 2, "a": 1}))
