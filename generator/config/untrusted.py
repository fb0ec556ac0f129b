"""The one reader of YAML that anyone may have written (``segments.yml``, ``mkdocs.yml``).

PyYAML's safe loader builds no objects, yet it still expands aliases (a "billion laughs" file
of a few hundred bytes takes gigabytes), nests without limit, and lets a repeated key silently
win. This reader refuses all three, and files over a size limit, with a message naming the
file, the line and the column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigError

MAX_BYTES = 1_000_000
MAX_DEPTH = 20


class _Loader(yaml.SafeLoader):
    """Safe loading without aliases, deep nesting or repeated keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _refusal(event, "aliases (*name) are not allowed")
        depth = getattr(self, "_depth", 0) + 1
        if depth > MAX_DEPTH:
            raise _refusal(event, f"nested deeper than {MAX_DEPTH} levels")
        self._depth = depth
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth - 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict) or key in seen:
                raise _refusal(key_node, f"the key {key!r} appears twice in one mapping")
            seen.add(key)
        return super().construct_mapping(node, deep)


class _TagTolerantLoader(_Loader):
    """For ``mkdocs.yml``, whose ``!ENV`` and ``!!python/name`` tags only MkDocs resolves.

    MkDocs loads its config with a loader that builds Python objects: ``!!python/object/apply:
    os.system [...]`` would run a command. Every Python tag is refused here, before MkDocs
    reads the file, except ``!!python/name:`` of a function in the Markdown extensions'
    own packages (Material's emoji index, as its documentation sets it).
    """


PYTHON_NAMES = ("material.", "pymdownx.")


def _python_tag(_loader: Any, suffix: str, node: Any) -> None:
    name = suffix.removeprefix("name:")
    if suffix.startswith("name:") and name.startswith(PYTHON_NAMES):
        return None
    raise _refusal(
        node,
        f"the tag !!python/{suffix} would run code when MkDocs reads the file (only "
        "!!python/name: tags of material.* or pymdownx.* functions are allowed)",
    )


_TagTolerantLoader.add_multi_constructor("!", lambda _loader, _suffix, _node: None)
_TagTolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _python_tag)


class _Refused(yaml.YAMLError):
    def __init__(self, mark: Any, why: str) -> None:
        super().__init__(why)
        self.problem_mark = mark
        self.why = why


def _refusal(item: Any, why: str) -> _Refused:
    return _Refused(getattr(item, "start_mark", None), why)


def read_yaml(path: Path, tags: bool = False) -> Any:
    """Parse the YAML file at ``path``.

    Args:
        path: The file.
        tags: Tolerate application tags (``!ENV``), read as None.

    Raises:
        ConfigError: When the file is too large, not UTF-8, not YAML, or uses aliases, deep
            nesting or a repeated key (the message names the line and column).
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ConfigError(f"{path}: {size:,} bytes, more than the {MAX_BYTES:,} a config may have")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start + 1})") from exc
    try:
        return yaml.load(text, Loader=_TagTolerantLoader if tags else _Loader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from exc


def _describe(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    if isinstance(exc, _Refused):
        return f"{exc.why}{where}"
    return f"not valid YAML{where}"
