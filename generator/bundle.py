"""The offline Vega bundle (vega-embed, Vega-Lite, Vega), made once per vl-convert version."""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

import altair as alt
import vl_convert

# Expose the three libraries as globals for templates/assets/segments.js.
GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
CACHE = Path(os.environ.get("SEGMENTS_CACHE", ".segments-cache"))


def vega_bundle(cache: Path = CACHE) -> Path:
    """Path of the cached bundle, creating it (about 3 s) when missing."""
    version = metadata.version("vl-convert-python")
    vl_version = "v" + "_".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    path = cache / f"vega-bundle-{version}-{vl_version}.js"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        text = vl_convert.javascript_bundle(
            snippet=GLOBALS, vl_version=vl_version.replace("_", ".")
        )
        partial = path.with_suffix(".tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    return path
