import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from generator.analysis.run import run_analysis
from generator.config.settings import PersonaOverride, load_config
from generator.errors import ConfigError, DataError
from generator.release.changes import changes
from generator.release.lockfile import lock_from, lock_json, model_json, release_date
from generator.release.lockread import read_lock
from generator.release.match import apply_match, assign, match, match_radius
from generator.release.overrides import apply_overrides, refresh
from generator.release.sidecar import (
    assignments_csv,
    read_assignments,
    segment_numbers,
    text_sha256,
)
from tests.conftest import (
    INCOME,
    MALL_CONFIG,
    SPENDING,
    mall_frame,
    new_cluster,
    refreshed_mall,
    write_config,
    write_mall,
)

MALL_SLUGS = [
    "high-income-high-spending",
    "high-income-low-spending",
    "medium-income-medium-spending",
    "low-income-high-spending",
    "low-income-low-spending",
]


@pytest.fixture(scope="module")
def mall():
    config = load_config(MALL_CONFIG)
    analysis = run_analysis(config)
    sidecar = assignments_csv(analysis)
    return config, analysis, lock_from(analysis, config, None, text_sha256(sidecar)), sidecar


def analyse(folder: Path, frame, extra: str = ""):
    config = load_config(write_mall(folder, frame, extra))
    return config, run_analysis(config)


def test_lock_json_round_trips_and_is_stable(mall, tmp_path: Path, monkeypatch) -> None:
    config, analysis, lock, _ = mall
    text = lock_json(lock)
    path = tmp_path / "segments.lock.json"
    path.write_text(text)
    assert lock_json(read_lock(path)) == text
    assert lock_json(lock_from(analysis, config, None, lock.assignments_sha256)) == text
    data = json.loads(text)
    assert "date" not in data
    assert [s["slug"] for s in data["segments"]] == MALL_SLUGS
    assert [s["size"] for s in data["segments"]] == [39, 35, 81, 22, 23]
    assert data["n_customers"] == 200 and data["highest_number"] == 5
    assert data["data_sha256"] == analysis.table.source.sha256
    assert list(data) == sorted(data)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")
    assert release_date() == "2024-01-01"


