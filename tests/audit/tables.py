"""Seeded synthetic customer tables shaped like the public tables that broke the report.

Each case is a table, its config and what the audit should know about it. The tables are made
here, never downloaded: a credit-card table with zero-inflated spend (``scaling: log``), a
marketing table with 0/1 flags, rare categories and gaps in describe columns, a wholesale table
with integer-coded columns, a table with one extreme outlier, a telecom table with an outcome
(``Churn``), sixteen Yes/No columns and a blank total for new customers, and a skewed transaction
log (most customers buy once, a few often, returns as negative amounts).

A case whose ``config`` is empty is built as a new user would: ``segments new`` writes its config.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Case:
    """One audited table: its name, the table, the config text and the ID column."""

    name: str
    table: pd.DataFrame
    config: str  # empty: ``segments new`` writes it
    id_column: str


def _zero_inflated(rng: np.random.Generator, n: int, share_zero: float, scale: float) -> np.ndarray:
    values = np.round(rng.lognormal(np.log(scale), 1.2, n), 2)
    return np.where(rng.random(n) < share_zero, 0.0, values)


def credit() -> Case:
    """Half the holders never buy in instalments; spend is heavy-tailed (``scaling: log``)."""
    rng = np.random.default_rng(11)
    n = 1_200
    table = pd.DataFrame(
        {
            "cust_id": [f"C{10000 + i}" for i in range(n)],
            "balance": np.round(rng.lognormal(7, 1.1, n), 2),
            "purchases": _zero_inflated(rng, n, 0.25, 900),
            "instalments": _zero_inflated(rng, n, 0.5, 400),
            "cash_advance": _zero_inflated(rng, n, 0.5, 1500),
            "tenure": rng.choice([6, 8, 10, 11, 12], n, p=[0.05, 0.05, 0.1, 0.1, 0.7]),
        }
    )
    config = """\
title: Card holders
data: {path: table.csv, id_column: cust_id}
features: [balance, purchases, instalments, cash_advance]
describe: [tenure]
scaling: log
k: auto
k_min: 2
k_max: 8
value: {feature: purchases, better: higher, additive: true}
"""
    return Case("credit", table, config, "cust_id")


def marketing() -> Case:
    """0/1 flags (one a feature), rare categories, gaps in describe columns, a dropped row."""
    rng = np.random.default_rng(12)
    n = 900
    income = np.round(rng.normal(52_000, 20_000, n).clip(2_000), 0)
    group = rng.random(n) < 0.3
    web = np.where(group, rng.random(n) < 0.8, rng.random(n) < 0.1).astype(int)
    education = rng.choice(
        ["Graduation", "PhD", "Master", "Basic", "2n Cycle"], n, p=[0.5, 0.25, 0.2, 0.01, 0.04]
    )
    birth = rng.integers(1940, 2000, n).astype(float)
    birth[rng.choice(n, 40, replace=False)] = np.nan
    education = education.astype(object)
    education[rng.choice(n, 25, replace=False)] = None
    table = pd.DataFrame(
        {
            "ID": np.arange(1, n + 1),
            "Income": income,
            "Recency": rng.integers(0, 100, n),
            "MntWines": _zero_inflated(rng, n, 0.1, 300),
            "WebBuyer": web,
            "Response": (rng.random(n) < np.where(group, 0.3, 0.08)).astype(int),
            "Complain": (rng.random(n) < 0.01).astype(int),
            "Teenhome": rng.choice([0, 1, 2], n, p=[0.5, 0.45, 0.05]),
            "Education": education,
            "Year_Birth": birth,
            "Marital": rng.choice(
                ["Married", "Together", "Single", "YOLO"], n, p=[0.45, 0.3, 0.247, 0.003]
            ),
        }
    )
    table.loc[5, "Income"] = np.nan  # dropped (data.missing: drop); its row's labels must not leak
    table.loc[5, "Marital"] = "Absurd"
    config = """\
title: Marketing campaign
data: {path: table.csv, id_column: ID, missing: drop}
features: [Income, Recency, MntWines, WebBuyer]
describe: [Response, Complain, Teenhome, Education, Year_Birth, Marital]
k: auto
k_min: 2
k_max: 6
value: {feature: Recency, better: lower}
"""
    return Case("marketing", table, config, "ID")


def wholesale() -> Case:
    """Integer-coded channel (a feature) and region (a category), log spend, k fixed at 6."""
    rng = np.random.default_rng(13)
    n = 440
    channel = rng.choice([1, 2], n, p=[0.68, 0.32])
    retail = channel == 2
    table = pd.DataFrame(
        {
            "Client": np.arange(n),
            "Channel": channel,
            "Region": rng.choice([1, 2, 3], n, p=[0.18, 0.1, 0.72]),
            "Fresh": np.round(rng.lognormal(8.5, 1.3, n)),
            "Milk": np.round(rng.lognormal(np.where(retail, 9.2, 7.8), 0.9)),
            "Grocery": np.round(rng.lognormal(np.where(retail, 9.6, 8.0), 0.9)),
            "Frozen": np.round(rng.lognormal(7.3, 1.2, n)),
            "Detergents": np.round(rng.lognormal(np.where(retail, 8.5, 5.8), 1.0)),
        }
    )
    config = """\
title: Wholesale clients
data: {path: table.csv, id_column: Client}
features: [Channel, Fresh, Milk, Grocery, Frozen, Detergents]
describe: [Region]
columns:
  Region: {allowed: ['1', '2', '3']}
