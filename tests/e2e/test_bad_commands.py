"""Issue 15, items 12 and 16: commands given bad surroundings exit 2 with one line; assign never
overwrites an input and writes formula-safe CSV."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import pandas as pd
import pytest

from generator.commands.assign import scored_csv
from tests.conftest import MALL_CONFIG, ROOT, run_cli

pytestmark = pytest.mark.e2e


def test_validate_report_into_a_missing_folder(tmp_path: Path) -> None:
    report = tmp_path / "nowhere" / "problems.txt"
    result = run_cli("validate", "--report", str(report))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {report}: the folder {report.parent} does not exist; create it or pass another "
        "--report path\n"
    )


def test_serve_on_a_busy_port_says_so_before_any_work() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: 127.0.0.1:{port}: cannot serve there (Address already in use); another "
        "program (or another segments serve) uses the port, pass --port with a free one\n"
    )


@pytest.mark.parametrize("epoch", ["99999999999999999999", "1.5e9", "-1", "yesterday"])
def test_a_bad_source_date_epoch_is_named(epoch: str) -> None:
    result = run_cli("generate", "--check", env={"SOURCE_DATE_EPOCH": epoch})
    assert result.returncode == 2
    assert result.stderr == (
        f"error: SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since 1970-01-01 UTC, from "
        "0 to 253402300799 (e.g. git log -1 --format=%ct), or unset it\n"
    )


def test_a_random_state_numpy_cannot_take_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "segments.yml"
    text = MALL_CONFIG.read_text().replace("random_state: 42", f"random_state: {2**32}")
    config.write_text(
        text.replace("path: mall_customers.csv", f"path: {ROOT}/data/mall_customers.csv")
    )
    result = run_cli("validate", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {config}: 1 problem: random_state should be an integer <= 4294967295, "
        "got 4294967296\n"
    )


@pytest.mark.parametrize(
    ("out", "what"),
    [
        ("mall_customers.csv", "the table being scored"),
        ("segments.yml", "the config"),
        ("segments.lock.json", "the segments lock file"),
        ("segments.assignments.csv", "the assignments sidecar"),
        ("segments.history.json", "the release history"),
        ("link-to-lock.json", "the segments lock file"),
    ],
)
def test_assign_never_overwrites_an_input(tmp_path: Path, out: str, what: str) -> None:
    for name in ("mall_customers.csv", "segments.yml", "segments.lock.json"):
        (tmp_path / name).write_bytes((ROOT / "data" / name).read_bytes())
    (tmp_path / "segments.assignments.csv").write_bytes(b"CustomerID,segment\n")
    (tmp_path / "link-to-lock.json").symlink_to(tmp_path / "segments.lock.json")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    result = run_cli(
        "assign", str(tmp_path / "mall_customers.csv"), "--out", str(tmp_path / out),
        "--config", str(tmp_path / "segments.yml"),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {tmp_path / out}: is {what}; segments never overwrites it, pass another --out\n"
    )
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert after == before


@pytest.mark.parametrize(
    ("report", "what"),
    [("segments.yml", "the config"), ("mall_customers.csv", "the customer table")],
)
def test_validate_never_writes_its_report_over_an_input(
    tmp_path: Path, report: str, what: str
) -> None:
    for name in ("mall_customers.csv", "segments.yml"):
        (tmp_path / name).write_bytes((ROOT / "data" / name).read_bytes())
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    config = str(tmp_path / "segments.yml")
    result = run_cli("validate", "--config", config, "--report", str(tmp_path / report))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {tmp_path / report}: is {what}; segments never overwrites it, pass another "
        "--report\n"
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_assign_output_is_formula_safe() -> None:
    scored = pd.DataFrame(
        {
            "id": ['=HYPERLINK("x")', "+1", "@A1", "C1", "-3"],
            "segment": [1, 2, 1, 2, -1],
            "slug": ["a", "b", "a", "b", "c"],
            "name": ["=cmd", "Fine", "-Minus", "Ok", "x"],
        }
    )
    assert scored_csv(scored).splitlines() == [
        "id,segment,slug,name",
        '"\'=HYPERLINK(""x"")",1,a,\'=cmd',
        "'+1,2,b,Fine",
        "'@A1,1,a,'-Minus",
        "C1,2,b,Ok",
        "'-3,-1,c,x",
    ]


@pytest.mark.parametrize("kind", ["pipe", "folder"])
def test_a_data_path_that_is_no_file_is_named_not_waited_on(tmp_path: Path, kind: str) -> None:
    """Issue 21, Low: a FIFO as the data file; reading it would wait for a writer for ever."""
    data = tmp_path / "customers.csv"
    if kind == "pipe":
        os.mkfifo(data)
    else:
        data.mkdir()
    config = tmp_path / "segments.yml"
    config.write_text(
        MALL_CONFIG.read_text().replace("path: mall_customers.csv", "path: customers.csv")
    )
    expected = (
        f"error: {data}: the data path is a {kind}; expected a table file (.csv, .parquet...)\n"
    )
    commands = [("validate", "--config", str(config)), ("init", str(data), "--out", "x.yml")]
    for args in commands[: 2 if kind == "pipe" else 1]:  # click itself refuses a folder for init
        result = run_cli(*args, cwd=tmp_path)
        assert (result.returncode, result.stderr) == (2, expected), args


def test_new_onto_a_dangling_symlink_is_one_line(tmp_path: Path) -> None:
    """Issue 21, Low: `new` onto a link to nowhere ended in FileExistsError."""
    (tmp_path / "report").symlink_to(tmp_path / "gone" / "report")
    result = run_cli(
        "new", "report", "--data", str(ROOT / "data" / "mall_customers.csv"), cwd=tmp_path
    )
    assert (result.returncode, result.stderr) == (
        2,
        f"error: report: is a symbolic link to {tmp_path}/gone/report, which does not exist; "
        "choose a new folder\n",
    )
    assert not (tmp_path / "gone").exists()
