"""Levels are true statements about each segment's mean and median (analysis/levels.py)."""

import numpy as np
import pytest

from generator.analysis.levels import column_levels, is_binary
from generator.config.personas import LEVELS


def _levels(values: list[float], labels: list[int]) -> list[str]:
    x, lab = np.asarray(values, dtype=np.float64), np.asarray(labels)
    return [LEVELS[i] for i in column_levels(x, lab, int(lab.max()) + 1)]


def test_levels_follow_the_mean_against_the_thirds() -> None:
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert _levels(values, [0, 0, 0, 1, 1, 1, 2, 2, 2]) == ["Low", "Medium", "High"]


def test_a_mostly_zero_segment_is_none_on_a_zero_inflated_column() -> None:
    # Half the customers have no instalments; the old tertile rule called segment 0 "Medium".
    # Segment 1 averages 4.5 against 36.5 (an index of 12) but its median, 4, is above
    # everyone's, 0: neither Low nor middling, Mixed.
    values = [0, 0, 0, 0, 0, 0, 0, 3, 5, 10, 20, 400]
    labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
    assert _levels(values, labels) == ["None", "Mixed", "High"]


def test_ties_at_both_tertiles_do_not_give_everyone_one_level() -> None:
    values = [1] * 5 + [2] * 5 + [3] * 5
    assert _levels(values, [0] * 5 + [1] * 5 + [2] * 5) == ["Low", "Medium", "High"]


@pytest.mark.parametrize(
    ("rates", "expected"),
    [((0.19, 0.07, 0.01), ["High", "Medium", "Low"]), ((0.5, 0.5, 0.5), ["Medium"] * 3)],
)
def test_flags_are_rates(rates: tuple[float, ...], expected: list[str]) -> None:
    rng = np.random.default_rng(3)
    values, labels = [], []
    for segment, rate in enumerate(rates):
        flags = rng.permutation(np.r_[np.ones(int(rate * 1000)), np.zeros(1000 - int(rate * 1000))])
        values += flags.tolist()
        labels += [segment] * 1000
    assert is_binary(np.asarray(values))
    assert _levels(values, labels) == expected


def test_high_and_low_always_agree_with_the_mean() -> None:
    rng = np.random.default_rng(7)
    for _ in range(50):
        values = rng.lognormal(0, 2, 300) * (rng.random(300) < 0.6)
        labels = rng.integers(0, 5, 300)
        levels = _levels(values.tolist(), labels.tolist())
        for segment, level in enumerate(levels):
            mean = values[labels == segment].mean()
            if level == "High":
                assert mean > values.mean()
            elif level == "Low":
                assert mean < values.mean()
            elif level == "None":
                assert (values[labels == segment] == 0).mean() >= 0.5


def test_a_two_valued_code_is_read_as_the_share_of_its_higher_value() -> None:
    # Channel 1 (Horeca) or 2 (Retail): all-Horeca is Low, mostly Retail High, never one level.
    values = [1] * 40 + [2] * 10 + [1] * 10 + [2] * 40 + [1] * 25 + [2] * 5
    labels = [0] * 50 + [1] * 50 + [2] * 30
    assert _levels(values, labels) == ["Low", "High", "Low"]
    assert _levels([1] * 30 + [2] * 30, [0] * 30 + [1] * 30) == ["Low", "High"]


def test_a_skewed_column_is_never_middling_far_from_the_mean() -> None:
    # Issue 19: "Spend is middling ... (an index of 38)". Most customers spend a little, a few
    # a lot; the segment of small spenders is Low, the big spenders High.
    rng = np.random.default_rng(5)
    small, big = rng.lognormal(3, 0.5, 900), rng.lognormal(6, 0.5, 100)
    values = np.r_[small, big]
    labels = np.r_[np.zeros(900, int), np.ones(100, int)]
    assert _levels(values.tolist(), labels.tolist()) == ["Low", "High"]


def test_a_few_large_values_lifting_a_mean_make_a_mixed_segment() -> None:
    # Segment 0: most customers below everyone's median, a few huge values lift its mean.
    values = [1, 1, 1, 1, 1, 1, 1, 1, 200, 200] + [10] * 10
    labels = [0] * 10 + [1] * 10
    assert _levels(values, labels) == ["Mixed", "Low"]


@pytest.mark.parametrize("seed", range(20))
def test_every_level_agrees_with_the_mean_and_the_median(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = np.round(rng.lognormal(2, 1.5, 400) * (rng.random(400) < 0.8), 1)
    labels = rng.integers(0, 5, 400)
    labels[np.argsort(values)[-40:]] = 4  # a segment of the biggest values
    levels = _levels(values.tolist(), labels.tolist())
    median = np.median(values)
    for segment, level in enumerate(levels):
        part = values[labels == segment]
        index = 100 * part.mean() / values.mean()
        if level == "High":
            assert index > 100 and np.median(part) >= median
        elif level == "Low":
            assert index < 100 and np.median(part) <= median
        elif level == "Medium":
            assert 80 < index < 120
