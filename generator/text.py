"""The one Jinja environment module: loaders, escaping and the shared number filters.

Markdown templates escape every value from data or config by default (autoescape with
``md_text`` as ``finalize``), for both Markdown and HTML, so a category called ``<script>`` or
``[x](javascript:...)`` stays text. Filters that build markup on purpose return ``Markup``, which
passes through unchanged; so do macros.
"""

from __future__ import annotations

import functools
import json
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


def md_text(value: Any) -> Markup:
    """Escape a value so Markdown and HTML show it as plain text on one line."""
    if isinstance(value, Markup):
        return value
    text = _UNSAFE.sub("", str(value)).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Markup(_MD_SPECIAL.sub(r"\\\1", text))


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


def attr(value: Any) -> Markup:
    """Escape a value for an HTML attribute or raw HTML text (no Markdown escaping there)."""
    text = _UNSAFE.sub("", str(value)).replace("\r", " ").replace("\n", " ")
    return Markup.escape(text)


def yaml_string(value: Any) -> Markup:
    """A value as a double-quoted YAML string (for front matter)."""
    return Markup(json.dumps(_UNSAFE.sub("", str(value)), ensure_ascii=False))


def code_block(value: Any) -> Markup:
    """Show text verbatim in a ``<pre>`` block, whatever it contains."""
    return Markup("<pre><code>") + Markup.escape(str(value)) + Markup("</code></pre>")


FILTERS = {
    "num": number,
    "pct": percent,
    "signed": signed,
    "md": md_text,
    "attr": attr,
    "code_block": code_block,
    "yaml": yaml_string,
}


@functools.cache
def environment(kind: str = "md") -> jinja2.Environment:
    """The Jinja environment for Markdown pages (``md``) or terminal text (``txt``)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Markdown pages autoescape: macros return Markup, every other value goes through md_text.
        autoescape=kind == "md",
        finalize=md_text if kind == "md" else None,
    )
    env.filters.update(FILTERS)
    return env


def render(template: str, kind: str = "md", **context: Any) -> str:
    """Render one template with its documented context."""
    return environment(kind).get_template(template).render(**context)
