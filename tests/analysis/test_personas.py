from pathlib import Path

import numpy as np
import pytest

from generator.analysis.personas import (
    direction_words,
    name_segments,
    playbook_actions,
    printed,
    slugify,
)
from generator.config.features import Feature
from generator.config.settings import Config, load_config
from generator.config.sources import RFM_LABELS, RFM_WORDS, Transactions
from generator.report.text import exact
from tests.conftest import MALL_CONFIG


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("High Income, Low Spending", "high-income-low-spending"),
        ("Überkunden <script>", "uberkunden-script"),
        ("../../etc/passwd", "etc-passwd"),
        ("\u202eevil\u202c", "evil"),
        ("***", ""),
    ],
)
def test_slugify_keeps_only_safe_characters(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_two_features_are_named_in_config_order() -> None:
    levels = (("High", "Low"), ("Low", "High"))
    z = np.array([[0.1, -2.0], [-2.0, 0.1]])
    names, slugs, used = name_segments(levels, z, ["Income", "Spending"])
    assert names == ["High Income, Low Spending", "Low Income, High Spending"]
    assert slugs == ["high-income-low-spending", "low-income-high-spending"]
    assert used == [[0, 1], [0, 1]]


def test_more_features_name_the_most_distinctive_and_stay_unique() -> None:
    levels = (("High", "Low", "Medium"), ("High", "Low", "High"), ("Low", "Medium", "Medium"))
    z = np.array([[2.0, -1.5, 0.1], [2.0, -1.5, 0.5], [-1.0, 0.0, 0.3]])
    names, slugs, _ = name_segments(levels, z, ["A", "B", "C"])
    assert names == ["High A, Low B, Medium C", "High A, Low B, High C", "Low A, Medium C"]
    assert len(set(slugs)) == 3


def test_identical_levels_are_told_apart_without_numbers() -> None:
    levels = (("High",), ("High",))
    names, slugs, _ = name_segments(levels, np.array([[1.0], [2.0]]), ["Spend"])
    assert names == ["High Spend, lower Spend", "High Spend, higher Spend"]
    assert slugs == ["high-spend-lower-spend", "high-spend-higher-spend"]


def test_many_segments_on_two_features_keep_unique_names() -> None:
    levels = (("High", "High"),) * 3 + (("Low", "Medium"), ("Low", "Low"), ("Medium", "Low"))
    z = np.array([[1.0, 2.0], [1.2, 1.0], [1.1, 1.5], [-1, 0], [-1, -1], [0, -1]])
    names, _, _ = name_segments(levels, z, ["Income", "Spending"])
    assert names[:3] == [
        "High Income, High Spending, highest Spending",
        "High Income, High Spending, lowest Spending",
        "High Income, High Spending, 2nd highest Spending",
    ]
    assert len(set(names)) == 6 and not any("(" in name for name in names)


def test_a_feature_with_one_level_everywhere_is_not_named() -> None:
    levels = (("High", "Medium", "Low"), ("Low", "Medium", "High"))
    z = np.array([[1.0, 3.0, -0.5], [-1.0, -3.0, 0.5]])
    names, _, used = name_segments(levels, z, ["A", "B", "C"])
    assert names == ["High A, Low C", "Low A, High C"] and used == [[0, 2], [0, 2]]


def test_hostile_labels_fall_back_to_numbered_slugs() -> None:
    _, slugs, _ = name_segments((("High",), ("Low",)), np.array([[1.0], [-1.0]]), ["<>"])
    assert slugs == ["high", "low"]
    _, slugs, _ = name_segments((("High",),), np.array([[1.0]]), ["\u4e2d"])
    assert slugs == ["high"]


@pytest.mark.parametrize(
    ("levels", "first_action"),
    [
        (
            {"Annual Income (k$)": "High", "Spending Score (1-100)": "High"},
            "Offer premium products",
        ),
        ({"Annual Income (k$)": "Low", "Spending Score (1-100)": "High"}, "Offer budget-friendly"),
        ({"Annual Income (k$)": "Medium", "Spending Score (1-100)": "High"}, "Study this segment"),
    ],
)
def test_most_specific_playbook_rule_wins(levels: dict[str, str], first_action: str) -> None:
    actions = playbook_actions(load_config(MALL_CONFIG), levels)
    assert actions[0].startswith(first_action)


@pytest.mark.parametrize(
    ("threshold", "values", "expected"),
    [
        # Issue 19: learned at 0.458, printed "above 0.5", 2.6% of customers sat at 0.5.
        (0.4583, [0.0, 0.25, 0.4167, 0.5, 0.75, 1.0], 0.46),
        (54.5, [20.0, 54.0, 55.0, 90.0], 54.0),  # whole numbers: "above 54" splits the same
        (54_321.5, [54_300.0, 54_350.0], 54_300.0),
        (0.5, [0.0, 1.0], 0.0),  # a 0/1 column: "above 0"
        (-3.25, [-5.0, -3.5, -3.0], -3.2),
    ],
)
def test_a_printed_threshold_splits_the_rows_as_the_learned_one(
    threshold: float, values: list[float], expected: float
) -> None:
    x = np.asarray(values)
    got = printed(threshold, x)
    assert got == expected
    assert ((x > got) == (x > threshold)).all()
    assert exact(got) == f"{expected:,.6f}".rstrip("0").rstrip(".")


def _log_config() -> Config:
    words = {c: RFM_WORDS.get(c, ()) for c in ("recency", "frequency", "monetary")}
    features = tuple(Feature(c, RFM_LABELS[c], words[c]) for c in words)
    log = Transactions(customer="customer", date="date", amount="amount")
    return Config(Path("c.yml"), Path("log.csv"), "customer", features, transactions=log)


def test_a_logs_words_read_its_own_customers() -> None:
    # Issue 19: a segment named "Repeat" was 71% one-time buyers, and the most recent segment
    # (an index of 53) was "Cooling". Columns: recency, frequency, monetary.
    levels = (("Medium", "Medium", "High"), ("Medium", "Low", "Low"), ("High", "High", "Medium"))
    means = np.array([[40.0, 2.5, 300.0], [150.0, 1.2, 40.0], [300.0, 6.0, 200.0]])
    once = np.array([[0.71, 0.71, 0.0], [0.3, 0.3, 0.0], [0.2, 0.2, 0.0]])
    words = direction_words(_log_config(), levels, means, once)
    assert [w[:2] for w in words] == [
        ["Recent", "One-time"],  # the most recent segment, mostly one-time buyers
        ["Cooling", "Repeat"],  # Low frequency, yet most bought more than once
        ["Lapsed", "Frequent"],
    ]
    mixed = (("Mixed", "Mixed", "Low"),) * 3
    assert [w[:2] for w in direction_words(_log_config(), mixed, means, once)] == [["", ""]] * 3
