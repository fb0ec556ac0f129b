"""A segment's actions: from its outcomes and its money first, then the playbook's rule.

The playbook matches levels only, so on its own it tells a segment that loses money to "keep
them with loyalty rewards" and a segment that leaves at twice everyone's rate to "cross-sell".
Two facts come first:

- a segment whose average on the value column, or on a profit-like column, is below 0 loses
  money: it gets the loss actions *instead of* the playbook's (never a reward);
- a segment whose outcome rate is above everyone's, with the 95% interval leaving everyone's
  rate out and both of its groups at least ``privacy.min_group_size``, gets the outcome's
  action first (retention for churn-like outcomes, targeting for response-like ones); one
  clearly *below* everyone's rate of a churn-like outcome is the one to learn from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from generator.config.settings import Config
from generator.model import OutcomeRate

PROFIT = re.compile(r"profit|margin|net[ _]?(income|revenue|value)|earnings|\bclv\b|\bltv\b", re.I)
LOSS = (
    "Find out why they lose money (discounts, returns, cost to serve) before spending more on "
    "them.",
    "Serve them only on terms that pay: fewer discounts, cheaper channels, minimum order values.",
)
# Outcome kinds by name, each with the action a segment above everyone's rate gets first.
OUTCOME_ACTIONS = (
    (
        re.compile(r"churn|exit|attrit|cancel|lapse|unsubscrib|defect|closed", re.I),
        "Retain them first: more of them leave ({name}) than other customers; find out why, and "
        "reach them with a save offer before they go.",
    ),
    (
        re.compile(r"complain", re.I),
        "Fix what goes wrong for them first: more of them complain ({name}) than other customers.",
    ),
    (
        re.compile(r"default|delinquen|arrear|fraud", re.I),
        "Manage the risk first: more of them default ({name}) than other customers; review their "
        "limits and terms.",
    ),
    (
        re.compile(r"respon|convert|accept|subscri|purchas|upgrade|renew", re.I),
        "Target them first: more of them respond ({name}) than other customers.",
    ),
)
OTHER_OUTCOME = "Look into {name} first: it is more common among them than among other customers."
# A segment clearly *below* everyone's rate of a churn-like outcome (the first kind above).
KEPT = (
    "Learn from them: fewer of them leave ({name}) than other customers; find what keeps them "
    "and offer it to customers like them."
)


def segment_actions(
    config: Config,
    playbook: tuple[str, ...],
    means: Mapping[str, float],
    rates: tuple[Mapping[str, OutcomeRate], Mapping[str, OutcomeRate]],
) -> tuple[str, ...]:
    """The segment's actions (see the module doc).

    Args:
        config: The value column, the outcomes and the privacy minimum.
        playbook: The actions of the playbook rule the segment's levels match.
        means: The segment's averages of the features and numeric describe columns.
        rates: The segment's outcome rates, and everyone's.
    """
    if loses_money(config, means):
        return LOSS
    first = []
    for outcome in config.outcomes:
        rate, everyone = rates[0].get(outcome.column), rates[1].get(outcome.column)
        if _clear(rate, everyone, config, above=True):
            first.append(_outcome_action(outcome.column, outcome.shown))
        elif _clear(rate, everyone, config, above=False) and _leaving(
            outcome.column, outcome.shown
        ):
            first.append(KEPT.format(name=_name(outcome.column, outcome.shown)))
    return (*first, *(a for a in playbook if a not in first))


def loses_money(config: Config, means: Mapping[str, float]) -> bool:
    """Whether the segment's average value, or a profit-like average, is below 0."""
    money = [c for c in means if c == config.value.feature or PROFIT.search(c)]
    return any(means[c] < 0 for c in money)


def _clear(
    rate: OutcomeRate | None, everyone: OutcomeRate | None, config: Config, above: bool
) -> bool:
    """Whether the rate is clearly above (or below) everyone's, about no small group."""
    if rate is None or everyone is None or not rate.count:
        return False
    minimum = 1 if config.privacy.individual_points else config.privacy.min_group_size
    large = min(rate.positives, rate.count - rate.positives) >= minimum
    return large and (rate.low > everyone.rate if above else rate.high < everyone.rate)


def _leaving(column: str, positive: str) -> bool:
    words = OUTCOME_ACTIONS[0][0]
    return bool(words.search(column) or words.search(positive))


def _name(column: str, positive: str) -> str:
    plain = positive.strip().lower() in {"yes", "y", "true", "t", "1"}
    return column if plain else f"{column}: {positive}"


def _outcome_action(column: str, positive: str) -> str:
    name = _name(column, positive)
    for words, action in OUTCOME_ACTIONS:
        if words.search(column) or words.search(positive):
            return action.format(name=name)
    return OTHER_OUTCOME.format(name=name)
