"""The analysis stage's values: the segmentation, each segment's profile, the population."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from generator.model.frozen import FrozenMap
from generator.model.table import CustomerTable


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
    signals: FrozenMap[str, int]
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
class OutcomeRate:
    """How many of a group's customers have an outcome (``Churn: Yes``), with a 95% interval.

    ``count`` is how many of the group have a value in the outcome column; ``rate`` is
    ``positives / count`` and ``low``..``high`` its Wilson score interval (NaN when ``count``
    is 0).
    """

    positives: int
    count: int
    rate: float
    low: float
    high: float


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
    mean: FrozenMap[str, float]
    median: FrozenMap[str, float]
    index: FrozenMap[str, float]
    levels: FrozenMap[str, str]
    distinctive: tuple[str, ...]
    numeric: FrozenMap[str, NumericStats]
    categorical: FrozenMap[str, FrozenMap[str, float]]
    rule: Rule
    actions: tuple[str, ...]
    description: str | None = None
    outcomes: FrozenMap[str, OutcomeRate] = field(default_factory=FrozenMap)


@dataclass(frozen=True)
class Insight:
    """One population fact; the template turns its ``kind`` and numbers into a sentence."""

    kind: Literal["balance", "spread", "rate", "relation"]
    column: str
    values: FrozenMap[str, Any]


@dataclass(frozen=True)
class Population:
    """Population-level statistics the pages and insights use.

    ``rates`` are the 0/1 columns (published as rates, "19% vs 9% of all"); ``years`` the
    whole-number columns between 1800 and 2100 (published as years: ``1969``, not ``1,968.7``);
    ``coverage`` how many customers have a value in each describe column; ``outcomes`` each
    outcome column's rate over everyone. ``described`` is None, or (when privacy hides a
    segment) how many customers the published segments have: the means, rates and category
    shares are then theirs (``report/disclosure.py``).
    """

    n_customers: int
    mean: FrozenMap[str, float]
    numeric: FrozenMap[str, NumericStats]
    categorical: FrozenMap[str, FrozenMap[str, float]]
    insights: tuple[Insight, ...]
    rates: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    coverage: FrozenMap[str, int] = field(default_factory=FrozenMap)
    outcomes: FrozenMap[str, OutcomeRate] = field(default_factory=FrozenMap)
    described: int | None = None


@dataclass(frozen=True)
class Analysis:
    """The result of the analysis stages, ready for charts and pages."""

    table: CustomerTable
    segmentation: Segmentation
    profiles: tuple[SegmentProfile, ...]
    population: Population
    labels: FrozenMap[str, str]

    def label(self, column: str) -> str:
        """The display label of a column (features have short labels; others keep their name)."""
        return self.labels.get(column, column)
