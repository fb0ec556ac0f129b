"""A throwaway PostgreSQL server for the engine tests, started once per session.

``initdb`` into a temporary folder, a Unix socket in that folder and no TCP port
(``listen_addresses=''``), password authentication, stopped and removed after the session.
PostgreSQL refuses to run as root, so as root the server runs as Debian's ``postgres`` user.
Outside CI a machine without PostgreSQL's binaries skips the tests that need it (``make
postgres`` installs them); under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER, PASSWORD = "segments", "s3cret-for-tests"
DATABASE = "shop"


@dataclass(frozen=True)
class Server:
    """Where the test server listens and libpq's variables that reach it."""

    folder: Path
    env: dict[str, str]


def binaries() -> Path | None:
    """The newest PostgreSQL's ``bin`` folder (Debian's layout, or ``initdb`` on the PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """Start the server (or fail under CI, skip elsewhere) and set libpq's variables."""
    bin_dir = binaries()
    if bin_dir is None:
        message = "PostgreSQL is not installed (make postgres)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="segments-pg-"))
    if owner:
        shutil.chown(folder, owner)
    (folder / "pw").write_text(PASSWORD + "\n")
    data = folder / "data"
    run = {"check": True, "capture_output": True, "text": True}
    try:
        subprocess.run(
            _as_owner(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    USER,
                    "--pwfile",
                    str(folder / "pw"),
                    "-A",
                    "scram-sha-256",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale",
                    "C.UTF-8",
                ],
                owner,
            ),
            **run,
        )
        options = f"-c listen_addresses='' -k {folder} -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_owner(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(folder / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                owner,
            ),
            **run,
        )
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {exc.stderr or exc.stdout} {log}")
    env = {"PGHOST": str(folder), "PGPORT": "5432", "PGUSER": USER, "PGPASSWORD": PASSWORD}
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name in ("PGSERVICE", "PGSERVICEFILE", "PGPASSFILE", "PGOPTIONS", "PGHOSTADDR"):
                patch.delenv(name, raising=False)
            for name, value in {**env, "PGDATABASE": "postgres"}.items():
                patch.setenv(name, value)
            _create_database()
            patch.setenv("PGDATABASE", DATABASE)
            yield Server(folder, {**env, "PGDATABASE": DATABASE})
    finally:
        subprocess.run(
            _as_owner(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], owner
            ),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _create_database() -> None:
    import psycopg

    with psycopg.connect("", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {DATABASE}")
