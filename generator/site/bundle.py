"""The offline Vega bundle (vega-embed, Vega-Lite, Vega), made once per vl-convert version."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from generator.runtime.cache import folder

# Expose the three libraries as globals for templates/assets/segments.js.
GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


def vega_bundle() -> Path:
    """Path of the cached bundle, creating it (about 3 s) when missing.

    The file is named by the vl-convert and Altair versions, so finding it imports neither.
    """
    versions = f"{metadata.version('vl-convert-python')}-altair{metadata.version('altair')}"
    cache = folder()
    path = cache / f"vega-bundle-{versions}.js"
    if not path.is_file():
        import altair as alt
        import vl_convert

        # The Vega-Lite version Altair writes specs for, e.g. "v6.4".
        vl_version = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
        text = vl_convert.javascript_bundle(snippet=GLOBALS, vl_version=vl_version)
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    return path
