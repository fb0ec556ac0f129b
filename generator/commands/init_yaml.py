"""The starter config's text: every setting ``init`` chose, each with its reason as a comment."""

from __future__ import annotations

import json
import re
import textwrap

from generator.commands.init_model import Starter

# RFM starter playbook (labels from config.sources.RFM_LABELS): the classic groups.
RFM_PLAYBOOK = (
    (
        "champions: bought recently, often, and spent the most",
        {"Recency": "Low", "Frequency": "High", "Spend": "High"},
        ["Reward them: early access, loyalty perks; ask for reviews and referrals."],
    ),
    (
        "loyal: buy often",
        {"Frequency": "High"},
        ["Upsell higher-value products and invite them to the loyalty programme."],
    ),
    (
        "at risk: spent a lot, but not lately",
        {"Recency": "High", "Spend": "High"},
        ["Win them back before they are lost: a personal message and a time-limited offer."],
    ),
    (
        "lost: not lately and rarely",
        {"Recency": "High", "Frequency": "Low"},
        ["A low-cost reactivation campaign; otherwise stop spending on them."],
    ),
    (
        "promising: bought recently and more than once",
        {"Recency": "Low", "Frequency": "Medium"},
        ["Nudge them to the next purchase with recommendations from what they bought."],
    ),
    (
        "need attention: cooling off",
        {"Recency": "Medium"},
        ["Re-engage them before they lapse: a reminder with a time-limited offer."],
    ),
    (
        "new: bought recently, not yet often",
        {"Recency": "Low", "Frequency": "Low"},
        ["Onboard them: a welcome series and an incentive for the second purchase."],
    ),
)
FALLBACK = "Study this segment further before targeting it."


# Money that adds up over customers, and words that make a column a score, rate or average.
MONEY = re.compile(r"monetary|revenue|spend|sales|amount|mnt|paid|purchases|total", re.I)
PER_CUSTOMER = re.compile(r"score|rate|ratio|index|average|avg|mean|\bper\b|%|1-100", re.I)


def starter_yaml(starter: Starter, data_path: str, title: str) -> str:
    """The starter config's text, every choice explained in a comment."""
    lines = [
        f"# Starter config written by `segments init` from {_comment(data_path)} "
        f"({starter.n_rows:,} rows).",
        "# Every setting is documented in README.md; check the choices, then run",
        "# `segments build` (or `segments analyze --config THIS_FILE`).",
        f"title: {_q(title)}",
        *_data_lines(starter, data_path),
        *_column_lines(starter),
        "k: auto  # or an integer",
        "k_min: 2",
        "k_max: 10",
        "random_state: 42",
        *(f"# {line}" for line in textwrap.wrap(starter.scaling_reason, 96)),
        f"scaling: {starter.scaling}  # standard | robust | log",
        *_value_lines(starter),
        "privacy:",
        "  individual_points: false  # keep false for real customers",
        "  min_group_size: 10",
        *_playbook_lines(starter),
    ]
    return "\n".join(lines) + "\n"


def _data_lines(starter: Starter, data_path: str) -> list[str]:
    layout = starter.layout
    lines = ["data:", f"  path: {_q(data_path)}  # relative to this file"]
    if starter.id_column and starter.log is None:
        lines.append(f"  id_column: {_q(starter.id_column)}  # {_comment(starter.id_reason)}")
    elif starter.log is None:
        lines += [f"  # {line}" for line in textwrap.wrap(starter.id_reason, 94)]
        lines.append("  number_rows: true")
    if layout.delimiter != ",":
        lines.append(f"  delimiter: {_q(layout.delimiter)}")
    if not layout.header:
        lines += ["  header: false  # line 1 holds data", f"  columns: {_list(layout.names)}"]
    if starter.missing:
        lines += [f"  missing: drop  # {_comment(starter.missing)}"]
    if starter.since:
        lines.append("  since:  # counted to the day after the latest date (or data.as_of)")
        lines += [f"    {_q(column)}: {unit}" for column, unit in starter.since]
    return lines + _log_lines(starter)


