"""Rules of thumb when the table stays in an engine: learned on the sample, scored on every row.

The depth-2 tree learns on the driver's sample (as ``personas.rules_of_thumb`` learns on at most
``RULE_ROWS`` rows); every leaf of every segment's tree is then counted on every row, in the
profile's pass that also sums each segment's columns, and the leaf with the best F1 becomes
the segment's rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.analysis.personas import RULE_ROWS, _leaf_paths, _merge
from generator.engine.dialect import lit
from generator.engine.session import Engine
from generator.model import CustomerTable, Rule

Path = list[tuple[int, str, float]]


def leaf_paths(table: CustomerTable, labels: np.ndarray, k: int, seed: int) -> list[list[Path]]:
    """For each segment, the leaves of a depth-2 tree learned on the sample (``labels``)."""
    from sklearn.tree import DecisionTreeClassifier  # not imported by a cached rebuild

    x = table.feature_matrix()
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(x), RULE_ROWS, replace=False)) if len(x) > RULE_ROWS else None
    train_x, train_y = (x, labels) if rows is None else (x[rows], labels[rows])
    return [
        _leaf_paths(
            DecisionTreeClassifier(max_depth=2, random_state=seed).fit(train_x, train_y == i),
            train_x,
        )
        for i in range(k)
    ]


def leaf_counts(engine: Engine, features: tuple[str, ...], paths: list[list[Path]]) -> list[str]:
    """Aggregates ``l<tree>_<leaf>``: the customers in each leaf of each tree.

    Grouped by segment (in the profile's pass over every row, ``engine_profile._means``) they
    give every leaf's customers and members. A tree's leaves partition the rows (checked
    customers have no NaN or NULL), so each leaf is counted on its own condition, and the
    last leaf is not counted at all: it holds the segment's customers the others do not.
    """
    return [
        f"sum(CASE WHEN {_matched(features, path, engine)} THEN 1 ELSE 0 END) AS l{t}_{j}"
        for t, leaves in enumerate(paths)
        for j, path in enumerate(leaves[:-1])
    ]


def rules_from(
    table: CustomerTable, paths: list[list[Path]], rows: list[dict[str, Any]]
) -> list[Rule]:
    """Each segment's rule from the per-segment rows of ``leaf_counts`` (``segment``, ``n``)."""
    found: dict[str, int] = {"n": 0}
    for row in rows:
        segment, size = int(row["segment"]), int(row["n"])
        found["n"] += size
        for t, leaves in enumerate(paths):
            counts = [int(row[f"l{t}_{j}"] or 0) for j in range(len(leaves) - 1)]
            for j, count in enumerate([*counts, size - sum(counts)]):
                found[f"m{t}_{j}"] = found.get(f"m{t}_{j}", 0) + count
                if segment == t:
                    found[f"h{t}_{j}"] = count
        found[f"s{segment}"] = size
    return [_best(table, paths[i], found, i) for i in range(len(paths))]


def _matched(features: tuple[str, ...], path: Path, engine: Engine) -> str:
    d = engine.dialect
    parts = [f"{d.quote(features[c])} {op} {lit(t)}" for c, op, t in path]
    return " AND ".join(parts) if parts else "TRUE"


def _best(table: CustomerTable, leaves: list[Path], counts: dict[str, int], i: int) -> Rule:
    """The leaf with the best F1 for segment ``i`` (the first on ties, as ``personas._rule``)."""
    member, n = counts.get(f"s{i}", 0), counts["n"]
    best: tuple[float, int] | None = None
    for j in range(len(leaves)):
        f1 = 2 * counts.get(f"h{i}_{j}", 0) / max(counts.get(f"m{i}_{j}", 0) + member, 1)
        if best is None or f1 > best[0]:
            best = (f1, j)
    assert best is not None
    j = best[1]
    hits, matched = counts.get(f"h{i}_{j}", 0), counts.get(f"m{i}_{j}", 0)
    return Rule(
        conditions=tuple((table.features[c], op, t) for c, op, t in _merge(leaves[j])),
        recall=hits / max(member, 1),
        precision=hits / max(matched, 1),
        accuracy=(n - matched - member + 2 * hits) / n,
    )
