"""The typed values that flow between pipeline stages. All frozen; stages never mutate them."""

from __future__ import annotations

import csv
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd


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
class SourceInfo:
    """Facts about the file the table came from.

    ``rows_read`` counts the data rows in the file; ``rows_dropped`` those removed because of
    missing values (``data.missing: drop``); ``notes`` are the tolerated oddities, in words.
    """

    path: Path
    sha256: str
    rows_read: int
    columns: tuple[str, ...]
    notes: tuple[str, ...] = ()
    rows_dropped: int = 0
    lines: RowLines = field(default_factory=RowLines, compare=False, repr=False)


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
        density: The map's grid (counts, x edges, y edges) of the first two features, or None.
        views: The (name, SQL) of the views that check the registered source, in order, so a
            later step (the assignments sidecar) can open the engine again on the same customers.
        percentiles: Per numeric describe column, ``(value, percentile)`` of each quartile and
            median the profiles publish: where the value sits among all customers (0 to 100,
            ties counting half), for the ranges charts. Set by the analysis.
        segment_map: The segment map's axes, ranges and counts, or None when no map is drawn
            (fewer than two features). Set by the analysis.
    """

    n_customers: int
    histograms: tuple[tuple[str, np.ndarray, np.ndarray], ...]
    categories: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    density: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    views: tuple[tuple[str, str], ...] = field(compare=False)
    percentiles: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = ()
    segment_map: MapGrid | None = None


@dataclass(frozen=True)
class CustomerTable:
    """The validated table: one row per customer, sorted by ID so row order never matters.

    ``frame`` holds the ID column, the feature columns (float64) and the describe columns
    (float64 or pandas ``category``), nothing else. With an engine (``whole`` set) the table
    stays in the engine and ``frame`` is the bounded sample the driver works on.
    """

    frame: pd.DataFrame
    source: SourceInfo
    id_column: str
    features: tuple[str, ...]
    describe: tuple[str, ...]
    whole: WholeTable | None = None

    @property
    def n_customers(self) -> int:
        """Number of customers (rows of the table, not of an engine's sample)."""
        return self.whole.n_customers if self.whole is not None else len(self.frame)

    def feature_matrix(self) -> np.ndarray:
        """The feature columns as a float64 array (rows x features)."""
        return self.frame.loc[:, list(self.features)].to_numpy(dtype=np.float64)


@dataclass(frozen=True)
class KScore:
    """Fit quality of one candidate k."""

    k: int
    inertia: float
    silhouette: float
    calinski_harabasz: float
    davies_bouldin: float


Agreement = Literal["fixed", "all", "two", "none"]


@dataclass(frozen=True)
class KChoice:
    """The chosen k and which signal pointed where.

    ``agreement`` is ``fixed`` (set in the config), ``all`` or ``two`` (signals agreeing on k)
    or ``none`` (the silhouette maximum wins); the words are in ``partials/k_reason.j2``.
    """

    k: int
    auto: bool
    signals: tuple[tuple[str, int], ...]
    agreement: Agreement


@dataclass(frozen=True)
class Scaler:
    """The scaling as plain numbers, so other systems can score customers without sklearn.

    A customer's scaled features are ``(log1p(x) if log1p else x - center) / scale``.
    """

    log1p: bool
    center: tuple[float, ...]
    scale: tuple[float, ...]


@dataclass(frozen=True)
class Segmentation:
    """The fitted segmentation, in segment order (segment 1 first), with no live estimator.

    ``labels[i]`` is the 0-based segment index of row ``i`` of the table's frame. ``centroids``
    are the K-Means centres in original units (what ``model.json`` scores with; under log scaling
    not the segments' means); ``levels`` come from the segments' means (``analysis/levels.py``).
    """

    labels: np.ndarray
    centroids: np.ndarray
    scaled_centroids: np.ndarray
    scaler: Scaler
    levels: tuple[tuple[str, ...], ...]
    scores: tuple[KScore, ...]
    choice: KChoice
    search_rows: int
    silhouette_rows: int

    @property
    def k(self) -> int:
        """The number of segments."""
        return int(self.centroids.shape[0])

    @property
    def k_at_bound(self) -> str | None:
        """``k_min`` or ``k_max`` when an automatic k landed on that end of the searched range.

        Then a better k may lie outside the range: the site and the CLI warn.
        """
        if not self.choice.auto or len(self.scores) < 2:
            return None
        searched = [s.k for s in self.scores]
        if self.k == min(searched):
            return "k_min"
        return "k_max" if self.k == max(searched) else None


@dataclass(frozen=True)
class Rule:
    """A rule of thumb that recognises a segment from the original features."""

    conditions: tuple[tuple[str, str, float], ...]
    recall: float
    precision: float
    accuracy: float


@dataclass(frozen=True)
class NumericStats:
    """Mean, median and quartiles of a numeric column within a group.

    ``count`` is how many of the group's customers have a value (a describe column may have
    gaps, which never remove a customer from the segmentation).
    """

    mean: float
    median: float
    q1: float
    q3: float
    count: int = 0


@dataclass(frozen=True)
class SegmentProfile:
    """Everything the site says about one segment.

    ``mean`` and ``median`` are the arithmetic mean and the median of the segment's customers on
    each feature, in the column's own units; ``index`` is 100 times the mean over everyone's.
    """

    number: int
    slug: str
    name: str
    size: int
    share: float
    mean: tuple[tuple[str, float], ...]
    median: tuple[tuple[str, float], ...]
    index: tuple[tuple[str, float], ...]
    levels: tuple[tuple[str, str], ...]
    distinctive: tuple[str, ...]
    numeric: tuple[tuple[str, NumericStats], ...]
    categorical: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    rule: Rule
    actions: tuple[str, ...]
    description: str | None = None


@dataclass(frozen=True)
class Insight:
    """One population fact; the template turns its ``kind`` and numbers into a sentence."""

    kind: Literal["balance", "spread", "rate", "relation"]
    column: str
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Population:
    """Population-level statistics the pages and insights use.

    ``rates`` are the 0/1 columns (published as rates, "19% vs 9% of all"); ``years`` the
    whole-number columns between 1800 and 2100 (published as years: ``1969``, not ``1,968.7``);
    ``coverage`` how many customers have a value in each describe column.
    """

    n_customers: int
    mean: tuple[tuple[str, float], ...]
    numeric: tuple[tuple[str, NumericStats], ...]
    categorical: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    insights: tuple[Insight, ...]
    rates: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    coverage: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Analysis:
    """The result of the analysis stages, ready for charts and pages."""

    table: CustomerTable
    segmentation: Segmentation
    profiles: tuple[SegmentProfile, ...]
    population: Population
    labels: tuple[tuple[str, str], ...]

    def label(self, column: str) -> str:
        """The display label of a column (features have short labels; others keep their name)."""
        return dict(self.labels).get(column, column)


@dataclass(frozen=True)
class ChartSpec:
    """One Vega-Lite chart, stored as JSON, with the words the page shows around it.

    ``facts`` are numbers computed with the chart that its caption states (for the map: how many
    customers lie outside the axes, whether the density grid is empty); the template words them.
    """

    name: str
    title: str
    description: str
    spec: dict[str, Any]
    data_csv: str
    facts: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class RenderedPage:
    """A file to write under the output folder, relative path and bytes."""

    path: str
    content: bytes
