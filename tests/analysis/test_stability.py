from dataclasses import replace

import numpy as np
import pytest

from generator.analysis.run import run_analysis
from generator.analysis.stability import best_jaccard, best_match, reading, stability
from generator.config.settings import load_config
from generator.release.lockfile import lock_from
from generator.release.match import apply_match, match
from tests.conftest import MALL_CONFIG


@pytest.fixture(scope="module")
def config():
    return load_config(MALL_CONFIG)


def test_mall_segments_are_highly_stable(config) -> None:
    analysis = run_analysis(config)
    result = stability(analysis, config)
    # Measured: 1.000, 0.957, 0.972, 0.981, 0.984 (about 0.7 s; see benchmarks/bench.py).
    assert [s.reading for s in result.segments] == ["highly stable"] * 5
    assert min(s.jaccard for s in result.segments) > 0.9
    assert [s.number for s in result.segments] == [1, 2, 3, 4, 5]
    assert all(s.dissolved == 0.0 for s in result.segments)
    assert (result.resamples, result.sample_rows) == (100, 200)
    assert [r.random_state for r in result.seeds] == [43, 44, 45, 46, 47]
    assert result.seed_ari_min == 1.0
    assert result.below(0.6) == ()
    assert stability(analysis, config) == result


def test_evidence_renumbered_after_matching_is_the_evidence_of_the_published_segments(
    config,
) -> None:
    analysis = run_analysis(config)
    lock = lock_from(analysis, config)
    reversed_lock = replace(
        lock,
        segments=tuple(
            replace(s, number=10 - s.number, slug=f"s{10 - s.number}") for s in lock.segments
        ),
        highest_number=9,
    )
    result = match(analysis, reversed_lock)
    published = apply_match(analysis, result)
    measured = stability(analysis, config, resamples=10)
    renumbered = measured.renumbered([s.number for s in result.segments], published)
    assert [s.number for s in renumbered.segments] == [5, 6, 7, 8, 9]
    assert [s.slug for s in renumbered.segments] == ["s5", "s6", "s7", "s8", "s9"]
    assert renumbered == stability(published, config, resamples=10)


def test_an_over_segmented_run_is_flagged(config) -> None:
    forced = replace(config, k=10)
    result = stability(run_analysis(forced), forced)
    assert len(result.segments) == 10
    assert len(result.below(0.75)) >= 2
    assert len(result.below(0.6)) >= 1
    assert result.seed_ari_min < 0.9
    assert {s.reading for s in result.below(0.6)} == {"do not trust"}


def test_the_evidence_is_computed_on_a_bounded_sample(config) -> None:
    analysis = run_analysis(config)
    result = stability(analysis, config, resamples=5, max_rows=120)
    assert (result.resamples, result.sample_rows) == (5, 120)


@pytest.mark.parametrize(
    ("score", "words"),
    [
        (1.0, "highly stable"),
        (0.85, "highly stable"),
        (0.8, "stable"),
        (0.75, "stable"),
        (0.7, "doubtful"),
        (0.6, "doubtful"),
        (0.59, "do not trust"),
        (0.0, "do not trust"),
    ],
)
def test_reading(score: float, words: str) -> None:
    assert reading(score) == words


@pytest.mark.parametrize(
    ("reference", "other", "expected"),
    [
        ([0, 0, 1, 1], [1, 1, 0, 0], [1.0, 1.0]),
        ([0, 0, 1, 1], [0, 0, 0, 0], [0.5, 0.5]),
        ([0, 0, 0, 1], [0, 0, 1, 1], [2 / 3, 0.5]),
        ([0, 0, 0, 0], [0, 1, 0, 1], [0.5, np.nan]),
    ],
)
def test_best_jaccard(reference: list[int], other: list[int], expected: list[float]) -> None:
    got = best_jaccard(np.array(reference), np.array(other), 2)
    np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize(
    ("reference", "other", "expected"),
    [
        ([0, 0, 1, 1], [1, 1, 0, 0], [0.5, 0.5]),
        # Segment 0's best match (Jaccard 2/3) holds 2 of the 4 points; segment 1's holds 2 too.
        ([0, 0, 0, 1], [0, 0, 1, 1], [0.5, 0.5]),
        # Everyone in one resample cluster: that is each segment's match, all the points.
        ([0, 0, 1, 1], [0, 0, 0, 0], [1.0, 1.0]),
        ([0, 0, 0, 0], [0, 1, 0, 1], [0.5, np.nan]),
    ],
)
def test_best_match_share(reference: list[int], other: list[int], expected: list[float]) -> None:
    _, share = best_match(np.array(reference), np.array(other), 2)
    np.testing.assert_allclose(share, expected)


def test_share_noise_is_the_sampling_noise_of_a_stable_segment(config) -> None:
    analysis = run_analysis(config)
    result = stability(analysis, config)
    # Each resample holds about 63% of the 200 customers, drawn without replacement: the
    # binomial standard error with the finite population correction.
    present = 200 * (1 - np.exp(-1))
    for s, p in zip(result.segments, analysis.profiles, strict=True):
        expected = np.sqrt(p.share * (1 - p.share) / present * (200 - present) / 199)
        assert 0.7 * expected < s.share_noise < 1.3 * expected, (p.number, s.share_noise)
