"""The typed values that flow between pipeline stages. All frozen; stages never mutate them.

One module per stage that makes them: ``table`` (the validated customers), ``analysis`` (the
segmentation and the profiles) and ``report`` (chart specs, rendered files); ``frozen`` holds
the read-only mapping they use instead of tuples of pairs. Import them from here.
May import: nothing of the generator (every stage imports it).
"""

from generator.model.analysis import (
    Agreement,
    Analysis,
    Insight,
    KChoice,
    KScore,
    NumericStats,
    OutcomeRate,
    Population,
    Rule,
    Scaler,
    Segmentation,
    SegmentProfile,
)
from generator.model.frozen import FrozenMap, by_name
from generator.model.report import ChartSpec, RenderedPage
from generator.model.table import (
    CustomerTable,
    LeftOut,
    MapGrid,
    RowLines,
    SourceInfo,
    WholeTable,
)

__all__ = [
    "Agreement",
    "Analysis",
    "ChartSpec",
    "CustomerTable",
    "FrozenMap",
    "Insight",
    "KChoice",
    "KScore",
    "LeftOut",
    "MapGrid",
    "NumericStats",
    "OutcomeRate",
    "Population",
    "RenderedPage",
    "RowLines",
    "Rule",
    "Scaler",
    "SegmentProfile",
    "Segmentation",
    "SourceInfo",
    "WholeTable",
    "by_name",
]
