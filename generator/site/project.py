"""A project's MkDocs side, found and checked before any analysis runs.

A project is a folder with ``mkdocs.yml`` and the segments config (``data/segments.yml``, as
``segments new`` writes it). A build writes only into the ``docs_dir`` and ``site_dir`` of the
config's own project, so a config elsewhere never replaces this repository's site by accident.
Every problem names the file and says the fix.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from generator.errors import ConfigError, collect
from generator.site.settings import check_settings

PLUGIN = "segments"
NEW_PROJECT = "run `segments new DIR --data TABLE` to start a project there"
ADD_PLUGIN = "add `- segments` under `plugins:` in mkdocs.yml (see `segments new`)"
# Known MkDocs complaints, and what the analyst should do about each.
FIXES = (
    (
        'The "segments" plugin is not installed',
        "install segments in the Python environment that runs MkDocs (pip install segments)",
    ),
    ("generator/site/hooks.py", f"remove the `hooks:` entry and {ADD_PLUGIN}"),
    ("isn't an existing file", "fix the path, relative to mkdocs.yml"),
    ("isn't an existing directory", "create the folder or fix the path, relative to mkdocs.yml"),
)


def find_mkdocs(config_path: Path) -> Path:
    """The ``mkdocs.yml`` of the project that holds ``config_path``.

    It lies beside the config or one folder up (a project's ``data/segments.yml``).

    Raises:
        ConfigError: When neither place has one (the message says how to make a project).
    """
    folder = config_path.absolute().parent  # not resolve(): a linked config builds here
    for candidate in (folder / "mkdocs.yml", folder.parent / "mkdocs.yml"):
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"{config_path}: no mkdocs.yml beside this config or in the folder above it, so there is "
        f"no project to build into; {NEW_PROJECT}, or pass --mkdocs PATH"
    )


def check_mkdocs(mkdocs_path: Path) -> None:
    """Validate ``mkdocs.yml`` as MkDocs will (plugins loaded), and that it uses ours.

    Raises:
        ConfigError: Listing every problem, each with its fix.
    """
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.exceptions import ConfigurationError

    from generator.site.plugin import register

    register()
    if not mkdocs_path.is_file():
        raise ConfigError(f"{mkdocs_path}: MkDocs config not found; {NEW_PROJECT}")
    check_settings(mkdocs_path)  # as data, before MkDocs' own loader builds anything from it
    config = MkDocsConfig(config_file_path=str(mkdocs_path))
    try:
        with mkdocs_path.open("rb") as handle:
            config.load_file(handle)
    except ConfigurationError as exc:
        raise ConfigError(f"{mkdocs_path}: not a valid MkDocs config: {_one_line(exc)}") from exc
    # docs_dir need not exist yet (the generator writes it), and MkDocs stops validating at the
    # first failure, so an empty stand-in lets every other problem show.
    with tempfile.TemporaryDirectory() as stand_in:
        config.load_dict({"docs_dir": stand_in})
        errors, warnings = config.validate()
    problems = [_with_fix(name, error) for name, error in [*errors, *warnings]]
    if not problems and PLUGIN not in config.plugins:
        problems.append(f"the segments plugin is not listed; {ADD_PLUGIN}")
    collect(ConfigError, str(mkdocs_path), problems)


def _with_fix(name: str, error: object) -> str:
    text = _one_line(error)
    fix = next((fix for known, fix in FIXES if known in text), "")
    return f"setting {name!r}: {text}" + (f"; {fix}" if fix else "")


def _one_line(error: object) -> str:
    return " ".join(str(error).split()).rstrip(".")
