"""``FrozenMap``: the mapping the values between stages hold (never a tuple of pairs)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A mapping that cannot change, for the values between stages.

    It keeps the order it was given (pages list columns in that order), hashes and compares
    as a mapping (so frozen values that hold one stay hashable) and pickles as its items (the
    analysis cache stores it).
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._items: dict[K, V] = dict(items)

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        return (type(self), (self._items,))

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"


def by_name(names: Iterable[str], values: Iterable[Any]) -> FrozenMap[str, float]:
    """Each name's value as a Python float (``values`` in the order of ``names``)."""
    return FrozenMap((n, float(v)) for n, v in zip(names, values, strict=True))