def _log_lines(starter: Starter) -> list[str]:
    if starter.log is None:
        return []
    log = starter.log
    lines = [f"  # {line}" for line in textwrap.wrap(starter.id_reason, 94)]
    lines += ["  transactions:", f"    customer: {_q(log.customer)}", f"    date: {_q(log.date)}"]
    amount = "  # times quantity" if log.quantity else ""
    lines.append(f"    amount: {_q(log.amount)}{amount}")
    optional = (("order", log.order), ("quantity", log.quantity))
    lines += [f"    {key}: {_q(value)}" for key, value in optional if value]
    if not log.order:
        lines.append("    # no order column: frequency counts the days with a purchase")
    return lines


def _column_lines(starter: Starter) -> list[str]:
    """The features, describe and left-out columns, each with its reason; value maps."""
    labels = dict(starter.labels)
    lines = ["features:  # numeric columns the segments are built on"]
    for column, why in starter.features:
        lines.append(f"  - column: {_q(column)}  # {_comment(why)}")
        if column in labels:
            lines.append(f"    label: {_q(labels[column])}")
    heading = "describe:  # profiled per segment, not clustered"
    lines.append(heading if starter.describe else "describe: []")
    lines += [f"  - {_q(column)}  # {_comment(why)}" for column, why in starter.describe]
    if starter.skipped:
        lines.append("# Left out:")
        lines += [f"#   {_comment(column)}: {_comment(why)}" for column, why in starter.skipped]
    if starter.codes:
        lines.append("columns:  # whole-number codes read as categories: rename the values")
        for column, mapping in starter.codes:
            values = ", ".join(f"{_q(code)}: {_q(name)}" for code, name in mapping)
            lines.append(f"  {_q(column)}: {{values: {{{values}}}}}")
    return lines


def _value_lines(starter: Starter) -> list[str]:
    if starter.value is None:
        return ["# value: no column reads like the customer's value; name one to rank segments"]
    feature, better, why = starter.value
    label = dict(starter.labels).get(feature, feature)
    lines = [f"# {why}; {better} is better"]
    if starter.log is not None:
        lines.append("# (recency counts days since the last purchase: lower is better)")
    lines += [
        "value:",
        f"  feature: {_q(label if starter.labels else feature)}",
        f"  better: {better}",
    ]
    if additive(feature):
        lines.append("  additive: true  # it sums over customers: pages show each segment's share")
    return lines


def additive(column: str) -> bool:
    """Whether a value column reads like money that sums over customers (not a score or a rate)."""
    return bool(MONEY.search(column)) and not PER_CUSTOMER.search(column)


def _playbook_lines(starter: Starter) -> list[str]:
    lines = ["playbook:  # rules {when: {feature label: Low|Medium|High}, actions: [...]}"]
    for why, when, actions in _rules(starter):
        lines.append(f"  # {why}")
        lines.append(f"  - when: {json.dumps(when, ensure_ascii=False)}")
        lines += ["    actions:", *(f"      - {_q(action)}" for action in actions)]
    return lines


def _rules(starter: Starter) -> list[tuple[str, dict[str, str], list[str]]]:
    fallback: tuple[str, dict[str, str], list[str]] = ("anything else", {}, [FALLBACK])
    if starter.log is not None:
        return [*((w, dict(c), list(a)) for w, c, a in RFM_PLAYBOOK), fallback]
    if starter.value is None:
        return [fallback]
    feature, better, _ = starter.value
    label = dict(starter.labels).get(feature, feature)
    best, worst = ("High", "Low") if better == "higher" else ("Low", "High")
    return [
        (
            f"the most valuable: {better} {label}",
            {label: best},
            [
                "Keep them: loyalty rewards, early access and personal service.",
            ],
        ),
        (
            f"the least valuable: {label} {worst.lower()}",
            {label: worst},
            [
                "Grow them with entry offers and bundles; keep the cost of serving them low.",
            ],
        ),
        (
            f"in between: {label} medium",
            {label: "Medium"},
            [
                "Move them up: cross-sell what the most valuable customers buy.",
            ],
        ),
        fallback,
    ]


def _list(names: tuple[str, ...]) -> str:
    return "[" + ", ".join(_q(name) for name in names) + "]"


def _comment(text: str) -> str:
    """Text safe inside a YAML comment (on one line)."""
    return " ".join(str(text).split())


def _q(value: str) -> str:
    """A YAML scalar that is always read back as this exact string (JSON is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)
