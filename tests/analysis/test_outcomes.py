"""Outcome rates: Wilson intervals, lifts and every segment's rate against pandas."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from generator.analysis.outcomes import outcome_rate, wilson
from generator.analysis.run import run_analysis
from generator.config.settings import load_config
from generator.errors import ConfigError, DataError
from generator.report.context import suppressor
from generator.report.outcomes import outcome_lines
from tests.conftest import write_config

TELECOM = """
data: {path: table.csv, id_column: customerID}
features: [tenure, MonthlyCharges]
describe: [Contract, PaperlessBilling]
outcomes: {Churn: "Yes", Complain: 1}
k: 3
random_state: 3
"""


def telecom_like(rows: int = 1_500, seed: int = 11) -> pd.DataFrame:
    """A telecom-like table: short-tenure month-to-month customers churn most; a 0/1 flag."""
    rng = np.random.default_rng(seed)
    tenure = np.round(rng.gamma(1.2, 20.0, rows)).clip(0, 72)
    charges = np.round(rng.normal(65, 25, rows).clip(18, 120), 2)
    contract = np.where(tenure < 12, "Month-to-month", rng.choice(["One year", "Two year"], rows))
    churn_p = np.where(tenure < 12, 0.5, 0.1) + np.where(charges > 90, 0.1, 0.0)
    frame = pd.DataFrame(
        {
            "customerID": [f"{i:04d}-ABCDE" for i in range(rows)],
            "tenure": tenure,
            "MonthlyCharges": charges,
            "Contract": contract,
            "PaperlessBilling": rng.choice(["Yes", "No"], rows),
            "Churn": np.where(rng.random(rows) < churn_p, "Yes", "No"),
            "Complain": (rng.random(rows) < 0.2).astype(int),
        }
    )
    frame.loc[rng.choice(rows, 40, replace=False), "Complain"] = np.nan  # gaps: not counted
    return frame


@pytest.mark.parametrize(("positives", "count"), [(0, 10), (1, 10), (48, 100), (10, 10), (3, 7)])
def test_wilson_matches_scipy(positives: int, count: int) -> None:
    expected = binomtest(positives, count).proportion_ci(0.95, method="wilson")
    low, high = wilson(positives, count)
    assert math.isclose(low, expected.low, abs_tol=1e-12)
    assert math.isclose(high, expected.high, abs_tol=1e-12)


def test_wilson_by_hand() -> None:
    # 48 of 100, z = 1.96: centre (0.48 + 1.96^2/200) / (1 + 1.96^2/100), half-width as below.
    z = 1.959963984540054
    centre = (0.48 + z * z / 200) / (1 + z * z / 100)
    half = z * math.sqrt(0.48 * 0.52 / 100 + z * z / 40_000) / (1 + z * z / 100)
    assert wilson(48, 100) == pytest.approx((centre - half, centre + half), abs=1e-15)
    assert wilson(48, 100) == pytest.approx((0.3846, 0.5768), abs=1e-4)
    assert all(math.isnan(v) for v in wilson(0, 0))
    assert math.isnan(outcome_rate(0, 0).rate)


def test_every_rate_lift_and_interval_matches_pandas(tmp_path: Path) -> None:
    frame = telecom_like()
    analysis = run_analysis(load_config(write_config(tmp_path, TELECOM, frame)))
    labels = pd.Series(analysis.segmentation.labels + 1)
    ordered = frame.sort_values("customerID", ignore_index=True)
    churn = (ordered["Churn"] == "Yes").astype(float)
    complain = ordered["Complain"]  # NaN where unknown: pandas' mean skips it
    assert analysis.population.outcomes["Churn"].rate == pytest.approx(churn.mean(), abs=1e-15)
    assert analysis.population.outcomes["Complain"].count == complain.notna().sum()
    by_segment = pd.DataFrame({"s": labels, "churn": churn, "complain": complain}).groupby("s")
    for profile in analysis.profiles:
        group = by_segment.get_group(profile.number)
        rate = profile.outcomes["Churn"]
        assert (rate.positives, rate.count) == (int(group["churn"].sum()), len(group))
        assert rate.rate == pytest.approx(group["churn"].mean(), abs=1e-15)
        ci = binomtest(rate.positives, rate.count).proportion_ci(method="wilson")
        assert (rate.low, rate.high) == pytest.approx((ci.low, ci.high), abs=1e-12)
        known = group["complain"].dropna()
        assert profile.outcomes["Complain"].count == len(known)
        assert profile.outcomes["Complain"].rate == pytest.approx(known.mean(), abs=1e-15)
    # Outcomes are never clustered on nor profiled as ordinary categories.
    assert analysis.table.features == ("tenure", "MonthlyCharges")
    assert all("Churn" not in p.categorical for p in analysis.profiles)


def test_a_difference_the_interval_does_not_support_is_not_claimed(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, TELECOM, telecom_like()))
    analysis = run_analysis(config)
    lines = outcome_lines(analysis, config, suppressor(config))
    overall = analysis.population.outcomes["Churn"].rate
    directions = set()
    for profile in analysis.profiles:
        line = next(o for o in lines[profile.number] if o.column == "Churn")
        rate = profile.outcomes["Churn"]
        inside = rate.low <= overall <= rate.high
        assert line.direction == (
            "same" if inside else "higher" if rate.rate > overall else "lower"
        )
        assert line.lift == pytest.approx(rate.rate / overall)
        directions.add(line.direction)
    assert "higher" in directions  # the short-tenure segment churns more, and it is said


def test_small_outcome_groups_are_hidden_with_their_complement(tmp_path: Path) -> None:
    frame = telecom_like(600, seed=2)
    frame["Complain"] = 0
    frame.loc[:4, "Complain"] = 1  # five complaints: fewer than min_group_size
    config = load_config(write_config(tmp_path, TELECOM, frame))
    analysis = run_analysis(config)
    lines = outcome_lines(analysis, config, suppressor(config))
    complain = [o for p in analysis.profiles for o in lines[p.number] if o.column == "Complain"]
    assert all(not o.shown and o.overall is None for o in complain)


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        (
            '{Churn: "Maybe"}',
            "outcomes.Churn: no customer has 'Maybe' (the column holds 'No', "
            "'Yes'); expected the value that marks the outcome",
        ),
        (
            '{Complain: "often"}',
            "outcomes.Complain: the column holds numbers, so 'often' never "
            "occurs; expected the number that marks the outcome (such as 1)",
        ),
        (
            "{Complain: 7}",
            "outcomes.Complain: no customer has '7' (the column holds numbers from "
            "0 to 1); expected the value that marks the outcome",
        ),
    ],
)
def test_a_positive_value_the_table_lacks_is_named(
    tmp_path: Path, outcomes: str, message: str
) -> None:
    text = TELECOM.replace('{Churn: "Yes", Complain: 1}', outcomes)
    path = write_config(tmp_path, text, telecom_like(300))
    with pytest.raises(DataError) as info:
        run_analysis(load_config(path))
    assert str(info.value) == f"{tmp_path / 'table.csv'}: {message}"


def test_an_unknown_outcome_column_is_named(tmp_path: Path) -> None:
    text = TELECOM.replace("Complain: 1", "Exited: 1")
    with pytest.raises(DataError, match="missing column 'Exited'"):
        run_analysis(load_config(write_config(tmp_path, text, telecom_like(300))))


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        (
            "{Churn: Yes}",
            "outcomes.Churn: YAML reads a bare Yes as true; quote the value as the "
            'table writes it (Churn: "Yes")',
        ),
        (
            "{tenure: 1}",
            "outcomes.tenure is a feature; an outcome is measured per segment, never clustered on",
        ),
        (
            "{Contract: Month}",
            "outcomes.Contract is also under describe; list it once, as an outcome",
        ),
        (
            "[Churn]",
            'outcomes should be a mapping of column to positive value (Churn: "Yes"), '
            "got ['Churn']",
        ),
        (
            "{Churn: null}",
            'outcomes.Churn should be the value that marks the outcome ("Yes", 1), got None',
        ),
    ],
)
def test_outcome_settings_are_checked(tmp_path: Path, outcomes: str, message: str) -> None:
    path = write_config(tmp_path, TELECOM.replace('{Churn: "Yes", Complain: 1}', outcomes))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.details == (message,)


PLAYBOOK = """
playbook:
  - when: {tenure: High}
    actions: ["Keep them: loyalty rewards, early access and personal service."]
  - when: {}
    actions: [Study this segment further before targeting it.]
