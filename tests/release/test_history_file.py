"""The release history file: made from a release or a lock, continued, written and read back."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from generator.analysis.run import run_analysis
from generator.analysis.stability import stability
from generator.config.settings import load_config
from generator.errors import ConfigError
from generator.model import FrozenMap
from generator.release.history import (
    FlowCell,
    History,
    HistoryEntry,
    HistoryFlow,
    HistorySegment,
    continued,
    history_json,
    lock_entry,
    next_history,
    release_entry,
)
from generator.release.historyread import read_history
from generator.release.lockfile import lock_from, lock_json
from generator.release.prepare import prepare
from tests.conftest import MALL_CONFIG, mall_frame, refreshed_mall, write_mall


def segment(number: int, size: int | None, share: float | None = None) -> HistorySegment:
    return HistorySegment(
        number=number,
        slug=f"s{number}",
        name=f"Segment {number}",
        size=size,
        share=share if share is not None else (size / 100 if size is not None else None),
        share_noise=0.02,
        centroid=FrozenMap({"income": 10.0 * number}),
        value_share=None,
        outcomes=None,
    )


def entry(fingerprint: str, sizes: list[int], flow: HistoryFlow | None = None) -> HistoryEntry:
    return HistoryEntry(
        fingerprint=fingerprint,
        date="2024-01-01",
        n_customers=100,
        segments=tuple(segment(n, s) for n, s in enumerate(sizes, 1)),
        flow=flow,
    )


@pytest.fixture(scope="module")
def mall():
    config = load_config(MALL_CONFIG)
    analysis = run_analysis(config)
    return config, analysis, stability(analysis, config, resamples=10)


def test_a_release_entry_holds_its_segments_and_reads_back(mall, tmp_path: Path) -> None:
    config, analysis, evidence = mall
    made = release_entry(analysis, config, evidence, None, None, "2024-03-01")
    assert made.fingerprint == analysis.table.source.sha256 and made.n_customers == 200
    assert [(s.number, s.size, s.share) for s in made.segments] == [
        (p.number, p.size, p.share) for p in analysis.profiles
    ]
    assert [s.share_noise for s in made.segments] == [
        pytest.approx(s.share_noise, rel=1e-5) for s in evidence.segments
    ]
    assert made.segments[0].centroid == {
        "Annual Income (k$)": pytest.approx(86.538, abs=1e-3),
        "Spending Score (1-100)": pytest.approx(82.128, abs=1e-3),
    }
    # The Mall's value column is not additive: no value share.
    assert {s.value_share for s in made.segments} == {None}
    path = tmp_path / "segments.history.json"
    text = history_json(History((made,)))
    path.write_text(text)
    assert history_json(read_history(path)) == text
    data = json.loads(text)
    assert list(data) == sorted(data) and data["format"] == 1
    assert data["releases"][0]["segments"][0]["share_noise"] == float(
        f"{evidence.segments[0].share_noise:.6g}"
    )


def test_an_additive_value_gives_each_segment_its_share_of_the_total(tmp_path: Path) -> None:
    path = write_mall(tmp_path, refreshed_mall(), "value: {feature: Spending, additive: true}\n")
    config = load_config(path)
    analysis = run_analysis(config)
    made = release_entry(
        analysis, config, stability(analysis, config, resamples=5), None, None, None
    )
    frame = analysis.table.frame
    total = frame["Spending Score (1-100)"].sum()
    labels = analysis.segmentation.labels
    for i, s in enumerate(made.segments):
        expected = frame["Spending Score (1-100)"][labels == i].sum() / total
        assert s.value_share == pytest.approx(expected, rel=1e-5)
    assert made.date is None


def test_the_data_as_of_day_dates_an_undated_release(mall, tmp_path: Path) -> None:
    config, analysis, evidence = mall
    dated = replace(
        analysis,
        table=replace(
            analysis.table,
            source=replace(analysis.table.source, as_of=dt.date(2024, 5, 1)),
        ),
    )
    assert release_entry(dated, config, evidence, None, None, None).date == "2024-05-01"
    assert release_entry(dated, config, evidence, None, None, "2024-06-01").date == "2024-06-01"


def test_a_lock_entry_keeps_the_lock_and_its_flow(mall) -> None:
    config, analysis, _ = mall
    first = lock_from(analysis, config)
    flow = {"rows": [1, 2], "columns": [1, 2], "counts": [[30, 5], [0, 40]], "left": [1, 1]}
    second = replace(first, data_sha256="b" * 64, previous=first, comparison={"flow": flow})
    made = lock_entry(second)
    assert made.fingerprint == "b" * 64 and made.date is None
    assert [s.size for s in made.segments] == [39, 35, 81, 22, 23]
    assert made.segments[0].share == 39 / 200 and made.segments[0].share_noise is None
    assert made.flow == HistoryFlow(
        first.data_sha256,
        (FlowCell(1, 1, 30), FlowCell(1, 2, 5), FlowCell(2, 1, 0), FlowCell(2, 2, 40)),
    )
    assert lock_entry(first).flow is None


def test_a_release_of_the_last_entrys_data_replaces_it() -> None:
    history = History((entry("a", [50, 50]), entry("b", [60, 40])))
    assert continued(history, entry("b", [70, 30])).entries == (
        entry("a", [50, 50]),
        entry("b", [70, 30]),
    )
    # Back to data seen before, but not last: a release of its own.
    assert [e.fingerprint for e in continued(history, entry("a", [50, 50])).entries] == [
        "a",
        "b",
        "a",
    ]


def test_without_a_history_file_the_lock_starts_it(mall, tmp_path: Path) -> None:
    config, analysis, _ = mall
    lock = lock_from(analysis, config)
    where = tmp_path / "segments.history.json"
    made = next_history(None, lock, False, entry("new", [50, 50]), where)
    assert [e.fingerprint for e in made.entries] == [lock.data_sha256, "new"]


@pytest.mark.parametrize(
    ("relock", "file", "said"),
    [
        (True, False, "since --relock numbers the segments afresh"),
        (False, True, "since there is no lock file"),
        (False, False, None),
    ],
)
def test_numbering_afresh_starts_a_new_history_and_says_so(
    tmp_path: Path, caplog, relock: bool, file: bool, said: str | None
) -> None:
    where = tmp_path / "segments.history.json"
    if file:
        where.write_text(history_json(History((entry("a", [50, 50]),))))
    with caplog.at_level(logging.WARNING):
        # prepare reads no history when it numbers afresh: the lock is None under --relock.
        made = next_history(None, None, relock, entry("c", [1, 99]), where)
    assert made.entries == (entry("c", [1, 99]),)
    if said is None:
        assert caplog.records == []
    else:
        assert caplog.records[0].getMessage() == (
            f"{where}: a new release history starts with this release, {said}"
        )


def test_prepare_continues_the_history_file(tmp_path: Path) -> None:
    config = load_config(write_mall(tmp_path, mall_frame()))
    first = prepare(run_analysis(config), config)
    for name, text in (
        ("segments.lock.json", lock_json(first.lock)),
        ("segments.assignments.csv", first.assignments),
        ("segments.history.json", history_json(first.history)),
    ):
        (tmp_path / name).write_text(text)
    config = load_config(write_mall(tmp_path, refreshed_mall()))
    second = prepare(run_analysis(config), config)
    entries = second.history.entries
    assert [e.fingerprint for e in entries] == [first.lock.data_sha256, second.lock.data_sha256]
    assert history_json(History(entries[:1])) == history_json(first.history)  # as stored
    flow = entries[1].flow
    assert flow is not None and flow.since == first.lock.data_sha256
    assert sum(c.customers or 0 for c in flow.cells) == second.changes.common == 190
    (tmp_path / "segments.history.json").write_text(history_json(second.history))
    (tmp_path / "segments.lock.json").write_text(lock_json(second.lock))
    (tmp_path / "segments.assignments.csv").write_text(second.assignments)
    rebuilt = prepare(run_analysis(config), config).history
    assert history_json(rebuilt) == history_json(second.history)


def _bad(tmp_path: Path, data: object) -> str:
    path = tmp_path / "segments.history.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    with pytest.raises(ConfigError) as info:
        read_history(path)
    message = str(info.value)
    assert message.startswith(f"{path}: the release history's ")
    assert message.endswith(
        "; restore it from version control, or delete it and run segments history "
        "--rebuild-from GIT_RANGE"
    )
    assert "\n" not in message
    return message.removeprefix(f"{path}: the release history's ").split(";")[0]


def _good() -> dict:
    return json.loads(history_json(History((entry("a", [50, 50]), entry("b", [60, 40])))))


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda h: "{nope", "not JSON"),
        (
            lambda h: "[1, 2]",
            "content is [1, 2] (expected an object with the keys format and releases)",
        ),
        (lambda h: h.update(format=2), "format is 2 (expected 1)"),
        (
            lambda h: h.pop("releases"),
            "releases is missing (expected an object with the keys format, releases)",
        ),
        (
            lambda h: h["releases"][1].update(n_customers=-3),
            "releases[1].n_customers is -3 (expected a whole number from 1 to 2^53)",
        ),
        (
            lambda h: h["releases"][1].update(n_customers=True),
            "releases[1].n_customers is true (expected a whole number from 1 to 2^53)",
        ),
        (
            lambda h: h["releases"][0]["segments"][1].update(size=101),
            "releases[0].segments[1].size is 101 (expected a whole number up to 100, or null)",
        ),
        (
            lambda h: h["releases"][0]["segments"][0].update(share="x"),
            'releases[0].segments[0].share is "x" (expected a number from 0 to 1, or null)',
        ),
        (
            lambda h: h["releases"][0]["segments"][0].update(centroid={"income": 1e300}),
            'releases[0].segments[0].centroid is {"income": 1e+300} '
            "(expected numbers by column, or null)",
        ),
        (
            lambda h: h["releases"][0]["segments"][0].update(colour="red"),
            "releases[0].segments[0].colour is \"red\" (expected no key 'colour': an object "
            "with the keys centroid, name, number, outcomes, share, share_noise, size, slug, "
            "value_share)",
        ),
        (
            lambda h: h["releases"][0].update(date="2024-13-01"),
            'releases[0].date is "2024-13-01" (expected a date as YYYY-MM-DD, or null)',
        ),
        (
            lambda h: h["releases"][0]["segments"].reverse(),
            "releases[0].segments is [2, 1] (expected segments in number order, each number once)",
        ),
        (
            lambda h: h["releases"][1].update(
                flow={"since": "a", "cells": [{"from": 1, "to": 9, "customers": 3}]}
            ),
            "releases[1].flow.cells[0].to is 9 (expected a segment number of this release)",
        ),
    ],
)
def test_a_bad_history_file_is_one_line_naming_the_field(tmp_path: Path, edit, problem) -> None:
    data = _good()
    text = edit(data)
    assert _bad(tmp_path, text if isinstance(text, str) else data).startswith(problem)


def test_nan_and_huge_files_are_refused(tmp_path: Path) -> None:
    data = _good()
    text = json.dumps(data).replace('"share": 0.5', '"share": NaN', 1)
    assert _bad(tmp_path, text).startswith("not JSON (NaN is not a number JSON allows")
    big = json.dumps(data) + " " * (16 * 2**20)
    assert _bad(tmp_path, big) == "larger than 16 MB (expected a release history)"


def test_a_missing_file_is_no_history(tmp_path: Path) -> None:
    assert read_history(tmp_path / "segments.history.json") is None


def test_outcome_rates_are_kept_per_segment_under_the_privacy_rules(tmp_path: Path) -> None:
    from generator.report.context import suppressor
    from generator.report.history import history_text
    from tests.analysis.test_outcomes import TELECOM, telecom_like
    from tests.conftest import write_config

    frame = telecom_like(900, seed=5)
    frame["Complain"] = 0
    frame.loc[frame.index[:12], "Complain"] = 1  # twelve complaints: a few per segment
    config = load_config(write_config(tmp_path, TELECOM, frame))
    analysis = run_analysis(config)
    made = release_entry(analysis, config, stability(analysis, config, 5), None, None, None)
    ordered = frame.sort_values("customerID", ignore_index=True)
    labels = analysis.segmentation.labels
    for i, s in enumerate(made.segments):
        churn = (ordered["Churn"][labels == i] == "Yes").mean()
        assert s.outcomes is not None and s.outcomes["Churn"] == pytest.approx(churn, rel=1e-5)
    path = tmp_path / "segments.history.json"
    path.write_text(history_text(History((made,)), suppressor(config)))
    stored = json.loads(path.read_text())["releases"][0]["segments"]
    complain = [int(ordered["Complain"][labels == i].sum()) for i in range(len(analysis.profiles))]
    for s, count in zip(stored, complain, strict=True):
        assert s["outcomes"]["Churn"] is not None  # hundreds on both sides
        # Fewer than ten complaints in a segment describe a small group: never written.
        assert s["outcomes"]["Complain"] is None or count >= 10
    assert all(s["outcomes"]["Complain"] is None for s in stored)  # 12 in all: at most one
    again = read_history(path)
    assert history_text(again, suppressor(config)) == path.read_text()  # judged once, kept
