"""Start and stop a throwaway PostgreSQL server (the engine tests' and the benchmark's).

``initdb`` into a temporary folder, a Unix socket in that folder and no TCP port
(``listen_addresses=''``), password authentication. PostgreSQL refuses to run as root, so as
root the server runs as Debian's ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER, PASSWORD = "segments", "s3cret-for-tests"


@dataclass(frozen=True)
class Server:
    """Where a throwaway server runs and libpq's variables that reach it."""

    folder: Path
    bin_dir: Path
    owner: str | None
    env: dict[str, str]

    @property
    def postmaster_pid(self) -> int:
        """The server's main process (its finished backends' CPU time accrues to it)."""
        return int((self.folder / "data" / "postmaster.pid").read_text().split()[0])


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


def start(bin_dir: Path, settings: tuple[str, ...] = ()) -> Server:
    """Start a server; ``settings`` are extra ``name=value`` server settings.

    Raises:
        RuntimeError: When it does not start (with initdb's or the server's words).
    """
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="segments-pg-"))
    if owner:
        shutil.chown(folder, owner)
    (folder / "pw").write_text(PASSWORD + "\n")
    data = folder / "data"
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--pwfile", str(folder / "pw")]
    initdb += ["-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8"]
    options = f"-c listen_addresses='' -k {folder} -c fsync=off -c full_page_writes=off"
    options += "".join(f" -c {setting}" for setting in settings)
    server = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options]
    server += ["-l", str(folder / "server.log"), "-w", "-t", "60", "start"]
    try:
        for command in (initdb, server):
            subprocess.run(_as_owner(command, owner), check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        words = log.read_text(errors="replace")[-1000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout} {words}") from exc
    env = {"PGHOST": str(folder), "PGPORT": "5432", "PGUSER": USER, "PGPASSWORD": PASSWORD}
    return Server(folder, bin_dir, owner, env)


def stop(server: Server) -> None:
    """Stop the server and remove its folder."""
    command = [str(server.bin_dir / "pg_ctl"), "-D", str(server.folder / "data"), "-m", "fast"]
    subprocess.run(_as_owner([*command, "-w", "stop"], server.owner), capture_output=True)
    shutil.rmtree(server.folder, ignore_errors=True)


def create_database(server: Server, name: str) -> None:
    """Create database ``name`` on ``server``."""
    import psycopg

    with psycopg.connect("", autocommit=True, dbname="postgres", **_params(server)) as connection:
        connection.execute(f"CREATE DATABASE {name}")


def _params(server: Server) -> dict[str, str]:
    env = server.env
    return {
        "host": env["PGHOST"],
        "port": env["PGPORT"],
        "user": env["PGUSER"],
        "password": env["PGPASSWORD"],
    }
