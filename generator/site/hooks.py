"""MkDocs hooks: the generated navigation, the offline build and the Vega bundle.

- ``on_config`` reads ``docs/.nav.yml`` (written by the generator, segment pages in segment
  order) and, for the offline build, turns off instant navigation, which needs a server, and
  swaps the iframe-worker shim that Material's offline plugin loads from unpkg.com (search runs
  in a Web Worker, which ``file://`` forbids) for the copy shipped in ``assets/``.
- ``on_env`` keeps the theme's compiled templates in ``.segments-cache/`` between builds.
- ``on_page_content`` inlines each chart's spec in the offline build, since browsers refuse
  ``fetch`` from ``file://``.
- ``on_post_page`` names Material's search dialog, which axe flags as a dialog with no name, and
  (with ``on_post_template``, for 404.html) collects the hashes of the theme's inline scripts.
- ``on_post_build`` writes the vega-embed/Vega-Lite/Vega bundle from ``vl_convert`` into the
  site (cached under ``.segments-cache/``), so the site loads nothing from another host, and puts
  the same Content-Security-Policy into every page (see ``generator/site/csp.py``).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from pathlib import Path
from typing import Any

import yaml

from generator.runtime import cache
from generator.site import csp
from generator.site.bundle import vega_bundle

# Material's search box is role="dialog" without a name (axe: aria-dialog-name, serious).
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMED_SEARCH_DIALOG = SEARCH_DIALOG.replace('role="dialog"', 'role="dialog" aria-label="Search"')
# iframe-worker 1.0.4 (MIT, by Material's author), shipped in templates/assets/.
IFRAME_WORKER = "assets/iframe-worker/shim.js"
CHART = re.compile(r'(<div class="segments-chart" data-spec="([^"]+)"[^>]*>)(</div>)')
# Hashes of the theme's inline scripts, gathered page by page during one build.
THEME_SCRIPTS: set[str] = set()


def chart_json(spec: dict[str, Any]) -> str:
    """A spec as JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def offline() -> bool:
    """Whether this is the offline (``file://``) build."""
    return os.environ.get("SEGMENTS_OFFLINE", "").lower() in {"1", "true", "yes"}


def on_config(config: Any) -> Any:
    """Use the generated navigation; drop instant navigation offline."""
    THEME_SCRIPTS.clear()
    nav_file = Path(config["docs_dir"]) / ".nav.yml"
    if nav_file.is_file():
        config["nav"] = yaml.safe_load(nav_file.read_text(encoding="utf-8"))
    if offline():
        features = config["theme"]["features"]
        config["theme"]["features"] = [
            f for f in features if not f.startswith("navigation.instant")
        ]
        polyfills = [p for p in config["extra"].get("polyfills", []) if "iframe-worker" not in p]
        config["extra"]["polyfills"] = [*polyfills, IFRAME_WORKER]
    return config


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Keep the theme's compiled templates between builds."""
    env.bytecode_cache = cache.templates("theme") or env.bytecode_cache
    return env


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Offline only: put each chart spec inside its container as inert JSON."""
    if not offline():
        return html
    page_dir = posixpath.dirname(page.file.src_uri)
    docs = Path(config["docs_dir"])

    def inline(match: re.Match[str]) -> str:
        spec_path = docs / posixpath.normpath(posixpath.join(page_dir, match.group(2)))
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        script = f'<script type="application/json">{chart_json(spec)}</script>'
        return match.group(1) + script + match.group(3)

    return CHART.sub(inline, html)


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Give Material's search dialog an accessible name; note the theme's inline scripts."""
    where = str(page.file.dest_uri)
    THEME_SCRIPTS.update(csp.theme_script_hashes(output, page.content or "", where))
    return output.replace(SEARCH_DIALOG, NAMED_SEARCH_DIALOG, 1)


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    """Note the inline scripts of theme-only pages (404.html), which have no content."""
    if template_name.endswith(".html"):
        THEME_SCRIPTS.update(csp.theme_script_hashes(output_content, "", template_name))
    return output_content


def on_post_build(config: Any) -> None:
    """Write the Vega bundle where ``extra_javascript`` expects it; add the policy to pages."""
    site = Path(config["site_dir"])
    target = site / "assets" / "vendor" / "vega-bundle.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(vega_bundle())
    text = csp.policy(THEME_SCRIPTS, inline=offline())
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        page.write_text(csp.with_policy(html, text, str(page)), encoding="utf-8")
