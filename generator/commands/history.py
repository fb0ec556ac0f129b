"""``segments history``: the release history as a table in the terminal, or as JSON.

It reads ``data/segments.history.json`` (written by each ``segments build``) and shows what the
History page shows, under the config's privacy settings; ``backfill`` makes the file from the
lock files committed to git.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from generator.config.settings import Config
from generator.errors import ConfigError
from generator.release.history import History, history_path, rounded
from generator.release.historyread import read_history
from generator.report.context import suppressor
from generator.report.history import HistoryView, history_view
from generator.report.summary import to_json
from generator.report.text import render


def stored_history(config: Config) -> History:
    """The project's history file, checked.

    Raises:
        ConfigError: When there is none yet (the message says how to make one), or it is bad.
    """
    path = history_path(config)
    history = read_history(path)
    if history is None or not history.entries:
        raise ConfigError(
            f"{path}: no release history yet; run segments build to start one, or segments "
            "history --rebuild-from GIT_RANGE to make it from the lock files committed to git"
        )
    return history


def view_of(config: Config) -> HistoryView:
    """The history's table under the config's privacy settings (one release is enough here)."""
    view = history_view(stored_history(config), suppressor(config), least=1)
    assert view is not None  # a stored history has at least one release
    return view


def history_table(view: HistoryView, config: Config) -> str:
    """The terminal table: each segment's share per release, then the findings."""
    width = max(10, *(len(r.label) for r in view.releases))
    minimum = config.privacy.min_group_size
    where = history_path(config)
    return render("cli/history.txt.j2", "txt", h=view, where=where, width=width, minimum=minimum)


def history_json(view: HistoryView) -> str:
    """The same figures for scripts: sorted keys, rounded numbers (see the README)."""
    data = asdict(view)
    for line, shown in zip(data["segments"], view.segments, strict=True):
        line.update(first=shown.first, last=shown.last)
    for move, found in zip(data["movements"], view.movements, strict=True):
        move.update(releases=found.releases)
    data["steps"] = view.steps
    return to_json(_rounded(data))


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return rounded(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _rounded(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value