scaling: log
k: 6
value: {feature: Grocery, better: higher, additive: true}
"""
    return Case("wholesale", table, config, "Client")


def outlier() -> Case:
    """Four clear groups and one customer with an income of 666,666 (density map, default
    privacy)."""
    rng = np.random.default_rng(14)
    centres = [(25, 20), (25, 80), (80, 20), (80, 80)]
    parts = [rng.normal(c, 6, size=(150, 2)) for c in centres]
    values = np.round(np.vstack(parts).clip(1), 1)
    values[17, 0] = 666_666.0
    table = pd.DataFrame(
        {
            "customer": np.arange(100, 100 + len(values)),
            "income": values[:, 0],
            "spending": values[:, 1],
            "age": rng.integers(18, 80, len(values)),
        }
    )
    config = """\
title: Outlier shop
data: {path: table.csv, id_column: customer}
features: [income, spending]
describe: [age]
scaling: robust
k: 4
value: {feature: income}   # the outlier's own segment is highest, and too small to be named
"""
    return Case("outlier", table, config, "customer")


YES_NO = (
    "Partner",
    "Dependents",
    "PhoneService",
    "MultipleLines",
    "OnlineSecurity",
    "OnlineBackup",
    "DeviceProtection",
    "TechSupport",
    "StreamingTV",
    "StreamingMovies",
    "PaperlessBilling",
    "AutoPay",
    "FamilyPlan",
    "International",
    "VoiceMail",
    "DeviceFinanced",
)


def _letters(rng: np.random.Generator) -> str:
    return "".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 5))


def telecom() -> Case:
    """A churn table like IBM's Telco: ``Churn`` Yes/No (one in four overall, one in two among
    new month-to-month fibre customers), sixteen Yes/No columns, ``tenure`` in months,
    ``MonthlyCharges``, ``TotalCharges`` blank (a space) for customers of tenure 0 and
    ``SeniorCitizen`` 0/1. Built with the config ``segments new`` writes."""
    rng = np.random.default_rng(15)
    n = 2_000
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.55, 0.21, 0.24])
    long = contract != "Month-to-month"
    tenure = np.where(long, rng.integers(12, 73, n), rng.integers(0, 40, n))
    loyal = rng.random(n) < 0.1
    tenure[loyal] = rng.integers(50, 73, int(loyal.sum()))
    tenure[rng.choice(n, 12, replace=False)] = 0  # joined this month: no total yet
    internet = rng.choice(["DSL", "Fiber optic", "No"], n, p=[0.34, 0.44, 0.22])
    base = np.select([internet == "Fiber optic", internet == "DSL"], [70.0, 45.0], 20.0)
    monthly = np.round(base + rng.gamma(2.0, 8.0, n), 2).clip(18.25, 118.75)
    total = np.round(monthly * tenure * rng.uniform(0.95, 1.05, n), 2)
    senior = (rng.random(n) < 0.16).astype(int)
    risk = -1.1 + 1.4 * (~long) + 0.8 * (internet == "Fiber optic") - 0.045 * tenure + 0.5 * senior
    churn = np.where(rng.random(n) < 1 / (1 + np.exp(-risk)), "Yes", "No")
    table = pd.DataFrame(
        {
            "customerID": [f"{1000 + i}-{_letters(rng)}" for i in rng.permutation(8_000)[:n]],
            "gender": rng.choice(["Female", "Male"], n),
            "SeniorCitizen": senior,
        }
    )
    shares = rng.uniform(0.2, 0.8, len(YES_NO))
    for column, share in zip(YES_NO, shares, strict=True):
        table[column] = np.where(rng.random(n) < share, "Yes", "No")
    table["tenure"] = tenure
    table["Contract"] = contract
    table["InternetService"] = internet
    table["PaymentMethod"] = rng.choice(
        ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card"],
        n,
        p=[0.34, 0.23, 0.22, 0.21],
    )
    table["MonthlyCharges"] = monthly
    table["TotalCharges"] = np.where(tenure == 0, " ", total.astype(str))
    table["Churn"] = churn
    return Case("telecom", table, "", "customerID")


def skewed_log() -> Case:
    """A purchase log: two customers in three buy once, a few buy often (up to 60 times), one
    date column, and returns as negative amounts (a part of an earlier purchase given back).
    Built with the config ``segments new`` writes."""
    rng = np.random.default_rng(16)
    customers = 1_500
    start = np.datetime64("2023-01-01")
    kind = rng.choice(["once", "few", "often"], customers, p=[0.66, 0.28, 0.06])
    visits = np.select(
        [kind == "once", kind == "few"],
        [1, rng.integers(2, 5, customers)],
        rng.integers(8, 61, customers),
    )
    rows = []
    for customer, (k, count) in enumerate(zip(kind, visits, strict=True)):
        # Frequent buyers are recent; the few-times buyers stopped a while ago.
        first = rng.integers(0, 500) if k != "often" else rng.integers(0, 200)
        last = 545 if k != "few" else min(545, first + rng.integers(30, 250))
        days = np.sort(rng.integers(first, max(first + 1, last), count))
        spend = np.round(rng.lognormal(3.6 if k != "often" else 3.9, 0.8, count), 2)
        for day, amount in zip(days, spend, strict=True):
            rows.append((customer, day, amount))
            if rng.random() < 0.05:  # a return: part of this purchase given back later
                back = min(545, day + rng.integers(1, 30))
                rows.append((customer, back, -np.round(amount * rng.uniform(0.2, 1.0), 2)))
    log = pd.DataFrame(rows, columns=["customer", "day", "amount"])
    log = log.sort_values(["day", "customer"], kind="stable").reset_index(drop=True)
    table = pd.DataFrame(
        {
            "customer_id": [f"CU{100000 + c}" for c in log["customer"]],
            "order_date": (start + log["day"].to_numpy().astype("timedelta64[D]")).astype(str),
            "amount": log["amount"],
        }
    )
    return Case("skewed_log", table, "", "customer_id")


CASES = (credit, marketing, wholesale, outlier, telecom, skewed_log)
