"""The analyst's files that no command may overwrite, whatever path an option is given."""

from __future__ import annotations

from pathlib import Path

from generator.config.settings import Config
from generator.errors import ConfigError
from generator.release.history import history_path
from generator.release.lockfile import lock_path
from generator.release.sidecar import assignments_path


def protected(config: Config) -> dict[str, Path]:
    """The config, the customer table, the lock, the sidecar and the history, by what they are."""
    return {
        "the config": config.path,
        "the customer table": config.data_path,
        "the segments lock file": lock_path(config),
        "the assignments sidecar": assignments_path(config),
        "the release history": history_path(config),
    }


def refuse_overwrite(out_path: Path, option: str, files: dict[str, Path]) -> None:
    """Refuse to write ``out_path`` when it is (or links to) one of ``files``.

    Raises:
        ConfigError: Naming the file and the option to change.
    """
    for what, path in files.items():
        if _same_file(out_path, path):
            raise ConfigError(
                f"{out_path}: is {what}; segments never overwrites it, pass another {option}"
            )


def _same_file(first: Path, second: Path) -> bool:
    if first.resolve() == second.resolve():
        return True
    try:
        return first.samefile(second)  # a hard link
    except OSError:
        return False
