import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import MALL_CONFIG, assert_golden, run_cli


def test_analyze_prints_the_segment_table() -> None:
    result = run_cli("analyze")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "200 customers, 5 segments"
    assert lines[1].startswith("Why 5 segments: All three signals agree")
    assert "1   High Income, High Spending                     39   19.5%" in lines


def test_page_and_terminal_templates_do_not_share_compiled_code(tmp_path: Path) -> None:
    """The same partial compiles differently for Markdown (escaped) and the terminal."""
    cache = {"SEGMENTS_CACHE": str(tmp_path / "cache")}
    assert run_cli("generate", "--check", env=cache).returncode == 0
    result = run_cli("analyze", env=cache)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "cache").glob("jinja-*")) == ["jinja-md", "jinja-txt"]


def test_an_unusable_cache_folder_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cache = {"SEGMENTS_CACHE": str(blocker / "cache")}
    assert run_cli("analyze", env=cache).returncode == 0
    check = run_cli("generate", "--check", env=cache)
    assert check.returncode == 0, check.stderr
    assert "could not save the analysis cache" in check.stderr


def test_analyze_json_matches_golden() -> None:
    result = run_cli("analyze", "--json")
    assert result.returncode == 0, result.stderr
    assert_golden("mall_summary.json", result.stdout)
    data = json.loads(result.stdout)
    assert [s["size"] for s in data["segments"]] == [39, 35, 81, 22, 23]


@pytest.mark.parametrize("seed", [1, 2, 99])
def test_shuffled_rows_give_identical_json(tmp_path: Path, seed: int) -> None:
    frame = pd.read_csv(MALL_CONFIG.parent / "mall_customers.csv").sample(frac=1, random_state=seed)
    frame.to_csv(tmp_path / "mall_customers.csv", index=False)
    (tmp_path / "segments.yml").write_text(MALL_CONFIG.read_text())
    shuffled = run_cli("analyze", "--json", "--config", str(tmp_path / "segments.yml"))
    original = run_cli("analyze", "--json")
    assert shuffled.returncode == 0, shuffled.stderr
    assert shuffled.stdout == original.stdout


def test_synthetic_table_with_another_schema(synthetic: Path) -> None:
    result = run_cli("analyze", "--json", "--config", str(synthetic))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["k"] == 4 and data["features"] == ["visits", "basket", "recency"]
    assert sorted(s["size"] for s in data["segments"]) == [30, 40, 50, 60]
    for seg in data["segments"]:
        assert len(seg["name"].split(", ")) == 2
        expected = (
            ["Upsell bundles."] if seg["levels"]["basket"] == "High" else ["Watch and learn."]
        )
        assert seg["actions"] == expected


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (
            ["analyze", "--config", "missing.yml"],
            2,
            "error: missing.yml: config file not found (pass --config PATH)\n",
        ),
        (
            ["validate", "--config", "missing.yml"],
            2,
            "error: missing.yml: config file not found (pass --config PATH)\n",
        ),
        (["frobnicate"], 2, "Error: No such command 'frobnicate'.\n"),
    ],
)
def test_cli_errors_end_in_one_line(args: list[str], code: int, stderr: str) -> None:
    result = run_cli(*args)
    assert result.returncode == code
    assert result.stderr.endswith(stderr) and "Traceback" not in result.stderr


def test_validate_reports_ok() -> None:
    result = run_cli("validate")
    assert result.returncode == 0
    assert result.stdout == "mall_customers.csv: 200 customers, no problems found\n"


def test_bad_data_exit_code_and_verbose_traceback(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("id,x\n1,a\n2,3\n")
    (tmp_path / "segments.yml").write_text("data: {path: t.csv, id_column: id}\nfeatures: [x]\n")
    result = run_cli("validate", "--config", str(tmp_path / "segments.yml"))
    assert result.returncode == 2
    where = tmp_path / "t.csv"
    expected = f"error: {where}: 1 problem: line 2, column 'x': value 'a' is not a number\n"
    assert result.stderr == expected
    verbose = run_cli("--verbose", "validate", "--config", str(tmp_path / "segments.yml"))
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


def test_validate_report_lists_every_problem(tmp_path: Path) -> None:
    rows = "".join(f"{i},x{i}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("id,x\n" + rows)
    (tmp_path / "segments.yml").write_text("data: {path: t.csv, id_column: id}\nfeatures: [x]\n")
    report = tmp_path / "problems.txt"
    result = run_cli(
        "validate", "--config", str(tmp_path / "segments.yml"), "--report", str(report)
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.endswith(f"; and 10 more (all 30 problems listed in {report})\n")
    lines = report.read_text().splitlines()
    assert len(lines) == 30
    assert lines[29] == f"{tmp_path / 't.csv'}: line 31, column 'x': value 'x29' is not a number"


def test_validate_report_is_emptied_when_all_is_well(tmp_path: Path) -> None:
    report = tmp_path / "problems.txt"
    report.write_text("stale\n")
    result = run_cli("validate", "--report", str(report))
    assert result.returncode == 0 and report.read_text() == ""
