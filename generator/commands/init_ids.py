"""What ``init`` finds in a customer-ID column: stand-ins for unknown customers.

The rules are the build's (``table.placeholders``), so the config ``init`` writes builds: a
placeholder ("(blank)", "guest", a repeated "0") gets ``data.missing: drop`` with the count in a
comment; a log's ID on implausibly many lines (not a zero) is mapped to empty under
``columns:``, with a comment saying how to keep it as one customer instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from generator.config.settings import ColumnRule
from generator.table.placeholders import SENTINELS, id_cells, outsized


@dataclass(frozen=True)
class IdFindings:
    """The stand-ins of a customer column and the customers it leaves.

    Attributes:
        missing: Rows with no ID (blank, NA).
        placeholders: (ID, rows) of each stand-in the build leaves out by itself.
        mapped: (ID, rows) of each ID on implausibly many of a log's lines, to map to empty.
        customers: The distinct IDs left.
        unique: Whether each remaining ID is on one row only.
    """

    missing: int
    placeholders: tuple[tuple[str, int], ...]
    mapped: tuple[tuple[str, int], ...]
    customers: int
    unique: bool

    @property
    def left_out(self) -> int:
        """Rows (or lines) that name no customer."""
        return self.missing + sum(n for _, n in (*self.placeholders, *self.mapped))


NO_FINDINGS = IdFindings(0, (), (), 0, True)


def id_findings(name: str, values: pd.Series, log: bool) -> IdFindings:
    """Check a customer column (text cells) by the build's placeholder rules."""
    ids = id_cells(name, pa.array(values.tolist(), pa.string()), ColumnRule(), log=log)
    present = values[~(ids.missing | ids.placeholder)]
    counts = present.value_counts(sort=False)
    big = (
        outsized(counts.to_numpy(), pa.array(counts.index.astype(str)), ColumnRule()) if log else []
    )
    zeros = [(v, n) for v, n in big if v in SENTINELS]
    stand_ins = values[ids.placeholder].value_counts()
    placeholders = [(str(v), int(n)) for v, n in stand_ins.items()] + zeros
    mapped = tuple((v, n) for v, n in big if v not in SENTINELS)
    return IdFindings(
        missing=int(ids.missing.sum()),
        placeholders=tuple(sorted(placeholders, key=lambda pair: (-pair[1], pair[0]))),
        mapped=mapped,
        customers=int(len(counts) - len(big)),
        unique=bool(np.all(counts.to_numpy() == 1)),
    )


def placeholder_reason(column: str, found: IdFindings, unit: str) -> str:
    """Why ``data.missing: drop`` is written for the stand-ins ("" when there are none)."""
    parts = [f"{value!r} on {n:,} {unit}s" for value, n in found.placeholders[:3]]
    parts += [f"{value!r} on {n:,} {unit}s (mapped to empty below)" for value, n in found.mapped]
    if not parts:
        return ""
    return (
        f"{column!r} holds IDs that stand for unknown customers, not for one: "
        f"{', '.join(parts)}; those {unit}s are left out"
    )
