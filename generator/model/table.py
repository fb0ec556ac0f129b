"""The table stage's values: the validated customers and where each row came from."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from generator.model.frozen import FrozenMap


@dataclass(frozen=True)
class RowLines:
    """Names a data row the way the analyst sees it in their file.

    Data row ``i`` (0-based, header excluded) is ``{word} {first + i}`` unless the file has
    blank lines, multi-line quoted fields or blank sheet rows: then ``numbers`` holds the
    number of every row, or ``records_in`` names the delimited file whose records are counted
    on demand (only error paths pay for that scan). Plain data, so it pickles and compares.
    """

    word: str = "line"
    first: int = 2
    numbers: np.ndarray | None = field(default=None, compare=False)
    records_in: Path | None = None
    delimiter: str = ","
    header: bool = True  # whether ``records_in`` starts with a header record

    def of(self, rows: np.ndarray) -> np.ndarray:
        """The line (or row) numbers of the 0-based data ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        if self.numbers is not None:
            return np.asarray(self.numbers[rows], dtype=np.int64)
        if self.records_in is not None and len(rows):
            count = int(rows.max()) + 1
            starts = _record_lines(self.records_in, self.delimiter, count, self.header)
            return np.asarray(starts[rows], dtype=np.int64)
        return rows + self.first

    def name(self, row: int) -> str:
        """``line 7`` (CSV), ``row 7`` (sheet row or Parquet row) for 0-based data ``row``."""
        return f"{self.word} {int(self.of(np.array([row]))[0])}"


@functools.lru_cache(maxsize=4)
def _record_lines(path: Path, delimiter: str, count: int, header: bool = True) -> np.ndarray:
    """The first line of each of the first ``count`` data records, skipping blank lines.

    Row-wise (Python's csv module follows quoted fields across lines), so only error messages
    and drop logs of irregular files use it, and it stops after ``count`` records.
    """
    csv.field_size_limit(sys.maxsize)
    numbers = np.zeros(count, dtype=np.int64)
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        end, record = 0, -1 if header else 0
        for fields in reader:
            start, end = end + 1, reader.line_num
            if not fields:
                continue
            if record >= 0:
                numbers[record] = start
            record += 1
            if record == count:
                break
    numbers.flags.writeable = False
    return numbers


@dataclass(frozen=True)
class LeftOut:
    """Rows (or a log's lines) left out because their customer ID stands for no customer.

    Attributes:
        reason: ``placeholder`` (a stand-in such as "(blank)" or "unknown") or ``mapped`` (the
            config maps the ID to empty under ``columns:``).
        count: How many rows or lines.
        values: The placeholders, most frequent first (stand-ins, never a customer's ID).
    """

    reason: str
    count: int
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceInfo:
    """Facts about the file the table came from.

    ``rows_read`` counts the data rows in the file (a log's lines); ``rows_dropped`` those
    removed because of missing values or placeholder IDs (``data.missing: drop``); ``notes``
    are the tolerated oddities, in words; ``as_of`` the day dates were counted to
    (``data.since``, a transaction log), if any; ``left_out`` the rows left out for their
    placeholder IDs, by reason; ``table`` names a table an engine read (``data.table``, or
    ``data.sql`` for a query) instead of a file. For a transaction log, ``log_lines`` counts
    the lines made into customers and ``log_no_id`` the lines left out for having no customer
    ID (both 0 for a table).
    """

    path: Path
    sha256: str
    rows_read: int
    columns: tuple[str, ...]
    notes: tuple[str, ...] = ()
    rows_dropped: int = 0
    lines: RowLines = field(default_factory=RowLines, compare=False, repr=False)
    as_of: dt.date | None = None
    left_out: tuple[LeftOut, ...] = ()
    log_lines: int = 0
    log_no_id: int = 0
    table: str = ""

    @property
    def shown(self) -> str:
        """How pages name the source: the file's name, or the engine's table or query."""
        return self.table or self.path.name


@dataclass(frozen=True)
class MapGrid:
    """The segment map's numbers, measured by an engine over every customer.

    The same numbers the local map computes from its rows (``analysis/mapgrid.py``).

    Attributes:
        columns: The two features plotted (x, y).
        ranges: Each axis's (low, high) in the column's units.
        outside: Customers beyond the axes (not drawn).
        counts: Customers per cell of the GRID x GRID grid over ``ranges`` (x first), or None
            when the config allows individual points (they are drawn from the driver's sample).
    """

    columns: tuple[str, str]
    ranges: tuple[tuple[float, float], tuple[float, float]]
    outside: int
    counts: np.ndarray | None


@dataclass(frozen=True)
class WholeTable:
    """What an engine measured over every row, when ``CustomerTable.frame`` is only a sample.

    Attributes:
        n_customers: Customers in the table (after any dropped rows).
        histograms: Per numeric column, the 20-bin counts and edges (numpy's bins).
        categories: Per categorical column, the customers per value, values sorted.
        extremes: Per numeric column, its smallest and largest value.
        views: The (name, SQL) of the views that check the registered source, in order, so a
            later step (the assignments sidecar) can open the engine again on the same customers.
        percentiles: Per numeric describe column, each published quartile and
            median mapped to where it sits among all customers (0 to 100,
            ties counting half), for the ranges charts. Set by the analysis.
        segment_map: The segment map's axes, ranges and counts, or None when no map is drawn
            (fewer than two features). Set by the analysis.
    """

    n_customers: int
    histograms: FrozenMap[str, tuple[np.ndarray, np.ndarray]]
    categories: FrozenMap[str, FrozenMap[str, int]]
    extremes: FrozenMap[str, tuple[float, float]]
    views: tuple[tuple[str, str], ...] = field(compare=False)
    percentiles: FrozenMap[str, FrozenMap[float, float]] = field(default_factory=FrozenMap)
    segment_map: MapGrid | None = None


@dataclass(frozen=True)
class CustomerTable:
    """The validated table: one row per customer, sorted by ID so row order never matters.

    ``frame`` holds the ID column, the feature columns (float64), the describe columns and the
    outcome columns (float64 or pandas ``category``), nothing else. With an engine (``whole``
    set) the table stays in the engine and ``frame`` is the bounded sample the driver works on.
    """

    frame: pd.DataFrame
    source: SourceInfo
    id_column: str
    features: tuple[str, ...]
    describe: tuple[str, ...]
    whole: WholeTable | None = None
    outcomes: tuple[str, ...] = ()

    @property
    def n_customers(self) -> int:
        """Number of customers (rows of the table, not of an engine's sample)."""
        return self.whole.n_customers if self.whole is not None else len(self.frame)

    def feature_matrix(self) -> np.ndarray:
        """The feature columns as a float64 array (rows x features)."""
        return self.frame.loc[:, list(self.features)].to_numpy(dtype=np.float64)
