"""Where the files that ship with the generator live: ``templates/`` in a checkout or a wheel.

The top-level ``templates/`` folder is the one source. A built wheel carries a copy of it inside
the package (``generator/templates``, copied by ``setup.py`` at build time), so an installed
``segments`` finds its templates wherever it is installed; a checkout (editable install or
``PYTHONPATH``) uses the folder itself.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def templates_dir() -> Path:
    """The templates folder: inside the installed package, else the checkout's own."""
    inside = PACKAGE / "templates"
    return inside if inside.is_dir() else PACKAGE.parent / "templates"
