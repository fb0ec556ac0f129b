"""DuckDB parity with the local engine under ``scaling: robust`` and ``scaling: log``.

On tables shaped like a shop's customers (``parity.shop_like``): most spent nothing, a few
spent 40 times more, a 0/1 flag. Smaller than ``sample_size``, so both engines search k on the
same rows and the local engine keeps that search's fit: the engine must publish the same one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.analysis.run import run_analysis
from generator.config.settings import load_config
from tests.conftest import write_config
from tests.engine.parity import assert_same_ranges, assert_same_sample_parity, shop_like

pytest.importorskip("duckdb")


@pytest.mark.parametrize(
    ("scaling", "k", "seed"),
    [
        ("robust", 5, 1),
        ("robust", 4, 2),
        ("robust", "auto", 3),
        ("log", "auto", 1),
        ("log", 5, 2),
    ],
)
def test_same_sample_gives_the_local_result(
    tmp_path: Path, scaling: str, k: int | str, seed: int
) -> None:
    settings = {"scaling": scaling, "k": k}
    local = run_analysis(load_config(shop_like(tmp_path, 3_000, "local", seed, **settings)))
    duck = run_analysis(load_config(shop_like(tmp_path, 3_000, "duckdb", seed, **settings)))
    assert duck.table.whole is not None
    a, b = local.segmentation.scaler, duck.segmentation.scaler
    if scaling == "robust":
        assert b == a  # medians and quartiles: exact from frequency tables
    else:  # means of log1p values, summed in fixed point to 15 digits after the point
        np.testing.assert_allclose([b.center, b.scale], [a.center, a.scale], rtol=1e-13)
    assert_same_sample_parity(local, duck)
    assert_same_ranges(local, duck)


MIDDLE = """
engine: ENGINE
data: {path: TABLE, id_column: client}
features: [spend, visits]
k: 3
scaling: robust
"""


def test_the_robust_centre_is_numpys_median(tmp_path: Path) -> None:
    """An even count whose middle values are 15.01 and 119.47: the median is their mean, 67.24.

    Numpy's 50th percentile, ``119.47 - (119.47 - 15.01) * 0.5``, is 67.24000000000001.
    """
    rng = np.random.default_rng(7)
    low = np.append(np.round(rng.uniform(1, 15, 99), 2), 15.01)
    high = np.append(119.47, np.round(rng.uniform(120, 500, 99), 2))
    frame = pd.DataFrame({"client": [f"C{i:04d}" for i in range(200)]})
    frame["spend"] = rng.permutation(np.concatenate([low, high]))
    frame["visits"] = rng.poisson(4, 200)
    table = tmp_path / "middle.parquet"
    frame.to_parquet(table, index=False)
    text = MIDDLE.replace("TABLE", str(table))
    local, duck = (
        run_analysis(load_config(write_config(tmp_path / e, text.replace("ENGINE", e))))
        for e in ("local", "duckdb")
    )
    assert local.segmentation.scaler.center[0] == 67.24
    assert duck.segmentation.scaler == local.segmentation.scaler
    assert_same_sample_parity(local, duck)
