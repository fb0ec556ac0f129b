"""Columns that hold personal data: names, e-mail addresses, phone numbers, addresses, IPs.

``init`` never chooses them (a segment's share of Smiths helps no decision, and every profiled
value is published); a build that is configured to profile one warns, and the privacy rules
apply to it as to any column. A column is personal data by its name (``Surname``, ``e-mail``,
``Phone``, ``Street``, ``Postal Code``, ``IP``) or by its values (most present values read as
e-mail addresses, phone numbers, IP addresses, street addresses or UK postcodes).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import pandas as pd

log = logging.getLogger(__name__)

# Who a name belongs to: "Customer Name" is a person's, "Product Name" is not.
PERSON = (
    *("", "customer", "client", "contact", "full", "first", "last", "given", "family", "middle"),
    *("sur", "maiden", "user", "member", "buyer", "person", "patient", "employee", "owner"),
    *("holder", "accountholder", "cardholder", "recipient", "billing", "shipping", "fore"),
)
# Folded names (lower case, letters and digits only) and the kind of personal data they hold.
BY_NAME = (
    (
        "names",
        re.compile(r"^(" + "|".join(PERSON) + r")names?$|^(vor|nach)name$|^(pre)?nom(bre)?$"),
    ),
    ("e-mail addresses", re.compile(r"e?mail(address)?\d?$")),
    (
        "phone numbers",
        re.compile(r"(tele)?phone(number|no)?\d?$|^(mobile|cell|cellphone|tel|fax|msisdn)(no)?$"),
    ),
    (
        "street addresses",
        re.compile(
            r"^(street|streetaddress|address|addr|addressline\d?)$"
            r"|(billing|shipping|home|mailing|postal|customer|street)address(line\d?)?$"
        ),
    ),
    ("postal codes", re.compile(r"^(zip|zipcode|postal|postalcode|postcode|plz)$|(zip|post)code$")),
    ("IP addresses", re.compile(r"^ip(address|addr|v4|v6)?$|ipaddress$")),
)
BY_VALUE = (
    ("e-mail addresses", r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"),
    ("IP addresses", r"^\d{1,3}(\.\d{1,3}){3}$|^([0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}$|::"),
    # With a separator or a plus: bare digits are as likely an ID or an amount.
    (
        "phone numbers",
        r"^(?=.*[\s().+-])(\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}$",
    ),
    (
        "street addresses",
        r"^\d+[A-Za-z]?,?\s+\S.*\s(st|street|rd|road|ave|avenue|lane|ln|dr|drive|blvd|way|"
        r"ct|court|pl|place|strasse|straße|rue)\b",
    ),
    ("postal codes", r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}$"),
)
# Two or three capitalised words, most of them different: people's names ("Claire Gute").
PEOPLE = r"^[A-Z][a-z'\u2019-]+(?: [A-Z][a-z'\u2019-]+){1,2}$"
MOSTLY_DISTINCT = 0.5
MOST = 0.8  # of the present values, that read as one kind of personal data
SAMPLE = 2_000
FEW_VALUES, FEW_ROWS = 3, 50


def personal_kind(name: str, values: pd.Series | None = None) -> str:
    """The kind of personal data a column holds ("names", "e-mail addresses"...), or ""."""
    folded = re.sub(r"[^a-z0-9]", "", name.casefold())
    text = pd.Series(dtype=str) if values is None else values.astype(str).str.strip()
    text = text[text != ""].head(SAMPLE)
    # Three values or fewer over many rows is a flag (VoiceMail: Yes/No), never an address.
    coded = len(text) >= FEW_ROWS and text.nunique() <= FEW_VALUES
    for kind, pattern in BY_NAME:
        if pattern.search(folded) and not coded:
            return kind
    if values is None:
        return ""
    if text.empty or text.str.fullmatch(r"[+-]?\d+(\.\d*)?").all():
        return ""  # numbers: measures, codes or IDs, never told apart from phones by value
    for kind, values_pattern in BY_VALUE:
        if _share(text, values_pattern, re.IGNORECASE) >= MOST:
            return kind
    distinct = text.nunique() >= MOSTLY_DISTINCT * len(text)
    return "names" if distinct and _share(text, PEOPLE) >= MOST else ""


def _share(text: pd.Series, pattern: str, flags: int = 0) -> float:
    """The share of ``text`` that ``pattern`` finds (its groups made non-capturing)."""
    plain = re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern)
    return float(text.str.contains(plain, regex=True, flags=flags).mean())


def warn_personal(where: str, columns: Iterable[tuple[str, pd.Series | None]]) -> None:
    """Warn about each configured column that holds personal data (it will be published)."""
    for column, values in columns:
        kind = personal_kind(column, values)
        if kind:
            log.warning(
                "%s: column %r looks like personal data (%s); its values are profiled and "
                "published, each shared by at least privacy.min_group_size customers (rarer ones "
                "pooled as Other): remove it from features and describe unless that is meant",
                where,
                column,
                kind,
            )
