"""The one Jinja environment module: loaders, escaping and the shared number filters.

Markdown templates escape every value from data or config by default (autoescape with
``md_text`` as ``finalize``), for both Markdown and HTML, so a category called ``<script>`` or
``[x](javascript:...)`` stays text. Filters that build markup on purpose return ``Markup``, which
passes through unchanged; so do macros.

Each context has its filter: ``md`` (the default) for Markdown text, ``attr`` for raw HTML and
attribute values, ``code`` for inline code, ``code_block`` for a verbatim block and ``yaml`` for
front matter. MkDocs and Material print page and navigation titles as HTML without escaping, so
``yaml`` and ``html_text`` escape for HTML too. Plain YAML files (the starter config) use
``quoted`` for a value, ``one_line`` in a comment and ``wrapped`` for a long comment.
"""

from __future__ import annotations

import functools
import json
import math
import re
import textwrap
from typing import Any

import jinja2
from markupsafe import Markup

from generator.runtime import cache
from generator.runtime.resources import templates_dir

TEMPLATES = templates_dir()
MISSING = "\u2013"  # an en dash stands for a missing number
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|#])")
# What opens a block when it starts a line (after up to a few spaces): a list item, a rule, a
# setext underline, a numbered item. A value can start a line (a description, a list item's
# text), so that character becomes an entity; elsewhere the entity reads the same.
_BLOCK_START = re.compile(r"(\s*)(?:[-+=](?![\d.])|\d+(?=[.)](?:\s|$)))")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def md_text(value: Any) -> Markup:
    """Escape a value so Markdown and HTML show it as plain text on one line."""
    if isinstance(value, Markup):
        return value
    text = _UNSAFE.sub("", str(value)).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Markup(_block_start(_MD_SPECIAL.sub(r"\\\1", text)))


def _block_start(text: str) -> str:
    """Leading spaces shrink to one (four would open a code block); a block marker is escaped."""
    stripped = text.lstrip(" ")
    text = (" " if len(stripped) + 1 < len(text) else text[: len(text) - len(stripped)]) + stripped
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    at = match.end() if match.group().strip().isdigit() else len(match.group(1))
    return f"{text[:at]}&#{ord(text[at])};{text[at + 1 :]}"


def number(value: float | int | None, digits: int = 1, year: bool = False) -> str:
    """``1234.5`` becomes ``1,234.5``; whole numbers and zeros lose decimals; missing is a dash.

    A ``year`` (a column of years, such as a birth year) rounds to a whole number with no
    thousands separator: ``1968.7`` becomes ``1969``.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if year:
        return f"{round(value):d}"
    if float(value).is_integer():
        return f"{int(value):,}"
    text = f"{value:,.{digits}f}"
    # What rounds to zero is 0: "-0.0" reads as a value below zero ("Teenhome -0.0").
    return "0" if float(text.replace(",", "")) == 0 else text


def exact(value: float) -> str:
    """A number with every digit it has (up to 6 decimals): a rule's threshold as scored."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(value: float | None, digits: int = 0) -> str:
    """``0.195`` becomes ``20%`` (``digits`` decimals)."""
    if value is None or not math.isfinite(value):
        return MISSING
    return f"{100 * value:.{digits}f}%"


def signed(value: float, digits: int = 0) -> str:
    """``12.3`` becomes ``+12``; used for differences. What rounds to zero is ``0``, unsigned."""
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def attr(value: Any) -> Markup:
    """Escape a value for an HTML attribute or raw HTML text (no Markdown escaping there)."""
    text = _UNSAFE.sub("", str(value)).replace("\r", " ").replace("\n", " ")
    return Markup.escape(text)


def html_text(value: Any) -> str:
    """A value as HTML text for MkDocs titles (page and navigation), which print it unescaped."""
    return str(attr(value))


def yaml_string(value: Any) -> Markup:
    """A value as a double-quoted YAML string for front matter, escaped for HTML.

    MkDocs reads a front-matter ``title`` as HTML and Material prints it unescaped, in ``<title>``
    and in the header.
    """
    return Markup(json.dumps(html_text(value), ensure_ascii=False))


def _escaped(text: str) -> str:
    """``text`` safe in a YAML file, whatever a table's header holds.

    Every character YAML reads as a line break even inside quotes (U+2028, U+2029, NEL) or
    refuses (C1 controls, ...) is written as a YAML escape, which a double-quoted string reads
    back exactly.
    """
    return "".join(
        c
        if c.isprintable() or c in "\t\n"
        else f"\\u{ord(c):04x}"
        if ord(c) <= 0xFFFF
        else f"\\U{ord(c):08x}"
        for c in text
    )


def quoted(value: Any) -> str:
    """A value for a YAML file, as JSON (valid YAML): read back exactly, whatever it holds."""
    return _escaped(json.dumps(value, ensure_ascii=False))


def one_line(value: Any) -> str:
    """Text safe inside a YAML comment: one line, each run of white space one space."""
    return _escaped(" ".join(str(value).split()))


def wrapped(value: Any, width: int) -> list[str]:
    """Text as lines of at most ``width`` characters, broken as ``textwrap.wrap`` breaks it."""
    return textwrap.wrap(str(value), width)


def code(value: Any) -> Markup:
    r"""Inline code: a ``<code>`` element around the escaped text.

    Markdown's backtick spans show backslash escapes literally (``my\_file.csv``), and a
    backtick in the value would end them, so values never go between backticks.
    """
    return Markup("<code>") + md_text(value) + Markup("</code>")


def code_block(value: Any) -> Markup:
    """Show text verbatim in a ``<pre>`` block, whatever it contains."""
    return Markup("<pre><code>") + Markup.escape(str(value)) + Markup("</code></pre>")


FILTERS = {
    "num": number,
    "exact": exact,
    "pct": percent,
    "signed": signed,
    "md": md_text,
    "attr": attr,
    "code": code,
    "code_block": code_block,
    "yaml": yaml_string,
    "quoted": quoted,
    "one_line": one_line,
    "wrapped": wrapped,
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
        bytecode_cache=cache.templates(kind),
    )
    env.filters.update(FILTERS)
    return env


def render(template: str, kind: str = "md", **context: Any) -> str:
    """Render one template with its documented context."""
    return environment(kind).get_template(template).render(**context)
