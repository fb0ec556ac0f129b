"""Stage timings and progress events, kept apart from any display.

Library stages wrap their work in ``stage("name")``; nothing is recorded unless a caller opened
``recording()``. The caller gets a dict of stage name to seconds (the benchmark, ``--timings``)
and, optionally, a listener that sees each stage start, advance and end (the CLI's progress
bars). Stages stay pure: they neither print nor know who listens.

    with recording() as seconds:
        run_analysis(config)
    print(seconds)  # {"load": 0.08, "validate": 0.61, "k search": 1.9, ...}
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Event:
    """One thing that happened to a stage: ``start``, ``advance`` or ``end``."""

    stage: str
    kind: Literal["start", "advance", "end"]
    done: int = 0
    total: int | None = None
    seconds: float = 0.0


Listener = Callable[[Event], None]


@dataclass
class _Recorder:
    seconds: dict[str, float] = field(default_factory=dict)
    listener: Listener | None = None


_CURRENT: ContextVar[_Recorder | None] = ContextVar("segments_timing", default=None)


@contextmanager
def recording(listener: Listener | None = None) -> Iterator[dict[str, float]]:
    """Record the durations of every stage run inside the block (stage name to seconds).

    A stage that runs twice adds up. ``listener`` (if any) is called on every event.
    """
    recorder = _Recorder(listener=listener)
    token = _CURRENT.set(recorder)
    try:
        yield recorder.seconds
    finally:
        _CURRENT.reset(token)


@contextmanager
def stage(name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Time the block as stage ``name``; yields ``advance(n)`` to report ``n`` steps done.

    Costs two clock reads when nobody is recording.
    """
    recorder = _CURRENT.get()
    listener = recorder.listener if recorder is not None else None
    done = 0

    def advance(steps: int = 1) -> None:
        nonlocal done
        done += steps
        if listener is not None:
            listener(Event(name, "advance", done, total))

    if listener is not None:
        listener(Event(name, "start", 0, total))
    start = time.perf_counter()
    try:
        yield advance
    finally:
        seconds = time.perf_counter() - start
        if recorder is not None:
            recorder.seconds[name] = recorder.seconds.get(name, 0.0) + seconds
        if listener is not None:
            listener(Event(name, "end", done, total, seconds))
