"""The offline Vega bundle (vega-embed, Vega-Lite, Vega), made once per vl-convert version.

The bundle is published in every site, so the cached copy is signed like every cache entry
(``generator.runtime.cache``): a copy that does not check is made afresh, never published. It
depends on nothing but two versions, so one copy serves every project on the machine
(``cache.shared_folder``), not one per project's cache.
"""

from __future__ import annotations

from importlib import metadata

from generator.runtime.cache import read_signed, shared_folder, write_signed

# Expose the three libraries as globals for templates/assets/segments.js.
GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


def vega_bundle() -> bytes:
    """The bundle's bytes, from the cache when its signature checks, else made (about 3 s).

    The cache file is named by the vl-convert and Altair versions, so finding it imports neither.
    """
    versions = f"{metadata.version('vl-convert-python')}-altair{metadata.version('altair')}"
    name = f"vega-bundle-{versions}.js"
    path = shared_folder() / name
    cached = read_signed(path, name) if path.is_file() else None
    if cached is not None:
        return cached
    import altair as alt
    import vl_convert

    # The Vega-Lite version Altair writes specs for, e.g. "v6.4".
    vl_version = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    text: str = vl_convert.javascript_bundle(snippet=GLOBALS, vl_version=vl_version)
    made = text.encode("utf-8")
    try:
        shared_folder().mkdir(parents=True, exist_ok=True)
        write_signed(path, name, made)
    except OSError:
        pass  # a cache never fails a build
    return made
