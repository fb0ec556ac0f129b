"""A throwaway PostgreSQL server for the engine tests, started once per session.

Outside CI a machine without PostgreSQL's binaries skips the tests that need it (``make
postgres`` installs them); under ``CI=true`` they fail instead. The server (``pgserver``) is
stopped and its folder removed after the session; libpq's variables point at it meanwhile.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.engine.pgserver import PASSWORD, USER, Server, binaries, create_database, start, stop

__all__ = ["PASSWORD", "USER", "Server"]
DATABASE = "shop"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """Start the server (or fail under CI, skip elsewhere) and set libpq's variables."""
    bin_dir = binaries()
    if bin_dir is None:
        message = "PostgreSQL is not installed (make postgres)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        server = start(bin_dir)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        create_database(server, DATABASE)
        with pytest.MonkeyPatch.context() as patch:
            for name in ("PGSERVICE", "PGSERVICEFILE", "PGPASSFILE", "PGOPTIONS", "PGHOSTADDR"):
                patch.delenv(name, raising=False)
            for name, value in {**server.env, "PGDATABASE": DATABASE}.items():
                patch.setenv(name, value)
            yield server
    finally:
        stop(server)
