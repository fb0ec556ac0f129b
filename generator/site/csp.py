"""The Content-Security-Policy every page carries, as a ``<meta http-equiv>`` in its ``<head>``.

Scripts may only come from the site itself, plus the few inline scripts of the Material theme,
allowed one by one by their SHA-256 hash (computed at build time from the theme's output with
the page content cut out, so an inline script inside the content is never allowed). Vega runs
without ``eval``: ``segments.js`` asks vega-embed for Vega's CSP-safe expression interpreter.

Every page gets the same policy, the union of every page's theme hashes, because Material's
instant navigation keeps the first page's policy (a ``<meta>`` policy cannot be lifted) and
adds any differing one, which would then block the other pages' scripts.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from generator.errors import RenderError

# Executable inline scripts: no src, and no type or a JavaScript type (JSON data is inert).
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"(?!text/javascript|module)[^\"]*\")[^>]*>"
    r"(.*?)</script>",
    re.DOTALL,
)
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


def theme_script_hashes(html: str, content: str) -> set[str]:
    """Hashes of the executable inline scripts of a page, leaving out its content.

    Args:
        html: The whole page as MkDocs wrote it.
        content: The page's own HTML (from its Markdown), which is cut out first.
    """
    theme = html.replace(content, "") if content else html
    return {script_hash(match.group(1)) for match in INLINE_SCRIPT.finditer(theme)}


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
