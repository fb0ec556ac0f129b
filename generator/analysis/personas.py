"""Persona names, URL slugs, rules of thumb and playbook actions for the segments."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np

from generator.config.settings import Config
from generator.config.sources import RFM_WORDS
from generator.model import CustomerTable, Rule

if TYPE_CHECKING:  # scikit-learn is imported when a rule is learnt, not by a cached rebuild
    from sklearn.tree import DecisionTreeClassifier

NAME_FEATURES = 2
RULE_ROWS = 50_000
# A rule's threshold is rounded to between this many digits left and right of the point.
PRINTED_DIGITS = 6


def name_segments(
    levels: tuple[tuple[str, ...], ...],
    z: np.ndarray,
    labels: list[str],
    words: list[list[str]] | None = None,
) -> tuple[list[str], list[str], list[list[int]]]:
    """Name each segment by the levels of its most distinctive features.

    ``z`` is each segment's mean minus everyone's, in standard deviations of the column's own
    units: the scale the pages publish. A feature on which every segment has the same level
    says nothing about any of them and is left out of names (unless every feature is so). With
    up to two such features both are named, in config order; with more, the two farthest from
    average are named (a feature where the segment is Mixed last), and a name shared by two
    segments grows by the next most distinctive feature until it is unique. Segments that still
    share a name (more segments than level combinations) are told apart by the feature that
    separates them most ("higher Income").

    ``words`` (per segment and feature, such as ``Recent``; ``direction_words``) replace the
    "level label" pair in names where not empty.

    Returns:
        Names, slugs and, per segment, the indexes of the features used in its name.
    """
    k, n = z.shape
    varied = [j for j in range(n) if len({row[j] for row in levels}) > 1] or list(range(n))
    # A Mixed level (mean and median disagree) names a segment only when nothing else does.
    ranking = [
        sorted(varied, key=lambda j: (levels[i][j] == "Mixed", -abs(z[i, j]), j)) for i in range(k)
    ]
    used = [min(len(varied), NAME_FEATURES)] * k
    names = [""] * k
    for _ in range(len(varied) + 1):
        names = [
            _name(levels[i], labels, words[i] if words else None, sorted(ranking[i][: used[i]]))
            for i in range(k)
        ]
        clashes = {name for name in names if names.count(name) > 1}
        if not clashes:
            break
        grow = len(varied)
        used = [u + 1 if names[i] in clashes and u < grow else u for i, u in enumerate(used)]
    names = _separate(names, z, labels, varied)
    slugs = _unique([slugify(name) or f"segment-{i + 1}" for i, name in enumerate(names)], "-{}")
    return names, slugs, [sorted(int(j) for j in ranking[i][: used[i]]) for i in range(k)]


def _name(
    levels: tuple[str, ...], labels: list[str], words: list[str] | None, features: list[int]
) -> str:
    def named(j: int) -> str:
        word = words[j] if words else ""
        return word or f"{levels[j]} {labels[j]}"

    return ", ".join(named(j) for j in features)


def direction_words(
    config: Config,
    levels: tuple[tuple[str, ...], ...],
    means: np.ndarray,
    once: np.ndarray,
) -> list[list[str]]:
    """The word of each segment (rows) on each feature in names, "" for none.

    A feature's ``words`` map its levels to words. A log's own columns, with their default
    words, read the segment's own distribution: "One-time" when most of its customers bought
    once (at most 1 in ``once``, the share per segment and feature), "Repeat" (or "Frequent"
    when High) only when most bought more than once; recency is "Recent" when Low or when the
    segment is the most recent of all (lowest mean), never "Cooling" then. A Mixed level has no
    word: its mean and median disagree.
    """
    made = config.transactions.made if config.transactions else ()
    out = []
    for i, row in enumerate(levels):
        words = []
        for j, feature in enumerate(config.features):
            word = dict(feature.words).get(row[j], "")
            if feature.column in made and feature.words == RFM_WORDS.get(feature.column):
                word = _log_word(feature.column, row[j], word, means[:, j], once[i, j], i)
            words.append("" if row[j] == "Mixed" else word)
        out.append(words)
    return out


def _log_word(column: str, level: str, word: str, means: np.ndarray, once: float, i: int) -> str:
    if column == "frequency":
        if once > 0.5:
            return "One-time"
        return ("Frequent" if level == "High" else "Repeat") if once < 0.5 else ""
    if column == "recency" and level == "Medium" and i == int(np.nanargmin(means)):
        return "Recent"  # the most recent segment is not cooling, however close to everyone
    return word


def _separate(names: list[str], z: np.ndarray, labels: list[str], varied: list[int]) -> list[str]:
    """Tell apart segments that share a name by the feature whose means differ most among them.

    Two segments become "..., higher X" and "..., lower X"; more become "highest X",
    "2nd highest X" ... "lowest X" (ranked by mean, then segment order).
    """
    out = list(names)
    for name in sorted({n for n in names if names.count(n) > 1}):
        group = [i for i, n in enumerate(names) if n == name]
        j = max(varied, key=lambda c: (float(np.ptp(z[group, c])), -c))
        ranked = sorted(group, key=lambda i: (-z[i, j], i))
        for place, i in enumerate(ranked):
            out[i] = f"{name}, {_rank_word(place, len(ranked))} {labels[j]}"
    return out


def _rank_word(place: int, size: int) -> str:
    if size == 2:
        return "higher" if place == 0 else "lower"
    if place == size - 1:
        return "lowest"
    return "highest" if place == 0 else f"{_ordinal(place + 1)} highest"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _unique(values: list[str], pattern: str) -> list[str]:
    """Number repeats (``x``, ``x-2``) so every value is unique, keeping segment order."""
    seen: dict[str, int] = {}
    out = []
    for value in values:
        seen[value] = seen.get(value, 0) + 1
        out.append(value if seen[value] == 1 else value + pattern.format(seen[value]))
    return out


def slugify(text: str) -> str:
    """An ASCII, lower-case, hyphenated slug: only ``a-z``, ``0-9`` and ``-``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def playbook_actions(config: Config, levels: dict[str, str]) -> tuple[str, ...]:
    """The actions of the most specific playbook rule whose conditions all match ``levels``.

    Conditions name a feature by label or by column; ties go to the rule listed first.
    """
    by_name = {**levels, **{f.label: levels[f.column] for f in config.features}}
    best: tuple[int, tuple[str, ...]] | None = None
    for rule in config.playbook:
        matches = all(by_name.get(key) == level for key, level in rule.when)
        if matches and (best is None or len(rule.when) > best[0]):
            best = (len(rule.when), rule.actions)
    return best[1] if best else ()


