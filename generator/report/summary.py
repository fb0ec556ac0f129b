"""The machine-readable summary (``segments analyze --json`` and ``downloads/segments.json``)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from generator.model import Analysis, KChoice, NumericStats
from generator.report.text import render

DIGITS = 6


def summary(analysis: Analysis) -> dict[str, Any]:
    """The documented summary of an analysis; keys and numbers only, no prose but ``k_reason``.

    Each segment's ``means`` and ``medians`` are over its customers, in the columns' own units;
    the K-Means centres (which differ from the means under ``scaling: log``) are in
    ``model.json``, where scoring new customers needs them.
    """
    seg = analysis.segmentation
    return {
        "k": seg.k,
        "k_reason": k_reason(seg.choice),
        "k_signals": dict(seg.choice.signals),
        "k_at_bound": seg.k_at_bound,
        "n_customers": analysis.table.n_customers,
        "features": list(analysis.table.features),
        "scores": [
            {
                "k": s.k,
                "inertia": _round(s.inertia),
                "silhouette": _round(s.silhouette),
                "calinski_harabasz": _round(s.calinski_harabasz),
                "davies_bouldin": _round(s.davies_bouldin),
            }
            for s in seg.scores
        ],
        "segments": [
            {
                "number": p.number,
                "slug": p.slug,
                "name": p.name,
                "size": p.size,
                "share": _round(p.share),
                "means": _columns(p.mean, p.numeric, "mean"),
                "medians": _columns(p.median, p.numeric, "median"),
                "levels": dict(p.levels),
                "actions": list(p.actions),
                "outcomes": {
                    c: _outcome(r.rate, analysis.population.outcomes[c].rate, r.low, r.high)
                    for c, r in p.outcomes.items()
                },
            }
            for p in analysis.profiles
        ],
    }


def _columns(
    features: Mapping[str, float], describe: Mapping[str, NumericStats], stat: str
) -> dict[str, float | None]:
    """Column to value for every feature and numeric describe column (segment's customers)."""
    values = {c: _round(v) for c, v in features.items()}
    values.update({c: _round(getattr(s, stat)) for c, s in describe.items()})
    return values


def _outcome(rate: float, overall: float, low: float, high: float) -> dict[str, float | None]:
    """A segment's outcome: its rate, everyone's, the lift and the rate's 95% interval."""
    lift = rate / overall if overall else math.nan
    return {
        "rate": _round(rate),
        "overall": _round(overall),
        "lift": _round(lift),
        "low": _round(low),
        "high": _round(high),
    }


def k_reason(choice: KChoice) -> str:
    """Why the analysis has k segments, in one plain sentence (from ``partials/k_reason.j2``)."""
    return render("partials/k_reason.txt.j2", "txt", choice=choice).strip()


def to_json(data: Any, compact: bool = False) -> str:
    """Stable JSON: sorted keys, two-space indent (or none when ``compact``), a final newline."""
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, **layout) + "\n"


def _round(value: float) -> float | None:
    """Round so that last-bit floating noise never shows up as a diff."""
    if not math.isfinite(value):
        return None
    return float(f"{value:.{DIGITS}g}")
