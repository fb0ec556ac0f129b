"""The named errors the library raises; the CLI turns them into one line and exit code 2."""

from __future__ import annotations


class SegmentsError(Exception):
    """Base class for every error the user can act on."""

    def __init__(self, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class ConfigError(SegmentsError):
    """The config file is missing, malformed or inconsistent."""


class DataError(SegmentsError):
    """The customer table cannot be read or does not match the config."""


class RenderError(SegmentsError):
    """A template, chart or site build failed."""


def collect(kind: type[SegmentsError], where: str, problems: list[str], limit: int = 20) -> None:
    """Raise one error that lists every problem found, or return when there is none.

    Args:
        kind: The error class to raise.
        where: The file the problems are in, named first in the message.
        problems: One human sentence per problem.
        limit: How many problems the one-line message shows before "and N more".
    """
    if not problems:
        return
    shown = "; ".join(problems[:limit])
    more = len(problems) - limit
    suffix = f"; and {more} more" if more > 0 else ""
    noun = "problem" if len(problems) == 1 else "problems"
    raise kind(f"{where}: {len(problems)} {noun}: {shown}{suffix}", tuple(problems))
