"""Small-group suppression: no published number may describe fewer than the minimum group."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Suppressor:
    """Hides counts and shares of groups smaller than the minimum size.

    With ``enabled=False`` (the config allows individual points, so nothing is gained by hiding
    small counts) every number passes.
    """

    min_group_size: int
    enabled: bool = True

    def allows(self, count: int) -> bool:
        """Whether a group of ``count`` customers may be described."""
        return not self.enabled or count == 0 or count >= self.min_group_size

    def count(self, count: int) -> int | None:
        """The count, or ``None`` when it must stay hidden."""
        return count if self.allows(count) else None

    def share(self, count: int, share: float) -> float | None:
        """The share of a group of ``count`` customers, or ``None`` when hidden."""
        return share if self.allows(count) else None
