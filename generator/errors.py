"""The named errors the library raises; the CLI turns them into one line and exit code 2."""

from __future__ import annotations

from collections.abc import Sequence


class SegmentsError(Exception):
    """Base class for every error the user can act on.

    Attributes:
        message: The one-line summary the CLI prints.
        details: Every problem, one sentence each (possibly formatted lazily; may be long).
        where: The file the problems are in ("" when the message names it another way).
    """

    def __init__(self, message: str, details: Sequence[str] = (), where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.where = where

    def __str__(self) -> str:
        return self.message


class ConfigError(SegmentsError):
    """The config file is missing, malformed or inconsistent."""


class DataError(SegmentsError):
    """The customer table cannot be read or does not match the config."""


class RenderError(SegmentsError):
    """A template, chart or site build failed."""


def collect(
    kind: type[SegmentsError],
    where: str,
    problems: Sequence[str],
    limit: int = 20,
    hint: str = "",
) -> None:
    """Raise one error that lists every problem found, or return when there is none.

    Args:
        kind: The error class to raise.
        where: The file the problems are in, named first in the message.
        problems: One human sentence per problem (any sequence; only ``limit`` are formatted
            for the message, the error keeps them all in ``details``).
        limit: How many problems the one-line message shows before "and N more".
        hint: What the analyst can do, appended in parentheses.
    """
    if not problems:
        return
    shown = "; ".join(problems[:limit])
    more = len(problems) - limit
    suffix = f"; and {more} more" if more > 0 else ""
    noun = "problem" if len(problems) == 1 else "problems"
    advice = f" ({hint})" if hint else ""
    details = tuple(problems) if isinstance(problems, list) else problems
    raise kind(f"{where}: {len(problems)} {noun}: {shown}{suffix}{advice}", details, where)
