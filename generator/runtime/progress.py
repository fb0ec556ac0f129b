"""Progress bars for slow stages, for a person at a terminal only.

A listener for ``runtime.timing`` events: a stage gets a line (a bar when it reports steps)
only once it has run for a second, so fast runs print nothing. Off under ``--quiet``, when
stderr is not a terminal (pipes, files) and in CI logs (``CI`` set).
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from generator.runtime.timing import Event

if TYPE_CHECKING:
    from rich.progress import TaskID

DELAY = 1.0
LABELS = {
    "load": "Reading the customer table",
    "validate": "Checking the table",
    "k_search": "Trying each number of segments",
    "fit": "Fitting the segments on every customer",
    "profile": "Describing the segments",
    "stability": "Testing how stable the segments are",
    "charts": "Drawing the charts",
    "render": "Writing the pages",
    "mkdocs": "Building the site",
}


def wanted(quiet: bool, stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """Whether to show progress: not quiet, a terminal, and not CI."""
    env = os.environ if environ is None else environ
    in_ci = env.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return not quiet and not in_ci and stream.isatty()


class ProgressBars:
    """Receives stage events and draws them with rich, after ``DELAY`` seconds per stage."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        # rich is imported here, not at start-up: most runs (CI, pipes) never draw a bar.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=True,
        )
        self.tasks: dict[str, TaskID] = {}
        self.timers: dict[str, threading.Timer] = {}
        self.started = False

    def __call__(self, event: Event) -> None:
        """Show, advance or finish the stage's bar."""
        if event.kind == "start":
            self._start(event)
        elif event.stage in self.tasks:
            total = event.total if event.total is not None else 1
            done = event.done if event.kind == "advance" else total
            self.progress.update(self.tasks[event.stage], completed=done, total=total)
            if event.kind == "end":
                self.timers.pop(event.stage).cancel()

    def _start(self, event: Event) -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        label = LABELS.get(event.stage, event.stage.replace("_", " ").capitalize())
        task = self.progress.add_task(label, total=event.total or 1, visible=False)
        self.tasks[event.stage] = task
        timer = threading.Timer(DELAY, self.progress.update, (task,), {"visible": True})
        timer.daemon = True
        self.timers[event.stage] = timer
        timer.start()

    def close(self) -> None:
        """Stop the timers and erase the bars."""
        for timer in self.timers.values():
            timer.cancel()
        if self.started:
            self.progress.stop()
