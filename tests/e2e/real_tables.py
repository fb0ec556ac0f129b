"""Seeded tables shaped like the public ones analysts bring to `segments new` (issue 20).

Each maker returns a frame (or the lines of a text file) with the quirks of its real model: a
superstore order log with a unique row ID and customer names, the CDNOW log as published
(headerless, whitespace-separated, yyyymmdd whole-number dates), an online-retail invoice log
whose anonymous lines carry the customer ID "(blank)", and a bank churn table with row numbers,
surnames and e-mail addresses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FIRST = ("Claire", "Darrin", "Sean", "Brosina", "Andrew", "Irene", "Harold", "Pete", "Alejandro")
LAST = ("Gute", "Van Huff", "O'Donnell", "Hoffman", "Allen", "Maddox", "Pawlan", "Kriz", "Grove")
SURNAMES = tuple(
    f"{a}{b}"
    for a in ("Har", "Mor", "Chel", "Lind", "Bart", "Kenn")
    for b in ("grave", "ton", "wick")
)


def superstore(lines: int = 6_000, customers: int = 600, seed: int = 3) -> pd.DataFrame:
    """An order log: Row ID unique, Order ID per order, Sales the line total, Quantity beside it."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 3, customers)
    weight = np.array([1.0, 3.0, 8.0])[kind]
    orders = lines // 2
    owner = rng.choice(customers, size=orders, p=weight / weight.sum())
    # Every customer orders at least once; the rest of the orders follow the weights.
    owner[:customers] = np.arange(customers)
    recent = np.array([1_200, 600, 200])[kind][owner]
    order_day = np.datetime64("2017-12-30") - (recent * rng.uniform(0, 1, orders)).astype(int)
    line_order = np.sort(rng.integers(0, orders, lines))
    line_order[:orders] = np.arange(orders)
    line_order.sort()
    who = owner[line_order]
    quantity = rng.integers(1, 10, lines)
    price = np.array([15.0, 40.0, 90.0])[kind][who] * rng.lognormal(0, 0.6, lines)
    discount = rng.choice([0.0, 0.0, 0.2, 0.5], lines)
    sales = (quantity * price * (1 - discount)).round(4)
    names = [f"{FIRST[c % 9]} {LAST[(c // 9) % 9]}" for c in range(customers)]
    day = pd.Series(order_day[line_order])
    return pd.DataFrame(
        {
            "Row ID": np.arange(1, lines + 1),
            "Order ID": [
                f"CA-{d.year}-{100_000 + o}" for d, o in zip(day, line_order, strict=True)
            ],
            "Order Date": [f"{d.month}/{d.day}/{d.year}" for d in day],
            "Ship Mode": rng.choice(["Standard Class", "Second Class", "First Class"], lines),
            "Customer ID": [
                f"{names[c][0]}{names[c].split()[-1][0]}-{10_000 + c * 7}" for c in who
            ],
            "Customer Name": [names[c] for c in who],
            "Segment": rng.choice(["Consumer", "Corporate", "Home Office"], lines),
            "City": rng.choice(["Henderson", "Los Angeles", "Fort Lauderdale", "Concord"], lines),
            "Postal Code": rng.choice([42420, 90036, 33311, 28027, 98103], lines),
            "Category": rng.choice(["Furniture", "Office Supplies", "Technology"], lines),
            "Sales": sales,
            "Quantity": quantity,
            "Discount": discount,
            "Profit": (sales * rng.normal(0.1, 0.3, lines)).round(4),
        }
    )


def superstore_truth(log: pd.DataFrame) -> pd.DataFrame:
    """Recency, frequency and spend per customer, computed with pandas (Sales is the total)."""
    day = pd.to_datetime(log["Order Date"], format="%m/%d/%Y")
    end = day.max() + pd.Timedelta(days=1)
    grouped = log.assign(day=day).groupby("Customer ID")
    return pd.DataFrame(
        {
            "recency": (end - grouped["day"].max()).dt.days.astype(float),
            "frequency": grouped["Order ID"].nunique().astype(float),
            "monetary": grouped["Sales"].sum(),
        }
    )


def cdnow(customers: int = 3_000, seed: int = 4) -> pd.DataFrame:
    """CDNOW's master file: customer, yyyymmdd date, CDs bought, the line's dollar total.

    Most customers buy once or twice in the first quarter; a few keep buying for 18 months.
    """
    rng = np.random.default_rng(seed)
    visits = 1 + rng.geometric(0.35, customers) - 1 + (rng.uniform(size=customers) < 0.1) * 8
    who = np.repeat(np.arange(1, customers + 1), visits)
    first = np.repeat(rng.integers(0, 90, customers), visits)
    later = (rng.uniform(size=len(who)) * 540).astype(int)
    offset = np.where(np.r_[True, who[1:] != who[:-1]], first, np.maximum(first, later))
    day = pd.Series(np.datetime64("1997-01-01") + offset)
    quantity = rng.integers(1, 6, len(who))
    amount = (quantity * rng.normal(15.0, 3.0, len(who)).clip(5)).round(2)
    amount[rng.uniform(size=len(who)) < 0.002] = 0.0
    log = pd.DataFrame(
        {
            "customer": who,
            "date": day.dt.strftime("%Y%m%d").astype(int),
            "quantity": quantity,
            "amount": amount,
        }
    )
    return log.sort_values(["customer", "date"], kind="stable", ignore_index=True)