"""


def test_a_churn_prone_segment_is_told_to_retain_them_first(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, TELECOM + PLAYBOOK, telecom_like()))
    analysis = run_analysis(config)
    overall = analysis.population.outcomes["Churn"].rate
    retained = 0
    for profile in analysis.profiles:
        rate = profile.outcomes["Churn"]
        first = profile.actions[0]
        assert (first == RETAIN) == (rate.low > overall), profile.name
        assert (first == KEPT) == (rate.high < overall), profile.name
        retained += first == RETAIN
        assert profile.actions.count(RETAIN) <= 1
    assert retained >= 1


KEPT = (
    "Learn from them: fewer of them leave (Churn) than other customers; find what keeps them "
    "and offer it to customers like them."
)
RETAIN = (
    "Retain them first: more of them leave (Churn) than other customers; find out why, and "
    "reach them with a save offer before they go."
)


def test_a_loss_making_segment_is_never_rewarded(tmp_path: Path) -> None:
    frame = telecom_like()
    rng = np.random.default_rng(4)
    # Long-standing customers on deep discounts lose money; the rest earn a little.
    frame["Profit"] = np.where(frame["tenure"] > 30, -rng.gamma(2, 10, len(frame)), 5.0)
    text = TELECOM.replace("describe: [", "describe: [Profit, ") + PLAYBOOK
    analysis = run_analysis(load_config(write_config(tmp_path, text, frame)))
    losing = [p for p in analysis.profiles if p.numeric["Profit"].mean < 0]
    assert losing, "the fixture has a loss-making segment"
    for profile in analysis.profiles:
        said = " ".join(profile.actions)
        loses = profile.numeric["Profit"].mean < 0
        assert ("lose money" in said) == loses, profile.name
        if loses:
            assert "loyalty" not in said and "Keep them" not in said
