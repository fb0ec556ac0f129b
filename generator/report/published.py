"""The config as published on the methodology page: no folder of the build machine in it.

A ``data.path`` (or ``duckdb.database``) outside the config's folder, such as
``../../exports/orders.csv`` or ``/home/ana/orders.csv``, names folders of the machine that
built the site; the page shows the file name instead. Paths inside the config's folder stay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.config.settings import Config
from generator.config.untrusted import read_yaml

PATHS = (("data", "path"), ("duckdb", "database"))


def published_config(config: Config) -> str:
    """The config file's text with each path outside its folder reduced to the file name."""
    text = config.path.read_text(encoding="utf-8-sig")
    raw = read_yaml(config.path)
    for section, key in PATHS:
        value = _setting(raw, section, key)
        if value and _outside(config.path.parent, value):
            text = text.replace(value, Path(value).name)
    return text


def _setting(raw: Any, section: str, key: str) -> str:
    part = raw.get(section) if isinstance(raw, dict) else None
    value = part.get(key) if isinstance(part, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _outside(folder: Path, value: str) -> bool:
    """Whether ``value`` (relative to ``folder``, or absolute) leads out of ``folder``."""
    resolved = (folder / value).resolve()
    return not resolved.is_relative_to(folder.resolve())
