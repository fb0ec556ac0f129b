"""The segment map: its axes, its clipped ranges, its legend and what its caption may claim."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from generator.analysis.run import run_analysis
from generator.config.settings import Privacy, load_config
from generator.report.charts.segmap import map_columns, segment_map, separation
from tests.conftest import blobs, write_config

CONFIG = """
title: Map shop
data: {path: table.csv, id_column: id}
features: [noise, spend, visits]
k: 3
random_state: 1
"""


@pytest.fixture(scope="module")
def analysis_and_config(tmp_path_factory: pytest.TempPathFactory):
    """Three groups apart on spend and visits; 'noise' separates nothing; one spend outlier."""
    x = blobs([80, 70, 60], [[50, 10, 5], [50, 60, 20], [50, 110, 40]], seed=5, spread=4.0).clip(0)
    x[:, 0] = np.random.default_rng(5).normal(50, 20, len(x)).round(1).clip(0)
    x[0, 1] = 100_000.0
    frame = pd.DataFrame(
        {"id": range(len(x)), "noise": x[:, 0], "spend": x[:, 1], "visits": x[:, 2]}
    )
    path = write_config(tmp_path_factory.mktemp("map"), CONFIG, frame)
    config = load_config(path)
    return run_analysis(config), config


def _layers(chart) -> list[dict]:
    return chart.spec["layer"]


def test_default_axes_are_the_best_separating_features(analysis_and_config) -> None:
    analysis, config = analysis_and_config
    frame, labels = analysis.table.frame, analysis.segmentation.labels
    scores = {c: separation(frame[c].to_numpy(), labels) for c in analysis.table.features}
    assert scores["noise"] < min(scores["spend"], scores["visits"])
    assert map_columns(analysis, config) == ("spend", "visits")
    assert map_columns(analysis, replace(config, map_axes=("visits", "noise"))) == (
        "visits",
        "noise",
    )


def test_an_outlier_is_left_outside_and_counted(analysis_and_config) -> None:
    analysis, config = analysis_and_config
    chart = segment_map(analysis, config)
    facts = chart.facts
    domain = _layers(chart)[-1]["encoding"]["x"]["scale"]["domain"]
    assert domain[1] < 1_000  # the 100,000 customer does not squash the axis
    spend = analysis.table.frame["spend"]
    beyond = int((spend > domain[1]).sum() + (spend < domain[0]).sum())
    assert beyond >= 1
    if config.privacy.individual_points or beyond >= config.privacy.min_group_size:
        assert facts["outside"] == beyond
    else:  # too few to publish: "fewer than N", as one more hidden part of the whole
        assert facts["outside"] is None and facts["outside_hidden"] is True


def test_an_empty_grid_draws_no_layer_and_says_so(analysis_and_config) -> None:
    analysis, config = analysis_and_config
    strict = replace(config, privacy=Privacy(individual_points=False, min_group_size=60))
    chart = segment_map(analysis, strict)  # segments of 60 to 80: centres shown, no cell is
    assert chart is not None and chart.facts["empty_grid"] is True
    assert not any("x0" in json.dumps(layer) for layer in _layers(chart))  # no empty extents
    # With every centre hidden too there is nothing to draw: no map at all.
    hidden = replace(config, privacy=Privacy(individual_points=False, min_group_size=500))
    assert segment_map(analysis, hidden) is None


def test_one_legend_and_a_highlighted_segment(analysis_and_config) -> None:
    analysis, config = analysis_and_config
    chart = segment_map(analysis, config)
    text = json.dumps(chart.spec)
    # Colour and shape share one field and title: Vega-Lite merges them into one legend.
    legends = {
        (layer["encoding"][channel]["field"], layer["encoding"][channel]["title"])
        for layer in _layers(chart)
        for channel in ("color", "shape", "opacity")
        if channel in layer["encoding"] and layer["encoding"][channel].get("legend", {}) is not None
    }
    assert legends == {("segment", "Segment")}, legends
    assert '"scheme"' not in text  # the density grid no longer takes the colour scale
    own = segment_map(analysis, config, "map-x", highlight=2)
    centres = _layers(own)[-2]["encoding"]["color"]
    assert centres["condition"]["test"] == "datum.number == '2'" and centres["value"] == "#bbbbbb"
    assert own.facts["highlight"] is True


def test_log_scaling_gives_log_axes(analysis_and_config) -> None:
    analysis, config = analysis_and_config
    chart = segment_map(analysis, replace(config, scaling="log"))
    assert _layers(chart)[-1]["encoding"]["x"]["scale"]["type"] == "symlog"
    assert chart.facts["log"] is True
