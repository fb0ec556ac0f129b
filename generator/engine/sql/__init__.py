"""Every query the engines run, built in one place from a few dialect words.

Relations are named by the callers (the customer view, or a sub-select); columns are quoted
with the dialect. Numbers go in as double literals (``dialect.lit``), so the engines compute in
IEEE doubles like numpy does. ``rows`` holds the per-row expressions and the fit's passes,
``counts`` the counting queries; callers use them as ``sql.<name>``.
"""

from generator.engine.sql.counts import (
    between,
    bin_index,
    counts,
    grouped_counts,
    level_counts,
    map_cells,
    not_binary,
    not_whole,
    rank_class,
    rank_rows,
    wanted_ranks,
)
from generator.engine.sql.rows import (
    MASK32,
    MIX,
    NEAREST,
    ORIGINAL_SCALE,
    SAMPLE_HASH,
    SCALED_SCALE,
    exact_sum,
    group_means,
    labelled,
    layered,
    lloyd_step,
    nearest,
    sample,
    sample_key,
    sample_words,
    scaled,
)

__all__ = [
    "MASK32",
    "MIX",
    "NEAREST",
    "ORIGINAL_SCALE",
    "SAMPLE_HASH",
    "SCALED_SCALE",
    "between",
    "bin_index",
    "counts",
    "exact_sum",
    "group_means",
    "grouped_counts",
    "labelled",
    "layered",
    "level_counts",
    "lloyd_step",
    "map_cells",
    "nearest",
    "not_binary",
    "not_whole",
    "rank_class",
    "rank_rows",
    "sample",
    "sample_key",
    "sample_words",
    "scaled",
    "wanted_ranks",
]
