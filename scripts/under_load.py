"""Run a command while every CPU is kept busy, and fail if it fails or anything aborts.

Issue 15 (item 13): under load, a native thread outliving the command once aborted the process
("terminate called without an active exception", exit -6) after the right message. ``make
test`` runs the bad-input suites on two pytest workers beside busy loops, so a regression shows
up as a failed test (exit code -6 instead of 2) or as that line in the output.

Usage: ``python scripts/under_load.py -- COMMAND ...``.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

ABORT = "terminate called without an active exception"


def busy() -> None:
    """Spin until killed."""
    while True:
        pass


def main(command: list[str]) -> int:
    """Run ``command`` beside one busy process per CPU; its exit code (1 on an abort line)."""
    loops = [multiprocessing.Process(target=busy, daemon=True) for _ in range(os.cpu_count() or 2)]
    for loop in loops:
        loop.start()
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        for loop in loops:
            loop.kill()
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if ABORT in result.stdout + result.stderr:
        print(f"under_load: a process aborted ({ABORT!r})", file=sys.stderr)
        return 1
    return result.returncode


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[1:] if args[:1] == ["--"] else args))