def test_missing_lock_is_none(tmp_path: Path) -> None:
    assert read_lock(tmp_path / "segments.lock.json") is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": 2}', "bad or missing field 'format' (expected 1)"),
        ('{"format": 1}', "bad or missing field 'features'"),
    ],
)
def test_corrupt_lock_is_a_config_error(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "segments.lock.json"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        read_lock(path)
    assert str(info.value).startswith(f"{path}: the segments lock file is {why}")
    assert str(info.value).endswith(
        "or delete it (or build with --relock) to start numbering afresh"
    )


def test_refresh_keeps_numbers_slugs_and_names(mall, tmp_path: Path) -> None:
    lock = mall[2]
    new_config, fresh = analyse(tmp_path, refreshed_mall())
    result = refresh(fresh, new_config, lock)
    profiles = result.analysis.profiles
    assert [p.number for p in profiles] == [1, 2, 3, 4, 5]
    assert [p.slug for p in profiles] == MALL_SLUGS
    assert [p.name for p in profiles] == [s.name for s in lock.segments]
    assert result.match.new == () and result.match.retired == ()
    assert all(s.distance < 0.2 < s.radius for s in result.match.segments)
    sizes = np.bincount(result.analysis.segmentation.labels)
    assert list(sizes) == [p.size for p in profiles]
    assert sum(sizes) == 210


def test_change_report_after_a_refresh(mall, tmp_path: Path) -> None:
    _, _, lock, sidecar = mall
    (tmp_path / "segments.assignments.csv").write_text(sidecar)
    previous = read_assignments(tmp_path / "segments.assignments.csv", lock)
    new_config, fresh = analyse(tmp_path, refreshed_mall())
    published = refresh(fresh, new_config, lock).analysis
    report = changes(lock, published, previous)
    assert (report.n_before, report.n_after, report.common) == (200, 210, 190)
    assert report.data_changed and report.new == () and report.retired == ()
    before = [s.size for s in lock.segments]
    after = [p.size for p in published.profiles]
    assert [s.size_delta for s in report.segments] == [
        a - b for a, b in zip(after, before, strict=True)
    ]
    assert sum(s.size_delta for s in report.segments) == 10
    assert 0.9 < report.ari <= 1.0
    flow = report.flow
    assert flow.rows == flow.columns == (1, 2, 3, 4, 5)
    assert sum(map(sum, flow.counts)) == 190
    assert sum(flow.left) == 10 and sum(flow.joined) == 20
    diagonal = sum(flow.counts[i][i] for i in range(5))
    assert diagonal >= 180
    income = report.segments[0].moved[INCOME]
    assert abs(income) < 5


def test_change_report_without_assignments_has_no_customer_comparison(mall) -> None:
    _, analysis, lock, _ = mall
    report = changes(lock, analysis)
    assert report.ari is None and report.flow is None and report.common is None
    assert not report.data_changed
    assert all(s.size_delta == 0 and s.distance == 0.0 for s in report.segments)


def test_a_sidecar_from_another_release_is_refused(mall, tmp_path: Path) -> None:
    _, _, lock, sidecar = mall
    path = tmp_path / "segments.assignments.csv"
    path.write_text(sidecar + "999,1\n")
    with pytest.raises(DataError, match="does not belong to the segments lock file"):
        read_assignments(path, lock)


def test_a_new_cluster_is_reported_as_new(mall, tmp_path: Path) -> None:
    lock = mall[2]
    new_config, fresh = analyse(tmp_path, new_cluster(mall_frame()))
    result = refresh(fresh, new_config, lock)
    profiles = result.analysis.profiles
    assert [p.number for p in profiles] == [1, 2, 3, 4, 5, 6]
    assert [p.slug for p in profiles[:5]] == MALL_SLUGS
    assert [s.number for s in result.match.new] == [6]
    assert profiles[5].slug == "high-income-medium-spending"
    assert 40 <= profiles[5].size <= 45  # the 40 added, plus a few of the richest shoppers
    report = changes(lock, result.analysis)
    assert [s.number for s in report.new] == [6] and report.retired == ()
    assert report.new[0].size_before == 0 and report.new[0].size_after == profiles[5].size


def test_retired_numbers_are_never_reused(mall, tmp_path: Path) -> None:
    lock = mall[2]
    frame = mall_frame()
    low_high = (frame[INCOME] < 40) & (frame[SPENDING] > 60)
    first_config, first = analyse(tmp_path / "a", frame[~low_high], "k: 4\n")
    step = refresh(first, first_config, lock)
    assert [s.number for s in step.match.retired] == [4]
    assert [p.number for p in step.analysis.profiles] == [1, 2, 3, 5]
    relocked = lock_from(step.analysis, first_config, lock)
    assert relocked.highest_number == 5
    second_config, second = analyse(tmp_path / "b", frame, "k: 5\n")
    again = refresh(second, second_config, relocked)
    assert [p.number for p in again.analysis.profiles] == [1, 2, 3, 5, 6]
    # The low-income, high-spending segment comes back with a new number; its slug is free.
    assert again.analysis.profiles[-1].slug == "low-income-high-spending"


def test_match_refuses_a_lock_with_other_features(mall, tmp_path: Path) -> None:
    _, analysis, lock, _ = mall
    other = replace(lock, features=("Age", SPENDING))
    with pytest.raises(ConfigError, match="build with --relock to start afresh"):
        match(analysis, other)


def test_match_radius_is_half_the_nearest_neighbour_distance() -> None:
    centroids = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0]])
    assert list(match_radius(centroids)) == [1.0, 1.0, 4.0]


@pytest.mark.parametrize("shape", [(5, 5), (4, 6), (6, 4), (1, 1), (8, 8)])
def test_assign_agrees_with_the_solver(shape: tuple[int, int]) -> None:
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(sum(shape))
    diagonal = np.arange(min(shape))
    for trial in range(200):
        cost = rng.random(shape)
        near = trial % 2 == 1  # the usual refresh: every segment near its old place
        if near:
            cost[diagonal, diagonal] *= 0.05
        rows, cols = linear_sum_assignment(cost)
        pairs = assign(cost)
        assert sum(cost[r, c] for r, c in pairs) == pytest.approx(cost[rows, cols].sum())
        assert len(pairs) == min(shape) and len({c for _, c in pairs}) == len(pairs)
        if near:
            assert sorted(pairs) == list(zip(rows.tolist(), cols.tolist(), strict=True))


