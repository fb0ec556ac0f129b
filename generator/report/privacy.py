"""Small-group suppression: no published number may describe fewer than the minimum group.

Hiding one small group is not enough when a total is also published (the hidden count is the
total minus the rest), so a group with exactly one hidden member also hides its next smallest
member (complementary suppression).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Counts in the table stage's notes ("(3 cells)", "dropped 2 rows"), and the line or row
# numbers that follow a drop ("(lines 3, 5)"), which point at individual customers.
NOTE_COUNT = re.compile(r"\b(\d[\d,]*) (cell|row)s?\b")
NOTE_LINES = re.compile(r" \((?:lines?|rows?) [^)]*\)")


@dataclass(frozen=True)
class Suppressor:
    """Hides counts and shares of groups smaller than the minimum size.

    With ``enabled=False`` (the config allows individual points, so nothing is gained by hiding
    small counts) every number passes.
    """

    min_group_size: int
    enabled: bool = True

    def allows(self, count: int) -> bool:
        """Whether a group of ``count`` customers may be described on its own."""
        return not self.enabled or count == 0 or count >= self.min_group_size

    def count(self, count: int) -> int | None:
        """The count, or ``None`` when it must stay hidden."""
        return count if self.allows(count) else None

    def visible(self, counts: Sequence[int]) -> list[bool]:
        """Which parts of a whole may be shown, with complementary suppression."""
        shown = [self.allows(c) for c in counts]
        if shown.count(False) == 1 and len(counts) > 1:
            others = [i for i, ok in enumerate(shown) if ok and counts[i] > 0]
            if others:
                shown[min(others, key=lambda i: (counts[i], i))] = False
        return shown

    def visible_grid(self, counts: Sequence[Sequence[int]]) -> list[list[bool]]:
        """Which cells of a table may be shown, so that no row or column total gives one away.

        A row or column with exactly one hidden cell would reveal it as its total minus the
        shown cells, so the smallest other non-empty cell of that line is hidden too, until no
        line has exactly one hidden cell.
        """
        shown = [[self.allows(c) for c in row] for row in counts]
        width = len(counts[0]) if counts else 0
        lines = [[(i, j) for j in range(width)] for i in range(len(counts))]
        lines += [[(i, j) for i in range(len(counts))] for j in range(width)]
        changed = True
        while changed:
            changed = False
            for line in lines:
                if sum(not shown[i][j] for i, j in line) != 1:
                    continue
                others = [(i, j) for i, j in line if shown[i][j] and counts[i][j] > 0]
                if others:
                    i, j = min(others, key=lambda cell: (counts[cell[0]][cell[1]], cell))
                    shown[i][j], changed = False, True
        return shown

    def shares(self, parts: Mapping[str, float], total: int) -> list[tuple[str, float | None]]:
        """``(value, share)`` pairs of a group of ``total`` customers, hidden where too small."""
        counts = [round(share * total) for share in parts.values()]
        return [
            (value, share if ok else None)
            for (value, share), ok in zip(parts.items(), self.visible(counts), strict=True)
        ]

    def pooled(
        self, parts: Mapping[str, float], total: int
    ) -> list[tuple[tuple[str, ...], float | None]]:
        """``(values, share)`` of a group of ``total`` customers: what a page may say.

        Where hiding one small value would force hiding a large one too (complementary
        suppression), the two are pooled instead and shown together ("DSL and No together"):
        the small one cannot be worked out, and the large one is not silently hidden. A share
        that is still hidden (None) is always a group smaller than the minimum.
        """
        values, shares = list(parts), list(parts.values())
        counts = [round(share * total) for share in shares]
        shown = [self.allows(c) for c in counts]
        pair: tuple[int, ...] = ()
        if shown.count(False) == 1 and len(counts) > 1:
            small = shown.index(False)
            others = [i for i, ok in enumerate(shown) if ok and counts[i] > 0]
            if others:
                pair = tuple(sorted((small, min(others, key=lambda i: (counts[i], i)))))
        out: list[tuple[tuple[str, ...], float | None]] = []
        for i, value in enumerate(values):
            if pair and i == pair[0]:
                out.append((tuple(values[j] for j in pair), sum(shares[j] for j in pair)))
            elif i not in pair:
                out.append(((value,), shares[i] if shown[i] else None))
        return out


def public_note(note: str, suppress: Suppressor) -> str:
    """A note from reading the table, fit to publish: small counts say "fewer than N".

    The line numbers of dropped rows are left out whenever small groups are protected.
    """
    if not suppress.enabled:
        return note

    def count(match: re.Match[str]) -> str:
        n = int(match.group(1).replace(",", ""))
        if suppress.allows(n):
            return match.group(0)
        return f"fewer than {suppress.min_group_size:,} {match.group(2)}s"

    return NOTE_COUNT.sub(count, NOTE_LINES.sub("", note))
