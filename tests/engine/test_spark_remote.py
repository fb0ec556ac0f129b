"""An unreachable or silent Spark Connect server never hangs a build (issue 21, Medium 6).

No Spark Connect server is needed: a closed port answers nothing, and a socket that accepts
connections but never speaks gRPC stands in for a server that hangs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.engine.parity import mall_project

pytest.importorskip("pyspark")
pytestmark = pytest.mark.e2e


def _env(address: str) -> dict[str, str]:
    return {"SPARK_REMOTE": address, "SOURCE_DATE_EPOCH": "1700000000"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = mall_project(tmp_path_factory.mktemp("spark") / "p", "spark")
    config = folder / "data" / "segments.yml"
    config.write_text(config.read_text() + "spark:\n  connect_timeout: 3\n", encoding="utf-8")
    return folder


def test_an_unreachable_server_is_one_line_and_exit_2(project: Path) -> None:
    started = time.monotonic()
    result = run_cli("validate", cwd=project, env=_env("sc://127.0.0.1:1/;token=secret"))
    assert time.monotonic() - started < 30
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "sc://127.0.0.1:1" in lines[0] and "cannot reach" in lines[0]
    assert "secret" not in result.stderr


@pytest.mark.parametrize("address", ["http://127.0.0.1:15002", "sc://", "sc://host:99999"])
def test_a_malformed_address_is_one_line_and_exit_2(project: Path, address: str) -> None:
    result = run_cli("validate", cwd=project, env=_env(address))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "not a Spark Connect address" in lines[0]


def test_ctrl_c_ends_a_build_waiting_on_a_silent_server(project: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts, never answers: the client waits on it
    port = silent.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), **_env(f"sc://127.0.0.1:{port}")}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "validate"],
        cwd=project,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    accepted: list[socket.socket] = []
    try:
        # The CLI first probes the port with a plain connection (spark.connect_timeout), then
        # the Spark Connect client connects: wait for both, however slowly a loaded machine
        # imports, so the interrupt comes while the client waits for an answer.
        silent.settimeout(120)
        for _ in range(2):
            accepted.append(silent.accept()[0])  # kept open, never answered
        time.sleep(1)
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        code = process.wait(timeout=20)
        assert time.monotonic() - started < 10
        assert code == 130
    finally:
        if process.poll() is None:
            process.kill()
        for connection in [*accepted, silent]:
            connection.close()
