"""The built wheel (and `pip install .`), in a fresh virtual environment, make and build a project.

The wheel is built from a copy of the sources (setup.py copies ``templates/`` into it). The fresh
environment installs only the wheel; its dependencies come from the environment running the
tests (a ``.pth`` line), so nothing is downloaded but the build backend pip may fetch. The CLI
runs in an empty folder without ``PYTHONPATH``, so only the installed package can answer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "generator", "templates")


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["SEGMENTS_CACHE"] = str(ROOT / ".segments-cache")  # the Vega bundle, made once
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what a checkout holds for packaging (so no build/ lands in the worktree)."""
    folder = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__py*"))
        else:
            shutil.copy(ROOT / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def wheel(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, source, cwd=out)
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("segments-*.whl")
    return found


def fresh_venv(env: Path, what: Path) -> Path:
    """``what`` (a wheel or a source folder) installed in a new environment; its ``bin/``."""
    venv.create(env)  # without pip: this environment's pip installs into it (--python)
    python = env / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=env)
    deps = [p for p in sys.path if p.endswith("site-packages")]
    Path(site.stdout.strip(), "zz_dependencies.pth").write_text("\n".join(deps) + "\n")
    pip = (sys.executable, "-m", "pip", "--python", python)
    result = run(*pip, "install", "-q", "--no-deps", what, cwd=env)
    assert result.returncode == 0, result.stderr
    return env / "bin"


@pytest.fixture(scope="module", params=["wheel", "pip install ."])
def installed(
    request: pytest.FixtureRequest, source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The fresh environment's ``bin/``: from the built wheel, or ``pip install .`` (not -e)."""
    what = request.getfixturevalue("wheel") if request.param == "wheel" else source
    return fresh_venv(tmp_path_factory.mktemp("venv"), what)


def test_the_wheel_ships_templates_and_the_plugin(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        registered = archive.read(entry_points).decode()
    shipped = {n.removeprefix("generator/templates/") for n in names if "/templates/" in n}
    sources = {p.relative_to(ROOT / "templates").as_posix() for p in ROOT.glob("templates/**/*")}
    assert shipped == {s for s in sources if (ROOT / "templates" / s).is_file()}
    assert "[mkdocs.plugins]\nsegments = generator.site.plugin:SegmentsPlugin" in registered


def test_new_and_build_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    where = run(
        installed / "python", "-c", "import generator; print(generator.__file__)", cwd=tmp_path
    )
    assert where.stdout.startswith(str(installed.parent)), where.stdout
    made = run(installed / "segments", "new", "shop", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    built = run(installed / "segments", "--quiet", "build", cwd=tmp_path / "shop")
    assert built.returncode == 0, built.stderr
    index = (tmp_path / "shop" / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>Summary - Customers</title>" in index
    assert (tmp_path / "shop" / "site" / "assets" / "vendor" / "vega-bundle.js").is_file()
    assert "Content-Security-Policy" in index
