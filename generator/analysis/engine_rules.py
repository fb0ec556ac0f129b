"""Rules of thumb when the table stays in an engine: learned on the sample, scored on every row.

The depth-2 tree learns on the driver's sample (as ``personas.rules_of_thumb`` learns on at most
``RULE_ROWS`` rows); every leaf of every segment's tree is then scored on every row in one
aggregate query, and the leaf with the best F1 becomes the segment's rule.
"""

from __future__ import annotations

import numpy as np
from sklearn.tree import DecisionTreeClassifier

from generator.analysis.personas import RULE_ROWS, _leaf_paths, _merge
from generator.engine import sql
from generator.engine.dialect import lit
from generator.engine.session import Engine
from generator.model import CustomerTable, Rule

Path = list[tuple[int, str, float]]


def rules_whole(
    table: CustomerTable, labels: np.ndarray, k: int, seed: int, engine: Engine, labelled: str
) -> list[Rule]:
    """For each segment, the best leaf of a depth-2 tree, scored over ``labelled`` (all rows)."""
    x = table.feature_matrix()
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(x), RULE_ROWS, replace=False)) if len(x) > RULE_ROWS else None
    train_x, train_y = (x, labels) if rows is None else (x[rows], labels[rows])
    paths = [
        _leaf_paths(
            DecisionTreeClassifier(max_depth=2, random_state=seed).fit(train_x, train_y == i)
        )
        for i in range(k)
    ]
    counts = _score(engine, labelled, table.features, paths)
    return [_best(table, paths[i], counts, i) for i in range(k)]


def _matched(features: tuple[str, ...], path: Path, engine: Engine) -> str:
    d = engine.dialect
    parts = [f"{d.quote(features[c])} {op} {lit(t)}" for c, op, t in path]
    return " AND ".join(parts) if parts else "TRUE"


def _score(
    engine: Engine, labelled: str, features: tuple[str, ...], paths: list[list[Path]]
) -> dict[str, int]:
    """Per segment and leaf: customers matched, and matched members; per segment: members.

    Each tree's leaf of every customer is a ``CASE`` (its leaves partition the rows), and one
    scan counts customers per (segment, leaf) of every tree (``GROUPING SETS``).
    """
    keys = []
    for leaves in paths:
        whens = " ".join(
            f"WHEN {_matched(features, path, engine)} THEN {j}" for j, path in enumerate(leaves)
        )
        keys.append(("segment", f"CASE {whens} ELSE -1 END"))
    found: dict[str, int] = {"n": 0}
    for row in engine.fetch(sql.grouped_counts(f"({labelled})", keys, engine.dialect)).to_pylist():
        tree, segment, leaf, count = int(row["s"]), int(row["k0"]), int(row["k1"]), int(row["c"])
        found[f"m{tree}_{leaf}"] = found.get(f"m{tree}_{leaf}", 0) + count
        if segment == tree:
            found[f"h{tree}_{leaf}"] = found.get(f"h{tree}_{leaf}", 0) + count
            found[f"s{tree}"] = found.get(f"s{tree}", 0) + count
        if tree == 0:
            found["n"] += count
    return found


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
