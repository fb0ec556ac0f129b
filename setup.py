"""Build step: ship the top-level ``templates/`` inside the package (``generator/templates``).

Everything else about the package is declared in ``pyproject.toml``. The templates stay at the
top level (their one source, where analysts look for them) and are copied into the wheel here,
so no second copy is committed; ``generator.runtime.resources`` finds either place.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithTemplates(build_py):  # type: ignore[misc]
    """``build_py`` that also copies ``templates/`` into the built package."""

    def run(self) -> None:
        """Build the modules, then copy the templates beside them (not in editable mode)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's templates/ directly
        target = Path(self.build_lib) / "generator" / "templates"
        shutil.copytree(HERE / "templates", target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithTemplates})