def cdnow_text(log: pd.DataFrame) -> str:
    """The file as published: right-aligned columns, zero-padded IDs, no header."""
    rows = log.itertuples(index=False)
    return "".join(f" {c:05d}{d:>10}{q:>3}{a:>8.2f}\n" for c, d, q, a in rows)


def cdnow_truth(log: pd.DataFrame) -> pd.DataFrame:
    """Per customer: days since the last purchase, purchase days and the sum of the amounts."""
    day = pd.to_datetime(log["date"].astype(str), format="%Y%m%d")
    end = day.max() + pd.Timedelta(days=1)
    grouped = log.assign(day=day).groupby("customer")
    return pd.DataFrame(
        {
            "recency": (end - grouped["day"].max()).dt.days.astype(float),
            "frequency": grouped["day"].nunique().astype(float),
            "monetary": grouped["amount"].sum(),
        }
    )


def online_retail(lines: int = 12_000, customers: int = 800, seed: int = 5) -> pd.DataFrame:
    """An invoice log: Quantity and UnitPrice (no line total); anonymous lines say "(blank)"."""
    rng = np.random.default_rng(seed)
    invoices = lines // 6
    kind = rng.integers(0, 3, customers)
    weight = np.array([1.0, 2.0, 6.0])[kind]
    owner = rng.choice(customers, size=invoices, p=weight / weight.sum()).astype(object)
    owner[:customers] = np.arange(customers)
    anonymous = rng.uniform(size=invoices) < 0.18
    anonymous[:customers] = False
    day = np.datetime64("2011-12-09") - rng.integers(0, 370, invoices)
    line_invoice = np.sort(rng.integers(0, invoices, lines))
    line_invoice[:invoices] = np.arange(invoices)
    line_invoice.sort()
    who = np.array([f"{12_346 + int(c)}" for c in owner], dtype=object)
    who[anonymous] = "(blank)"
    stamp = pd.Series(day[line_invoice]) + pd.to_timedelta(rng.integers(8, 18, lines), unit="h")
    return pd.DataFrame(
        {
            "InvoiceNo": [f"{536_365 + i}" for i in line_invoice],
            "StockCode": rng.choice(["85123A", "71053", "84406B", "22752", "21730"], lines),
            "Description": [
                f"WHITE HANGING HEART T-LIGHT HOLDER NO {n}" for n in rng.integers(0, 900, lines)
            ],
            "Quantity": rng.integers(1, 25, lines),
            "InvoiceDate": [f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}" for t in stamp],
            "UnitPrice": (
                np.array([1.5, 3.0, 6.0])[kind[np.where(anonymous, 0, owner).astype(int)]][
                    line_invoice
                ]
                * rng.lognormal(0, 0.4, lines)
            ).round(2),
            "CustomerID": who[line_invoice],
            "Country": rng.choice(["United Kingdom", "France", "Germany", "EIRE"], lines),
        }
    )


def online_retail_truth(log: pd.DataFrame) -> pd.DataFrame:
    """Per known customer: distinct invoices and the sum of quantity times unit price."""
    known = log[log["CustomerID"] != "(blank)"]
    grouped = known.assign(line=known["Quantity"] * known["UnitPrice"]).groupby("CustomerID")
    return pd.DataFrame(
        {
            "frequency": grouped["InvoiceNo"].nunique().astype(float),
            "monetary": grouped["line"].sum(),
        }
    )


def bank_churn(rows: int = 3_000, seed: int = 6) -> pd.DataFrame:
    """A churn table: row numbers, customer IDs, surnames and e-mails beside the real measures."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 3, rows)
    surname = rng.choice(SURNAMES, rows)
    return pd.DataFrame(
        {
            "RowNumber": np.arange(1, rows + 1),
            "CustomerId": rng.permutation(15_565_701 + np.arange(rows) * 3),
            "Surname": surname,
            "Email": [
                f"{s.lower()}.{n}@example.com" for s, n in zip(surname, range(rows), strict=True)
            ],
            "CreditScore": rng.normal(650, 90, rows).round().clip(350, 850).astype(int),
            "Geography": rng.choice(["France", "Spain", "Germany"], rows, p=[0.5, 0.25, 0.25]),
            "Gender": rng.choice(["Female", "Male"], rows),
            "Age": rng.integers(18, 80, rows),
            "Tenure": rng.integers(0, 11, rows),
            "Balance": np.where(kind == 0, 0.0, rng.normal(120_000, 30_000, rows)).round(2),
            "NumOfProducts": rng.integers(1, 5, rows),
            "HasCrCard": rng.integers(0, 2, rows),
            "IsActiveMember": rng.integers(0, 2, rows),
            "EstimatedSalary": rng.uniform(1_000, 200_000, rows).round(2),
            "Exited": (rng.uniform(size=rows) < 0.2).astype(int),
        }
    )