def test_apply_match_sorts_by_number_and_remaps_labels(mall) -> None:
    _, analysis, lock, _ = mall
    reversed_lock = replace(
        lock,
        segments=tuple(
            replace(s, number=10 - s.number, slug=f"s{10 - s.number}", name=f"S{s.number}")
            for s in lock.segments
        ),
        highest_number=9,
    )
    result = apply_match(analysis, match(analysis, reversed_lock))
    assert [p.number for p in result.profiles] == [5, 6, 7, 8, 9]
    assert [p.size for p in result.profiles] == [23, 22, 81, 35, 39]
    assert list(np.bincount(result.segmentation.labels)) == [23, 22, 81, 35, 39]
    assert np.array_equal(segment_numbers(result), segment_numbers(analysis) * -1 + 10)
    assert result.segmentation.levels[0] == ("Low", "Low")


def test_model_json_scores_like_the_build(mall) -> None:
    _, analysis, lock, _ = mall
    model = model_json(lock)
    x = analysis.table.feature_matrix()
    z = (x - np.array(model["scaler"]["center"])) / np.array(model["scaler"]["scale"])
    centroids = np.array([s["scaled_centroid"] for s in model["segments"]])
    nearest = ((z[:, None, :] - centroids[None]) ** 2).sum(axis=2).argmin(axis=1)
    numbers = np.array([s["number"] for s in model["segments"]])[nearest]
    assert np.array_equal(numbers, segment_numbers(analysis))
    assert model["features"] == [INCOME, SPENDING]
    assert set(model) == {"format", "features", "scaler", "segments", "withheld", "scoring"}


PERSONAS = """
personas:
  high-income-high-spending:
    name: Premium Spenders
    description: Our best customers.
    actions: [Invite them to the VIP evening.]
  gone-segment:
    name: Ghosts
"""


def test_overrides_follow_the_segment_and_stale_ones_are_reported(mall, tmp_path: Path) -> None:
    _, _, lock, _ = mall
    config, fresh = analyse(tmp_path, refreshed_mall(), PERSONAS)
    result = refresh(fresh, config, lock)
    first = result.analysis.profiles[0]
    assert (first.slug, first.name, first.description) == (
        "high-income-high-spending",
        "Premium Spenders",
        "Our best customers.",
    )
    assert first.actions == ("Invite them to the VIP evening.",)
    assert result.analysis.profiles[1].description is None
    assert result.warnings == (
        "personas.gone-segment: no segment has this slug any more (current: "
        + ", ".join(sorted(MALL_SLUGS))
        + "); the override is not used",
    )


def test_removing_an_override_brings_the_segments_own_name_back(mall, tmp_path: Path) -> None:
    config, analysis, lock, _ = mall
    renamed = replace(config, personas=(("high-income-high-spending", PersonaOverride("VIPs")),))
    step = refresh(analysis, renamed, lock)
    own = {p.number: p.name for p in step.matched.profiles}
    path = tmp_path / "segments.lock.json"
    path.write_text(lock_json(lock_from(step.analysis, renamed, lock, None, own)))
    overridden = read_lock(path)
    assert overridden is not None
    first = overridden.segments[0]
    assert (first.name, first.base_name) == ("VIPs", "High Income, High Spending")
    assert all(s.base_name is None for s in overridden.segments[1:])
    assert refresh(analysis, renamed, overridden).analysis.profiles[0].name == "VIPs"
    restored = refresh(analysis, config, overridden).analysis
    assert [p.name for p in restored.profiles] == [s.name for s in lock.segments]


def test_an_override_name_may_not_take_another_segments_name(mall) -> None:
    _, analysis, _, _ = mall
    taken = analysis.profiles[1].name
    result, warnings = apply_overrides(
        analysis, (("high-income-high-spending", PersonaOverride(name=taken)),)
    )
    assert result.profiles[0].name == analysis.profiles[0].name
    assert warnings == (
        f"personas.high-income-high-spending: the name {taken!r} is another segment's name; "
        "the generated name is kept",
    )


