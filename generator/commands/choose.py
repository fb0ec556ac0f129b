"""How ``init`` judges the columns of a customer table, one rule per function.

Every choice comes with its reason in words, which ``init`` writes into the config as a comment.
Columns are read as text (as the build reads them) and judged on their values and names:

- behaviour and value columns (spend, orders, visits, recency) are preferred as features over
  capacity (income) and demographics (age, children), which are profiled instead when enough
  behaviour columns exist: segments built on behaviour say what to do;
- personal data (names, e-mail addresses, phone numbers, street addresses, postal codes, IP
  addresses; ``table.personal``) is never chosen, nor are row numbers, identifiers or free text;
- integer columns with a few distinct values are codes or small counts: categories, with a
  suggested value map;
- year-like columns become years since (an age for a birth year) when the table has a date to
  count to, else are left out; date columns (also 8-digit yyyymmdd numbers) become days since
  (tenure);
- of two candidate features correlated above ``CORRELATED``, the first keeps its place;
- a numeric column with a few gaps (at most ``FEW_GAPS`` of the rows) stays a candidate, and
  ``data.missing: drop`` is suggested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from generator.table.convert import NUMBER
from generator.table.dates import FORMATS
from generator.table.personal import personal_kind

MAX_CATEGORIES = 20
FEW_VALUES = 10
FEW_GAPS = 0.05
CORRELATED = 0.9
YEARS = (1900, 2100)  # of a plausible date written as a yyyymmdd number
ID_WORD = re.compile(r"(^|[\s_.-])(id|key|code|number|num|no|nr)$", re.IGNORECASE)
ID_CAMEL = re.compile(r"[a-z](Id|ID)$")
# Tiers of preference for features, lowest first (matched against the folded name).
TIERS = (
    (
        0,
        "behaviour or value",
        r"spend|spent|purchas|order|visit|mnt|sales|revenue|amount|"
        r"recen|frequen|monetary|basket|transaction|session|login|usage|call|deal|web|store|"
        r"catalog|paid|payment|profit|clv|ltv|value|total",
    ),
    (
        3,
        "demographic",
        r"(^|[^a-z])age([^a-z]|$)|birth|kid|teen|child|household|family|"
        r"gender|marital|educat|dependent",
    ),
    (1, "spending capacity", r"income|salary|wealth|balance|credit|limit"),
)
# Strong words first: a total spend says more about value than one product's amount.
VALUE_WORDS = (
    re.compile(r"spend|spent|sales|revenue|monetary|value|paid|profit|clv|ltv|total", re.I),
    re.compile(r"mnt|amount|purchas|order", re.IGNORECASE),
)
LOWER_BETTER = re.compile(r"recen|days since|since last|churn|complain", re.IGNORECASE)
# Names of outcomes: what happened to a customer, measured per segment as a rate, never
# clustered on (segments built on churn would only restate it).
OUTCOME_WORDS = re.compile(
    r"churn|exited|attrit|respon[sd]|complain|cancel|default|convert|lapsed|unsubscrib",
    re.IGNORECASE,
)
YES = {"yes", "y", "true", "t", "1"}


@dataclass(frozen=True)
class Column:
    """What ``init`` found in one column: its role and why."""

    name: str
    role: str  # candidate | describe | category | date | year | skip | personal
    why: str
    tier: int = 2
    gaps: int = 0


def looks_like_id(name: str) -> bool:
    """Whether a column name reads like an identifier: ``id``, ``customer_id``, ``CustomerID``."""
    name = name.strip()
    return bool(ID_WORD.search(name) or ID_CAMEL.search(name))


def judge(name: str, values: pd.Series) -> Column:
    """The role of one non-ID column (see the module doc)."""
    present = values[values != ""]
    gaps = len(values) - len(present)
    distinct = present.nunique()
    if len(present) == 0 or distinct < 2:
        return Column(name, "skip", "the same value on every row (or empty)")
    kind = personal_kind(name, present)
    if kind:
        return Column(name, "personal", kind)
    numeric = bool(present.str.fullmatch(NUMBER).all())
    if not numeric:
        return _text_role(name, present, gaps, distinct)
    if is_yyyymmdd(present):
        return Column(name, "date", "dates written as yyyymmdd numbers", gaps=gaps)
    if gaps > FEW_GAPS * len(values):
        return Column(name, "skip", f"{gaps:,} empty cells ({gaps / len(values):.0%} of rows)")
    numbers = pd.to_numeric(present)
    whole = bool((numbers == numbers.round()).all())
    if whole and numbers.between(1900, 2100).all() and _yearish(name):
        return Column(name, "year", "a year, not a measure", gaps=gaps)
    if whole and is_row_number(numbers) and not gaps:
        low, high = int(numbers.min()), int(numbers.max())
        return Column(name, "skip", f"row numbers ({low:,} to {high:,}), not a measure")
    if looks_like_id(name) and distinct > MAX_CATEGORIES:
        return Column(name, "skip", f"an identifier ({distinct:,} values), not a measure")
    if looks_like_id(name):
        return Column(name, "describe", "numeric, but its name reads like a code", gaps=gaps)
    if whole and distinct <= 2:
        return Column(name, "describe", "a 0/1 flag: profiled as a share", gaps=gaps)
    if whole and distinct <= FEW_VALUES:
        return Column(name, "category", f"whole numbers with {distinct} values", gaps=gaps)
    tier, kind = _tier(name)
    return Column(name, "candidate", kind, tier, gaps)


def outcome(name: str, values: pd.Series) -> tuple[str, str] | None:
    """The value that marks an outcome column's customers, and why; None when not one.

    An outcome has an outcome's name (``OUTCOME_WORDS``) and two values: a yes (``Yes``,
    ``True``, ``1``) or a value that itself names the outcome (``Attrited Customer``).
    """
    if not OUTCOME_WORDS.search(name):
        return None
    present = values[values != ""].str.strip()
    distinct = sorted(present.unique())
    if len(distinct) != 2:
        return None
    yes = [v for v in distinct if v.casefold() in YES or _one(v)]
    named = [v for v in distinct if OUTCOME_WORDS.search(v)]
    positive = yes[0] if len(yes) == 1 else named[0] if len(named) == 1 else None
    if positive is None:
        return None
    share = float((present == positive).mean())
    return positive, f"{share:.0%} of the customers with a value; per segment, never clustered on"


def _one(value: str) -> bool:
    """Whether a value is the number 1 (``1``, ``1.0``)."""
    try:
        return float(value) == 1.0
    except ValueError:
        return False


def _text_role(name: str, present: pd.Series, gaps: int, distinct: int) -> Column:
    if is_date(present):
        return Column(name, "date", "dates", gaps=gaps)
    if gaps:
        return Column(name, "skip", "text with empty cells")
    if distinct <= MAX_CATEGORIES:
        return Column(name, "describe", f"text with {distinct} values")
    if looks_like_id(name):
        return Column(name, "skip", f"an identifier ({distinct:,} values), not a measure")
    return Column(name, "skip", f"free text or codes ({distinct:,} values): too many to profile")


def is_date(present: pd.Series) -> bool:
    """Whether (nearly) every value reads as a date in one of the common formats."""
    import pyarrow.compute as pc

    sample = pa.array(present.head(2000).str.strip().tolist(), pa.string())
    for pattern in FORMATS:
        parsed = pc.strptime(sample, format=pattern, unit="s", error_is_null=True)
        if parsed.null_count <= 0.05 * len(sample):
            return True
    return False


def is_yyyymmdd(present: pd.Series) -> bool:
    """Whether every value is an 8-digit whole number that reads as a date (``19970101``).

    The years must be plausible (``YEARS``): an 8-digit ID such as ``15634602`` is no date.
    """
    import pyarrow.compute as pc

    sample = present.head(2000).str.strip()
    if not sample.str.fullmatch(r"\d{8}").all():
        return False
    parsed = pc.strptime(pa.array(sample.tolist()), format="%Y%m%d", unit="s", error_is_null=True)
    years = pc.year(parsed).to_numpy(zero_copy_only=False)
    return parsed.null_count == 0 and bool(((years >= YEARS[0]) & (years <= YEARS[1])).all())


def is_row_number(numbers: pd.Series) -> bool:
    """Whether whole numbers are the rows numbered: each of a run such as 1..n once."""
    low, high = numbers.min(), numbers.max()
    return bool(high - low + 1 == len(numbers) and numbers.is_unique)


def _yearish(name: str) -> bool:
    return bool(re.search(r"year|birth|born|since|founded|built", name, re.IGNORECASE))


def _tier(name: str) -> tuple[int, str]:
    folded = name.casefold()
    for tier, kind, pattern in TIERS:
        if re.search(pattern, folded):
            return tier, f"numeric, {kind}"
    return 2, "numeric"


def pick_features(
    columns: list[Column], numbers: pd.DataFrame, limit: int
) -> tuple[list[Column], list[tuple[str, str]]]:
    """Candidates by tier (then file order), skipping one of each pair correlated > 0.9.

    Lower tiers are added only while fewer than two features are chosen.

    Returns:
        The chosen columns (in file order), and (column, reason) for the ones profiled instead.
    """
    ranked = sorted((c for c in columns if c.role == "candidate"), key=lambda c: c.tier)
    totals = sums_of_others(numbers[[c.name for c in ranked]])
    others = [(name, f"the sum of {parts}: its parts say more") for name, parts in totals]
    ranked = [c for c in ranked if c.name not in dict(totals)]
    chosen: list[Column] = []
    corr = numbers.corr().abs().to_numpy() if len(ranked) > 1 else None
    at = {name: n for n, name in enumerate(numbers.columns)}

    def r(a: str, b: str) -> float:
        return 0.0 if corr is None else float(corr[at[a], at[b]])

    for column in ranked:
        twin = next((c for c in chosen if r(column.name, c.name) > CORRELATED), None)
        if twin is not None:
            others.append(
                (
                    column.name,
                    f"correlated {r(column.name, twin.name):.2f} with {twin.name!r}: one is enough",
                )
            )
        elif len(chosen) >= limit or (len(chosen) >= 2 and column.tier > chosen[-1].tier):
            others.append((column.name, f"{column.why}; profiled, not clustered"))
        else:
            chosen.append(column)
    order = list(numbers.columns)
    return sorted(chosen, key=lambda c: order.index(c.name)), others


def sums_of_others(numbers: pd.DataFrame) -> list[tuple[str, str]]:
    """Columns that equal the sum of two others on (nearly) every row, with those parts."""
    found = []
    names = list(numbers.columns)
    for total in names:
        parts = [n for n in names if n != total]
        for i, first in enumerate(parts):
            for second in parts[i + 1 :]:
                same = np.isclose(numbers[first] + numbers[second], numbers[total])
                if same.mean() > 0.99:
                    found.append((total, f"{first!r} and {second!r}"))
                    break
            if found and found[-1][0] == total:
                break
    return found


def value_feature(features: list[str]) -> tuple[str, str] | None:
    """The feature that reads like the customer's value, and which way is better."""
    for words in VALUE_WORDS:
        for name in features:
            if words.search(name) and not LOWER_BETTER.search(name):
                return name, "higher"
    return None


def value_map(name: str, values: pd.Series) -> dict[str, str]:
    """A suggested value map for integer codes: ``{"1": "Region 1"}``, to rename."""
    codes = sorted(values[values != ""].unique(), key=lambda v: float(v))
    label = re.sub(r"[_.]+", " ", name).strip()
    return {str(code): f"{label} {code}" for code in codes}
