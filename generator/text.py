"""The one Jinja environment module: loaders, escaping and the shared number filters.

Markdown templates escape every value from data or config by default (``finalize``), for both
Markdown and HTML, so a category called ``<script>`` or ``[x](javascript:...)`` stays text.
Filters that build markup on purpose return ``Markup``, which passes through unchanged.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MISSING = "\u2013"  # an en dash stands for a missing number
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def md_text(value: Any) -> str:
    """Escape a value so Markdown and HTML show it as plain text on one line."""
    if isinstance(value, Markup):
        return str(value)
    text = _UNSAFE.sub("", str(value)).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "&quot;").replace("'", "&#39;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def number(value: float | int | None, digits: int = 1) -> str:
    """``1234.5`` becomes ``1,234.5``; whole numbers lose decimals; missing is an en dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def percent(value: float | None, digits: int = 0) -> str:
    """``0.195`` becomes ``20%`` (``digits`` decimals)."""
    if value is None or not math.isfinite(value):
        return MISSING
    return f"{100 * value:.{digits}f}%"


def signed(value: float, digits: int = 0) -> str:
    """``12.3`` becomes ``+12``; used for differences."""
    return f"{value:+.{digits}f}"


FILTERS = {"num": number, "pct": percent, "signed": signed, "md": md_text}


@functools.cache
def environment(kind: str = "md") -> jinja2.Environment:
    """The Jinja environment for Markdown pages (``md``) or terminal text (``txt``)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=md_text if kind == "md" else None,
    )
    env.filters.update(FILTERS)
    return env


def render(template: str, kind: str = "md", **context: Any) -> str:
    """Render one template with its documented context."""
    return environment(kind).get_template(template).render(**context)
