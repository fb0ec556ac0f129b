"""The Content-Security-Policy every page carries, as a ``<meta http-equiv>`` in its ``<head>``.

Scripts may only come from the site itself, plus the few inline scripts of the Material theme,
allowed one by one by their SHA-256 hash (computed at build time from the theme's output with
the page content cut out, so an inline script inside the content is never allowed). Only the
theme's own scripts are hashed: each must match one written in Material's templates (where a
``{{ ... }}`` may only stand for quoted text such as the base URL). Any other inline script
outside the content (something injected through a setting such as ``SITE_URL``) stops the
build, and the offline build (which allows inline scripts) is checked the same way. Vega runs
without ``eval``: ``segments.js`` asks vega-embed for Vega's CSP-safe expression interpreter.

Every page gets the same policy, the union of every page's theme hashes, because Material's
instant navigation keeps the first page's policy (a ``<meta>`` policy cannot be lifted) and
adds any differing one, which would then block the other pages' scripts.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from generator.errors import RenderError

# Executable inline scripts: no src, and no type or a JavaScript type (JSON data is inert).
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"(?!text/javascript|module)[^\"]*\")[^>]*>"
    r"(.*?)</script>",
    re.DOTALL,
)
TEMPLATE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# What a template expression inside a theme script may become: text with no quote or tag.
QUOTED_TEXT = r"[^\"'<>\\]*"
CHARSET = '<meta charset="utf-8">'
POLICY = (
    "default-src 'self'",
    "script-src 'self'{scripts}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
)


def script_hash(text: str) -> str:
    """The CSP source for one inline script: ``'sha256-<base64 digest>'``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def theme_script_hashes(html: str, content: str, where: str = "page") -> set[str]:
    """Hashes of the executable inline scripts of a page, leaving out its content.

    Args:
        html: The whole page as MkDocs wrote it.
        content: The page's own HTML (from its Markdown), which is cut out first.
        where: The page, for the error message.

    Raises:
        RenderError: When a script outside the content is not one of the theme's own.
    """
    theme = html.replace(content, "") if content else html
    scripts = [match.group(1) for match in INLINE_SCRIPT.finditer(theme)]
    for script in scripts:
        if not any(known.fullmatch(script) for known in known_scripts()):
            raise RenderError(
                f"{where}: an inline script that is not one of the theme's own "
                f"({script[:60]!r}); refusing to publish it (check SITE_URL and the templates)"
            )
    return {script_hash(script) for script in scripts}


@functools.cache
def known_scripts() -> tuple[re.Pattern[str], ...]:
    """Material's inline scripts as patterns, read from its installed templates."""
    import material

    patterns = []
    for template in sorted((Path(material.__file__).parent / "templates").rglob("*.html")):
        for body in TEMPLATE_SCRIPT.findall(template.read_text(encoding="utf-8")):
            if "{%" not in body:  # a script built by template logic is no known script
                holes = re.split(r"\{\{.*?\}\}", body)
                patterns.append(re.compile(QUOTED_TEXT.join(map(re.escape, holes)), re.DOTALL))
    return tuple(patterns)


def policy(hashes: Iterable[str], inline: bool = False) -> str:
    """The policy text: scripts from the site and the hashed inline scripts only.

    Args:
        hashes: The allowed inline scripts (see ``script_hash``).
        inline: Allow every inline script instead of hashes (the offline build, see README).
    """
    scripts = " 'unsafe-inline'" if inline else "".join(f" {h}" for h in sorted(hashes))
    return "; ".join(POLICY).format(scripts=scripts)


def with_policy(html: str, text: str, where: str = "page") -> str:
    """The page with the policy right after its charset, before any script runs.

    Raises:
        RenderError: When the page has no ``<meta charset="utf-8">`` to anchor the policy.
    """
    if CHARSET not in html:
        raise RenderError(f"{where}: no {CHARSET} in the page to put the security policy after")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{text}">'
    return html.replace(CHARSET, CHARSET + meta, 1)
