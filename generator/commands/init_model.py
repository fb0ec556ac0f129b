"""What ``init`` found in a table: the values its parts hand each other, and the scaling rule."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from generator.config.settings import Transactions
from generator.model import FrozenMap

SKEWED = 1.0


@dataclass(frozen=True)
class Layout:
    """How the text file is laid out."""

    delimiter: str = ","
    header: bool = True
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Starter:
    """What ``init`` found in a table, with the reason for each choice.

    ``features``, ``describe`` and ``skipped`` are (column, reason) in the order the config lists
    them; ``labels``, ``codes`` and ``since`` are looked up by column. ``placeholders`` are the
    customer IDs that stand for no customer ("(blank)"), which ``data.missing: drop`` leaves
    out; ``id_map`` maps an ID on implausibly many rows to empty under ``columns:``.
    """

    id_column: str
    features: tuple[tuple[str, str], ...]
    describe: tuple[tuple[str, str], ...]
    skipped: tuple[tuple[str, str], ...]
    scaling: str
    scaling_reason: str
    id_reason: str
    n_rows: int
    labels: FrozenMap[str, str] = field(default_factory=FrozenMap)  # column to its label
    missing: str = ""  # why data.missing: drop is suggested ("" for the default)
    value: tuple[str, str, str] | None = None  # feature, better, why
    codes: FrozenMap[str, FrozenMap[str, str]] = field(default_factory=FrozenMap)
    since: FrozenMap[str, str] = field(default_factory=FrozenMap)  # column to days or years
    log: Transactions | None = None
    layout: Layout = field(default_factory=Layout)
    personal: tuple[tuple[str, str], ...] = ()  # (column, kind): left out as personal data
    placeholders: tuple[tuple[str, int], ...] = ()  # stand-in IDs (also in id_map), their rows
    id_map: FrozenMap[str, str] = field(default_factory=FrozenMap)  # IDs mapped to empty
    n_customers: int = 0  # a log's distinct customers; a table's rows with an ID
    outcomes: tuple[tuple[str, str, str], ...] = ()  # (column, positive value, why)


def scaling(values: pd.DataFrame) -> tuple[str, str]:
    """The scaling for these feature values, and why."""
    skew = values.skew().fillna(0.0)
    worst = str(skew.abs().idxmax())
    if skew.max() > SKEWED and bool((values.fillna(0).to_numpy() >= 0).all()):
        top = str(skew.idxmax())
        return "log", (
            f"{top!r} is strongly right-skewed (skewness {skew[top]:.2f}) and no feature is "
            "negative: log1p then standard scaling keeps its long tail from dominating"
        )
    if abs(skew[worst]) > SKEWED:
        return "robust", (
            f"{worst!r} is strongly skewed (skewness {skew[worst]:.2f}) but some values are "
            "negative, so log is not possible: robust scaling (median, IQR) resists outliers"
        )
    return "standard", (
        f"no feature is strongly skewed (largest |skewness| {abs(skew[worst]):.2f}): standard "
        "scaling gives every feature mean 0 and standard deviation 1"
    )