def rules_of_thumb(table: CustomerTable, labels: np.ndarray, k: int, seed: int) -> list[Rule]:
    """For each segment, the best leaf of a depth-2 tree that separates it from the rest.

    The tree learns on at most ``RULE_ROWS`` rows; the rule is then scored on every row.
    """
    x = table.feature_matrix()
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(x), RULE_ROWS, replace=False)) if len(x) > RULE_ROWS else None
    train_x, train_y = (x, labels) if rows is None else (x[rows], labels[rows])
    return [_rule(x, labels == i, train_x, train_y == i, table.features, seed) for i in range(k)]


def _rule(
    x: np.ndarray,
    member: np.ndarray,
    train_x: np.ndarray,
    train_y: np.ndarray,
    features: tuple[str, ...],
    seed: int,
) -> Rule:
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier(max_depth=2, random_state=seed).fit(train_x, train_y)
    best: tuple[float, tuple[tuple[str, str, float], ...], np.ndarray] | None = None
    for path in _leaf_paths(tree, train_x):
        matched = np.ones(len(x), dtype=bool)
        for column, op, threshold in path:  # as printed: "above" is >, "at most" is <=
            values = x[:, column]
            matched &= values <= threshold if op == "<=" else values > threshold
        hits = int((matched & member).sum())
        f1 = 2 * hits / max(int(matched.sum()) + int(member.sum()), 1)
        if best is None or f1 > best[0]:
            named = tuple((features[c], op, t) for c, op, t in _merge(path))
            best = (f1, named, matched)
    assert best is not None
    matched = best[2]
    hits = int((matched & member).sum())
    return Rule(
        conditions=best[1],
        recall=hits / max(int(member.sum()), 1),
        precision=hits / max(int(matched.sum()), 1),
        accuracy=float((matched == member).mean()),
    )


def _leaf_paths(tree: DecisionTreeClassifier, x: np.ndarray) -> list[list[tuple[int, str, float]]]:
    """Every root-to-leaf path as (feature index, operator, threshold) conditions.

    Each threshold is the one the pages print (``printed``), so a rule is scored as printed.
    """
    t = tree.tree_
    paths: list[list[tuple[int, str, float]]] = []

    def walk(node: int, path: list[tuple[int, str, float]]) -> None:
        if t.children_left[node] == -1:
            paths.append(path)
            return
        feature = int(t.feature[node])
        threshold = printed(float(t.threshold[node]), x[:, feature])
        walk(int(t.children_left[node]), [*path, (feature, "<=", threshold)])
        walk(int(t.children_right[node]), [*path, (feature, ">", threshold)])

    walk(0, [])
    return paths


def printed(threshold: float, values: np.ndarray) -> float:
    """The roundest number that splits ``values`` (the tree's rows) as ``threshold`` does.

    A tree splits halfway between two neighbouring values (0.458 between 0.417 and 0.5);
    the page prints the threshold, and "above 0.5" would leave out everyone at 0.5. So the
    threshold is rounded (or cut) to the fewest digits (hundreds, tens, units, tenths ...)
    that keep every row on its side, and the page prints exactly that number (``text.exact``).
    """
    below = values[values <= threshold]
    above = values[values > threshold]
    low = float(below.max()) if len(below) else -np.inf
    high = float(above.min()) if len(above) else np.inf
    for digits in range(-PRINTED_DIGITS, PRINTED_DIGITS + 1):
        step = 10.0**-digits
        for rounded in (round(threshold, digits), np.floor(threshold / step) * step):
            rounded = round(float(rounded), max(digits, 0))
            if low <= rounded < high:
                return rounded
    return threshold


def _merge(path: list[tuple[int, str, float]]) -> list[tuple[int, str, float]]:
    """Keep the tightest bound per feature and direction, in feature order."""
    tightest: dict[tuple[int, str], float] = {}
    for feature, op, threshold in path:
        key = (feature, op)
        pick = min if op == "<=" else max
        tightest[key] = pick(tightest.get(key, threshold), threshold)
    return [
        (f, op, t)
        for (f, op), t in sorted(tightest.items(), key=lambda kv: (kv[0][0], kv[0][1] != ">"))
    ]
