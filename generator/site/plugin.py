"""The MkDocs side as a plugin, registered by the ``mkdocs.plugins`` entry point ``segments``.

A project's ``mkdocs.yml`` names it (``plugins: [search, segments]``) instead of a path to a
hooks file, so a project works wherever ``segments`` is installed. The events themselves live in
``generator.site.hooks``; this class only hands them over.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import Any

from mkdocs.plugins import BasePlugin

from generator.site import hooks

ENTRY_POINT = EntryPoint("segments", "generator.site.plugin:SegmentsPlugin", "mkdocs.plugins")


def register() -> None:
    """Make the plugin known to MkDocs in this process where the package metadata is missing.

    An installed ``segments`` registers it through its entry point. A checkout run with
    ``python -m generator`` and ``PYTHONPATH`` has no metadata, so the MkDocs runs of
    ``segments`` itself add it to MkDocs' table of installed plugins (read once, at import).
    A plain ``mkdocs build`` still needs ``segments`` installed.
    """
    from mkdocs.config.defaults import MkDocsConfig

    option = dict(getattr(MkDocsConfig, "_schema", ())).get("plugins")
    installed = getattr(option, "installed_plugins", None)
    if isinstance(installed, dict):
        installed.setdefault(ENTRY_POINT.name, ENTRY_POINT)


class SegmentsPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Generated navigation, offline build, Vega bundle and Content-Security-Policy."""

    def on_config(self, config: Any) -> Any:
        """Use the generated navigation; drop instant navigation offline."""
        return hooks.on_config(config)

    def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
        """Keep the theme's compiled templates between builds."""
        return hooks.on_env(env, config, files)

    def on_page_content(self, html: str, /, *, page: Any, config: Any, files: Any) -> str:
        """Offline only: put each chart spec inside its container."""
        return hooks.on_page_content(html, page, config, files)

    def on_post_page(self, output: str, /, *, page: Any, config: Any) -> str:
        """Name Material's search dialog; note the theme's inline scripts."""
        return hooks.on_post_page(output, page, config)

    def on_post_template(self, output_content: str, /, *, template_name: str, config: Any) -> str:
        """Note the inline scripts of theme-only pages (404.html)."""
        return hooks.on_post_template(output_content, template_name, config)

    def on_post_build(self, *, config: Any) -> None:
        """Write the Vega bundle and put the policy into every page."""
        hooks.on_post_build(config)