def test_persona_config_errors_are_reported_together(tmp_path: Path) -> None:
    text = MALL_CONFIG.read_text() + (
        "personas:\n"
        "  Bad Slug: {name: X}\n"
        "  a: {name: '', colour: red}\n"
        "  b: {actions: nope}\n"
        "  c: {name: Same}\n"
        "  d: {name: Same}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, text))
    assert info.value.details == (
        "personas.Bad Slug: the key should be a segment slug (a-z, 0-9 and -)",
        "personas.a: unknown setting 'colour' (expected name, description, actions)",
        "personas.a.name should be non-empty text, got ''",
        "personas.b.actions should be a list of sentences, got 'nope'",
        "personas: the name 'Same' is given to two segments",
    )


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda d: d.update(n_customers=10**400), "(expected a whole number from 0 to 2^53)"),
        (lambda d: d.update(n_customers=0), "'n_customers' 0 (expected at least the largest"),
        (lambda d: d["segments"][0].update(size=2**63), "(expected a whole number from 0 to 2^53)"),
        (lambda d: d["segments"][0]["centroid"].__setitem__(0, 1e308), "within ±1e100"),
        (lambda d: d["scaler"]["center"].__setitem__(0, 10**400), "within ±1e100"),
        (lambda d: d["scaler"]["scale"].__setitem__(0, 1e-300), "non-zero scale per feature"),
        (lambda d: d.update(comparison={"ari": 0.5}), "'comparison' (expected common, ari"),
        (
            lambda d: d.update(comparison={"ari": "x", "common": 3, "flow": None}),
            "'comparison.ari' x (expected a number from -1 to 1)",
        ),
        (
            lambda d: d.update(
                comparison={
                    "ari": 0.5,
                    "common": 3,
                    "flow": {
                        "rows": [1],
                        "columns": [1, 2],
                        "counts": [[3]],
                        "left": [0],
                        "joined": [0, 0],
                    },
                }
            ),
            "'comparison.flow.counts' (one count per row and column)",
        ),
    ],
)
def test_a_hand_edited_lock_with_huge_numbers_is_refused(mall, tmp_path: Path, edit, why) -> None:
    data = json.loads(lock_json(mall[2]))
    edit(data)
    path = tmp_path / "segments.lock.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as info:
        read_lock(path)
    assert str(info.value).startswith(f"{path}: the segments lock file is bad or missing field")
    assert why in str(info.value)


@pytest.mark.parametrize("slug", ["../../etc", "<script>x</script>", "a/b", "Upper", "a--"])
def test_a_lock_slug_that_is_not_a_slug_is_refused(mall, tmp_path: Path, slug: str) -> None:
    """Issue 21, Low: a slug with markup or ../ became a page's path and text."""
    data = json.loads(lock_json(mall[2]))
    data["segments"][0]["slug"] = slug
    path = tmp_path / "segments.lock.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as info:
        read_lock(path)
    assert "'slug'" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("depth", [2, 100_000])
def test_a_lock_whose_previous_has_a_previous_is_refused(mall, tmp_path: Path, depth) -> None:
    """Issue 21, Low: a 100,000-deep 'previous' chain ended in a RecursionError."""
    bare = json.loads(lock_json(mall[2]))
    if depth > 2:  # written as text: json.dumps itself would recurse too deeply
        text = '{"previous": ' * depth + json.dumps(bare) + "}" * depth
    else:
        text = json.dumps({**bare, "previous": {**bare, "previous": bare}})
    path = tmp_path / "segments.lock.json"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        read_lock(path)
    message = str(info.value)
    assert message.startswith(f"{path}: the segments lock file is ") and "\n" not in message
    assert ("nested too deeply" if depth > 2 else "holds no 'previous' of its own") in message


def test_an_empty_sidecar_is_a_data_error(mall, tmp_path: Path) -> None:
    lock = replace(mall[2], assignments_sha256=text_sha256(""))
    path = tmp_path / "segments.assignments.csv"
    path.write_text("")
    with pytest.raises(DataError) as info:
        read_assignments(path, lock)
    assert str(info.value) == (
        f"{path}: expected two columns, unique customer IDs and the locked segment numbers"
    )


def test_sidecar_ids_are_formula_safe_and_read_back_unchanged(mall, tmp_path: Path) -> None:
    config, analysis, _, _ = mall
    hostile = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "'=quoted", "\tx", "plain"]
    ids = hostile + [f"C{i}" for i in range(analysis.table.n_customers - len(hostile))]
    frame = analysis.table.frame.assign(CustomerID=ids)
    table = replace(analysis.table, frame=frame)
    hostile_analysis = replace(analysis, table=table)
    text = assignments_csv(hostile_analysis)
    written = [row[0] for row in csv.reader(io.StringIO(text))][1:8]
    assert written == [
        "'=cmd|' /C calc'!A0",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "''=quoted",
        "'\tx",
        "plain",
    ]
    lock = lock_from(hostile_analysis, config, None, text_sha256(text))
    path = tmp_path / "segments.assignments.csv"
    path.write_text(text)
    read = read_assignments(path, lock)
    assert read is not None and list(read.ids) == ids
