"""Find each configured column in the file's header, by name, alias, case and whitespace."""

from __future__ import annotations

from generator.config.settings import Config
from generator.errors import DataError, collect


def _fold(name: str) -> str:
    return name.strip().casefold()


def _matches(header: list[str], column: str, config: Config) -> list[int]:
    """Positions of the header columns that hold ``column`` (by name or alias, folded)."""
    names = {_fold(c) for c in (column, *config.rule_for(column).aliases)}
    return [i for i, name in enumerate(header) if _fold(name) in names]


def _wanted(config: Config) -> list[str]:
    return [config.id_column, *config.feature_columns, *config.profiled]


def _in_file(config: Config) -> list[str]:
    """The columns the file itself must hold: a log's, or a table's without the made ID."""
    if config.transactions is not None:
        return list(config.transactions.columns)
    if config.number_rows:
        return [*config.feature_columns, *config.profiled]
    return _wanted(config)


def used_columns(header: list[str], config: Config) -> list[str] | None:
    """The header's columns that the config reads, in file order, so a wide table is read narrow.

    None means read every column: a configured column is missing, or a header name repeats,
    and the error ``resolve_columns`` then raises lists the whole header.
    """
    if len(set(header)) != len(header):
        return None
    used: set[int] = set()
    for column in _in_file(config):
        matches = _matches(header, column, config)
        if not matches:
            return None
        used.update(matches)
    return [header[i] for i in sorted(used)]


def resolve_columns(
    header: list[str], config: Config, where: str
) -> tuple[dict[str, int], list[str]]:
    """Map each configured column to the position of the header column that holds it.

    A header matches a configured column or one of its aliases exactly or after trimming
    whitespace and ignoring case; every match that is not exact becomes a note.

    Returns:
        Configured column to header position, and the notes.

    Raises:
        DataError: When a column is missing or two header columns match one configured column.
    """
    found: dict[str, int] = {}
    notes, problems = [], []
    for column in _wanted(config):
        matches = _matches(header, column, config)
        if not matches:
            listed = ", ".join(repr(c) for c in header)
            problems.append(f"missing column {column!r} (the file has {listed})")
        elif len(matches) > 1:
            both = " and ".join(repr(header[i]) for i in matches)
            problems.append(f"columns {both} both match {column!r}; expected one")
        else:
            found[column] = matches[0]
            if header[matches[0]] != column:
                notes.append(
                    f"read column {column!r} from the file's column {header[matches[0]]!r}"
                )
    taken = list(found.values())
    for position in sorted({i for i in taken if taken.count(i) > 1}):
        problems.append(f"column {header[position]!r} matches more than one configured column")
    collect(DataError, where, problems)
    return found, notes
