"""Settings that made the build hang or abort now stop with one line (issue 21, Low list)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config.settings import load_config
from generator.errors import ConfigError

BASE = "title: x\ndata: {path: t.csv, id_column: id}\nfeatures: [a, b]\n"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("n_init: 1000000000\n", "n_init should be an integer <= 1000"),
        ("k_max: 1000\n", "k_max should be an integer <= 100"),
        ("engine: duckdb\nduckdb: {threads: 1000000000}\n", "should be an integer <= 1024"),
        ("engine: spark\nspark: {conf: {spark.remote: 'sc://x'}}\n", "runtime SQL setting"),
        ("engine: duckdb\ndata: {sql: 'SELECT 1; SELECT 2', id_column: id}\n", "data.sql"),
    ],
)
def test_a_bound_is_one_line(tmp_path: Path, extra: str, expected: str) -> None:
    text = BASE + extra
    if "data: {sql" in extra:
        text = text.replace("data: {path: t.csv, id_column: id}\n", "")
    (tmp_path / "t.csv").write_text("id,a,b\n1,2,3\n", encoding="utf-8")
    (tmp_path / "segments.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "segments.yml")
    assert expected in str(caught.value)
