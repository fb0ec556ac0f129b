"""The README's transaction-log example is right for its data: CDNOW as published."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from generator.analysis.run import load_table
from generator.config.settings import load_config
from tests.conftest import ROOT
from tests.e2e.real_tables import cdnow, cdnow_text, cdnow_truth


def readme_example() -> str:
    """The first YAML block of the README's "Transaction logs" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Transaction logs", 1)[1]
    found = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert found
    return found.group(1)


def test_the_readme_example_sums_cdnows_line_totals(tmp_path: Path) -> None:
    example = readme_example()
    path = re.search(r"path: (\S+)", example)
    assert path and path.group(1) == "CDNOW_master.txt"
    log = cdnow(customers=500)
    (tmp_path / "CDNOW_master.txt").write_text(cdnow_text(log))
    (tmp_path / "segments.yml").write_text(example)
    frame = load_table(load_config(tmp_path / "segments.yml")).frame.set_index("customer")
    want = cdnow_truth(log)
    np.testing.assert_allclose(frame.loc[want.index, "monetary"], want["monetary"], rtol=1e-12)
    np.testing.assert_array_equal(frame.loc[want.index, "frequency"], want["frequency"])
