"""The truth audit: recompute with pandas what a built ``docs/`` states, and compare.

Truth comes only from the customer table and the assignments sidecar (customer ID to segment
number) that the build wrote, never from the generator's own objects. Every per-segment size,
share, mean, median, quartile and rate stated in ``downloads/segments.json``,
``downloads/segment-profiles.csv``, the summary page and each persona page (sentences and the
Key numbers table) is checked, as are the level and name rules.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from generator.config.settings import readable_label

NUMBER = r"(-?[\d,]+(?:\.\d+)?|\u2013)"
PERCENT = r"(\d+)%"
# The labels of the columns made from a log, as the README states them.
LOG_LABELS = {
    "recency": "Recency",
    "frequency": "Frequency",
    "monetary": "Spend",
    "tenure": "Tenure",
    "average_order_value": "Order Value",
}
ALL = r"(?:all customers|the customers of the described segments)"


@dataclass
class Truth:
    """The segmented customers (with their segment numbers) and what the config says."""

    frame: pd.DataFrame
    config: dict[str, Any]
    features: list[str]
    describe: list[str]
    labels: dict[str, str]
    min_group_size: int

    def segment(self, number: int) -> pd.DataFrame:
        return self.frame[self.frame["segment"] == number]

    def label(self, column: str) -> str:
        return self.labels.get(column, column)

    def numeric(self, column: str) -> bool:
        return pd.api.types.is_numeric_dtype(self.frame[column])

    def is_rate(self, column: str) -> bool:
        values = self.frame[column].dropna()
        return self.numeric(column) and bool(values.isin([0, 1]).all())

    def is_year(self, column: str) -> bool:
        values = self.frame[column].dropna()
        whole = bool((values == values.round()).all())
        return whole and not self.is_rate(column) and values.min() >= 1800 and values.max() <= 2100


def compared(truth: Truth, summary: dict[str, Any]) -> pd.DataFrame:
    """Whom "all customers" figures cover: everyone, or (a segment hidden) the described ones.

    With a segment hidden, averages, rates, shares and indexes compare with the customers of
    the segments published whole (``generator/report/disclosure.py``).
    """
    whole = [
        s["number"]
        for s in summary["segments"]
        if s["size"] is not None and not all(v is None for v in s["means"].values())
    ]
    if len(whole) == len(summary["segments"]):
        return truth.frame
    return truth.frame[truth.frame["segment"].isin(whole)]


def load_truth(folder: Path, config_path: Path) -> Truth:
    """The table as the analyst wrote it, minus rows dropped for missing features, with segments."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    data = config["data"]
    features = [f if isinstance(f, str) else f["column"] for f in config["features"]]
    labels = dict(LOG_LABELS) if "transactions" in data else {}
    named = [f for f in config["features"] if isinstance(f, dict) and "label" in f]
    labels.update({f["column"]: f["label"] for f in named})
    # Describe and outcome columns: as the config names them, or readably (the README's rule).
    since = data.get("since", {})
    for column in (*config.get("describe", []), *config.get("outcomes", {})):
        readable = readable_label(column, units=False)
        if column in since:
            birth = since[column] == "years" and "birth" in column.casefold()
            readable = "Age" if birth else f"{since[column].capitalize()} since {readable}"
        labels[column] = readable
    labels.update(config.get("labels", {}))
    describe = list(config.get("describe", []))
    id_column = data.get("id_column", "")
    categorical = {c for c, rule in config.get("columns", {}).items() if "allowed" in rule}
    if "transactions" in data:
        table = per_customer(config_path.parent / data["path"], data["transactions"])
        id_column = data.get("id_column") or data["transactions"]["customer"]
    else:
        table = pd.read_csv(
            config_path.parent / data["path"], dtype=dict.fromkeys(categorical | {id_column}, str)
        )
        for column in table.columns.drop(id_column):
            if pd.api.types.is_numeric_dtype(table[column]):
                continue
            # A blank cell (" ") is a missing value, as the build reads it; a column of numbers
            # with blanks is read as text by pandas.
            text = table[column].mask(table[column].str.strip() == "")
            numbers = pd.to_numeric(text, errors="coerce")
            exact = numbers.notna().sum() == text.notna().sum()
            table[column] = numbers if exact and column not in categorical else text
    table = table.dropna(subset=[id_column, *features])
    for column, rule in config.get("columns", {}).items():
        if column in table and "values" in rule:
            table[column] = table[column].replace(rule["values"])
    sidecar = pd.read_csv(config_path.parent / "segments.assignments.csv", dtype={id_column: str})
    table[id_column] = table[id_column].astype(str)
    frame = table.merge(sidecar, on=id_column, how="inner", validate="one_to_one")
    assert len(frame) == len(table) == len(sidecar), "the sidecar covers every segmented customer"
    privacy = config.get("privacy", {})
    config["_path"] = config_path.parent / data["path"]
    return Truth(frame, config, features, describe, labels, privacy.get("min_group_size", 10))


def per_customer(path: Path, spec: dict[str, Any]) -> pd.DataFrame:
    """A log's customers as the README defines them, with pandas: at the day after the last
    date, days since the last and the first purchase, distinct purchase days (a return, a
    negative line, is no purchase), the total."""
    log = pd.read_csv(path, dtype={spec["customer"]: str})
    day = pd.to_datetime(log[spec["date"]])
    end = day.max() + pd.Timedelta(days=1)
    monetary = log.groupby(spec["customer"])[spec["amount"]].sum()
    # Returns (negative lines) are no purchases: they net out of the spend only.
    bought = log.assign(day=day)[log[spec["amount"]] >= 0]
    grouped = bought.groupby(spec["customer"])
    frequency = grouped["day"].nunique().astype(float)
    return (
        pd.DataFrame(
            {
                "recency": (end - grouped["day"].max()).dt.days.astype(float),
                "frequency": frequency,
                "monetary": monetary,
                "tenure": (end - grouped["day"].min()).dt.days.astype(float),
                "average_order_value": monetary / frequency,
            }
        )
        .rename_axis(spec["customer"])
        .reset_index()
    )


def md(text: str) -> str:
    """A regex for ``text`` as a Markdown page prints it (Markdown's special characters escaped)."""
    return re.escape(re.sub(r"([\\`*_{}\[\]|#])", r"\\\1", text))


def parse(text: str) -> float | None:
    """A number as the pages print it (``1,234.5``), or None for the en dash of a hidden one."""
    return None if text == "\u2013" else float(text.replace(",", ""))


def close(stated: str, true: float, what: str) -> None:
    """A printed number equals the true one to the precision printed (years: to the unit)."""
    value = parse(stated)
    if value is None:
        return
    decimals = len(stated.split(".")[1]) if "." in stated else 0
    assert abs(value - true) <= 0.5 * 10**-decimals + 1e-9 * abs(true), (
        f"{what}: {stated} != {true}"
    )


def close_pct(stated: str, true: float, what: str) -> None:
    assert abs(int(stated) - 100 * true) <= 0.5 + 1e-9, f"{what}: {stated}% != {100 * true:.3f}%"


def audit(folder: Path, config_path: Path) -> dict[str, int]:
    """Run every check on ``folder/docs``; return how many statements of each kind were checked."""
    truth = load_truth(folder, config_path)
    docs = folder / "docs"
    summary = json.loads((docs / "downloads" / "segments.json").read_text(encoding="utf-8"))
    counts = {"json": check_summary(truth, summary)}
    counts["csv"] = check_profiles_csv(truth, docs)
    counts["levels"] = check_levels(truth, summary)
    counts["names"] = check_names(truth, summary)
    counts["directions"] = check_direction_words(truth, summary)
    counts["summary page"] = check_summary_page(truth, summary, docs)
    everyone = compared(truth, summary)
    counts["persona pages"] = sum(
        check_persona_page(
            truth, seg, (docs / "segments" / f"{seg['slug']}.md").read_text(), everyone
        )
        for seg in summary["segments"]
    )
    counts["categories"] = check_categories(truth, docs)
    counts["index bars"] = check_index_bars(truth, summary, docs)
    counts["trust"] = check_trust_marks(summary, docs)
    counts["data page"] = check_data_page(truth, docs)
    counts["outcomes"] = check_outcomes(truth, summary, docs)
    counts["findings"] = check_findings(truth, summary, docs)
    return counts


FINDING = re.compile(
    r"^- \*\*\[(\d+)\. .*?\]\(segments/(.+?)\.md\)\*\*, (\d+)% of customers: (.+)\.$"
)
PARTS = {
    "outcome": re.compile(
        rf"\*\*(.+?) {PERCENT}\*\* against {PERCENT} of {ALL}, ([\d.]+ times|\d+% of) "
        rf"the overall rate \(95% interval {PERCENT} to {PERCENT}\)"
    ),
    "value": re.compile(rf"holds \*\*{PERCENT} of all (.+?)\*\*"),
    "rate": re.compile(rf"\*\*(.+?) {PERCENT}\*\* of them against {PERCENT} of {ALL}"),
    "mean": re.compile(
        rf"\*\*(.+?) {NUMBER}\*\* on average against {NUMBER} for {ALL} "
        rf"\(([\d.]+ times|\d+% of) theirs\)"
    ),
    "category": re.compile(
        rf"\*\*(.+?) is (.+?)\*\* for {PERCENT} of them against {PERCENT} of {ALL}"
    ),
}


def ratio(stated: str, true: float, what: str) -> None:
    """``1.6 times`` (one decimal) or ``40% of`` (below 1) against the true ratio."""
    if stated.endswith(" times"):
        assert true >= 1 - 1e-9, f"{what}: {stated} for {true}"
        close(stated.removesuffix(" times"), true, what)
    else:
        assert true < 1 + 1e-9, f"{what}: {stated} for {true}"
        close_pct(stated.removesuffix("% of"), true, what)


def check_findings(truth: Truth, summary: dict[str, Any], docs: Path) -> int:
    """Each finding of "What stands out" against pandas: the segment's share, then each
    clause's numbers; an outcome is named only when its interval leaves out everyone's rate."""
    text = (docs / "index.md").read_text(encoding="utf-8")
    if "## What stands out" not in text:
        return 0
    block = text.split("## What stands out", 1)[1].split("\n## ", 1)[0]
    bullets = [line for line in block.splitlines() if line.startswith("- ")]
    assert 1 <= len(bullets) <= 5, "at most five findings"
    by_label = {
        truth.label(c).replace("\\", ""): c
        for c in (*truth.features, *truth.describe, *truth.config.get("outcomes", {}))
    }
    checked = 0
    for bullet in bullets:
        found = FINDING.match(bullet)
        assert found, bullet
        number, slug = int(found.group(1)), found.group(2)
        assert any(s["slug"] == slug and s["number"] == number for s in summary["segments"])
        part = truth.segment(number)
        close_pct(found.group(3), len(part) / len(truth.frame), f"{slug} share")
        for clause in found.group(4).split("; "):
            checked += _check_clause(truth, part, by_label, clause, compared(truth, summary))
    return checked


def _check_clause(
    truth: Truth, part: pd.DataFrame, by_label: dict[str, str], clause: str, everyone: pd.DataFrame
) -> int:
    slug = f"segment {part['segment'].iloc[0]}"
    kind, got = next(((k, p.fullmatch(clause)) for k, p in PARTS.items() if p.fullmatch(clause)))
    assert got, clause
    if kind == "outcome":
        from scipy.stats import binomtest

        column = by_label[got.group(1).split(": ")[0]]
        positive = str(truth.config["outcomes"][column])
        hits = everyone[column].dropna().astype(str).str.strip()
        if truth.numeric(column):
            hits = everyone[column].dropna().map(lambda v: f"{v:g}")
        flags = hits == positive
        mine = flags[everyone.loc[flags.index, "segment"] == part["segment"].iloc[0]]
        ci = binomtest(int(mine.sum()), len(mine)).proportion_ci(method="wilson")
        close_pct(got.group(2), mine.mean(), f"{slug} {column} rate")
        close_pct(got.group(3), flags.mean(), f"{column} overall")
        ratio(got.group(4), mine.mean() / flags.mean(), f"{slug} {column} lift")
        close_pct(got.group(5), ci.low, f"{slug} {column} low")
        close_pct(got.group(6), ci.high, f"{slug} {column} high")
        assert not ci.low <= flags.mean() <= ci.high, f"{slug}: {column} claimed, not supported"
        return 6
    if kind == "value":
        column = by_label[got.group(2).replace("\\", "")]
        close_pct(got.group(1), part[column].sum() / everyone[column].sum(), f"{slug} value")
        return 1
    column = by_label[got.group(1).replace("\\", "")]
    if kind == "rate":
        close_pct(got.group(2), part[column].mean(), f"{slug} {column} rate")
        close_pct(got.group(3), everyone[column].mean(), f"{column} rate of all")
        assert abs(part[column].mean() - everyone[column].mean()) >= 0.095, clause
        return 2
    if kind == "mean":
        mine, all_mean = part[column].mean(), everyone[column].mean()
        close(got.group(2), mine, f"{slug} {column} mean")
        close(got.group(3), all_mean, f"{column} mean of all")
        ratio(got.group(4), mine / all_mean, f"{slug} {column} ratio")
        return 3
    value = got.group(2).replace("\\", "")
    values = part[column].dropna().astype(str)
    all_values = everyone[column].dropna().astype(str)
    share, all_share = (values == value).mean(), (all_values == value).mean()
    if value == "Other":
        return 0  # pooled rare values: the build's pooling is checked on the category pages
    close_pct(got.group(3), share, f"{slug} {column} {value}")
    close_pct(got.group(4), all_share, f"{column} {value} of all")
    assert abs(share - all_share) >= 0.095, clause
    return 2


def check_outcomes(truth: Truth, summary: dict[str, Any], docs: Path) -> int:
    """Each outcome's rate, overall rate, lift and Wilson interval against pandas and scipy,
    in ``segments.json`` and on each persona page; a difference is worded as one only when
    the interval leaves out everyone's rate, and no rate describes a small group."""
    from scipy.stats import binomtest

    checked = 0
    private = not truth.config.get("privacy", {}).get("individual_points", False)
    for column, positive in truth.config.get("outcomes", {}).items():
        known = truth.frame[column].dropna()
        hits = known.astype(str).str.strip() == str(positive)
        if truth.numeric(column):
            hits = known == float(positive)
        segment = truth.frame.loc[hits.index, "segment"]
        # "Everyone's" rate is the described segments' when one is hidden (disclosure.py).
        overall = hits[segment.isin(compared(truth, summary)["segment"].unique())].mean()
        for seg in summary["segments"]:
            stated = seg["outcomes"][column]
            part = hits[segment == seg["number"]]
            if stated["rate"] is None:
                continue
            if private:
                smaller = min(int(part.sum()), int((~part).sum()))
                assert smaller == 0 or smaller >= truth.min_group_size, (seg["slug"], column)
            ci = binomtest(int(part.sum()), len(part)).proportion_ci(method="wilson")
            true = {"rate": part.mean(), "overall": overall, "lift": part.mean() / overall}
            true.update(low=ci.low, high=ci.high)
            for key, value in true.items():
                assert stated[key] == pytest_approx(value), (seg["slug"], column, key)
            page = (docs / "segments" / f"{seg['slug']}.md").read_text(encoding="utf-8")
            found = re.search(
                rf"\*\*{md(truth.label(column))}[^*]*: {PERCENT}\*\* of them against {PERCENT} "
                rf"of {ALL}, (not a clear difference|[\d.]+ times the overall rate|"
                rf"\d+% of the overall rate) "
                rf"\(95% interval {PERCENT} to {PERCENT}\)",
                page,
            )
            assert found, (seg["slug"], column, "persona outcome line")
            close_pct(found.group(1), part.mean(), f"{column} rate")
            close_pct(found.group(2), overall, f"{column} overall")
            close_pct(found.group(4), ci.low, f"{column} low")
            close_pct(found.group(5), ci.high, f"{column} high")
            inside = ci.low <= overall <= ci.high
            assert (found.group(3) == "not a clear difference") == inside, (seg["slug"], column)
            checked += 10
    return checked


def check_index_bars(truth: Truth, summary: dict[str, Any], docs: Path) -> int:
    """Each bar beside a sentence is 100 times the same mean over everyone's."""
    checked = 0
    for seg in summary["segments"]:
        path = docs / "downloads" / "data" / f"index-{seg['slug']}.csv"
        if not path.is_file():  # a segment too small to describe has no charts
            continue
        bars = pd.read_csv(path, keep_default_na=False)
        part = truth.segment(seg["number"])
        for column in (*truth.features, *truth.describe):
            if not truth.numeric(column):
                continue
            row = bars[bars["measure"] == truth.label(column)]
            assert len(row) == 1, (seg["slug"], column)
            everyone = compared(truth, summary)[column].mean()
            true = 100 * part[column].mean() / everyone
            assert abs(float(row["index"].iloc[0]) - true) <= 0.05 + 1e-9, (seg["slug"], column)
            checked += 1
    return checked


def check_trust_marks(summary: dict[str, Any], docs: Path) -> int:
    """The summary marks exactly the segments whose stability is under 0.6 "do not trust"."""
    methodology = (docs / "methodology.md").read_text(encoding="utf-8")
    index = (docs / "index.md").read_text(encoding="utf-8")
    for seg in summary["segments"]:
        slug = re.escape(seg["slug"])
        score = re.search(
            rf"^\| {seg['number']} \| \[.*?\]\(segments/{slug}\.md\) \| ([\d.]+) \|",
            methodology,
            re.M,
        )
        row = re.search(rf"^\| {seg['number']} \| \[.*?\]\(segments/{slug}\.md\) .*$", index, re.M)
        assert score and row, seg["slug"]
        assert ("do not trust" in row.group(0)) == (float(score.group(1)) < 0.6), row.group(0)
    return len(summary["segments"])


def check_data_page(truth: Truth, docs: Path) -> int:
    """The Data page's count of rows left out is the table's rows minus those segmented."""
    text = (docs / "data.md").read_text(encoding="utf-8")
    read = len(pd.read_csv(truth_path(truth)))
    if "transactions" in truth.config["data"]:  # lines of a log, and its customers
        head = f"**{read:,} lines read from <code>"
        assert head in text and f"from {len(truth.frame):,} customers; no line" in text
        return 1
    left_out = read - len(truth.frame)
    assert "a value in every column used" not in text  # the old self-contradiction
    hidden = f"all but fewer than {truth.min_group_size:,} of the {len(truth.frame):,} customers"
    if 0 < left_out < truth.min_group_size:  # a small group: the count itself is not published
        assert f"- Fewer than {truth.min_group_size:,} rows were left out" in text
    elif left_out:
        found = re.search(rf"^- {NUMBER} of the {NUMBER} rows read were left out\.$", text, re.M)
        assert found and parse(found.group(1)) == left_out and parse(found.group(2)) == read
    else:
        assert "- No row was left out." in text
    for column in truth.describe:
        gaps = int(truth.frame[column].isna().sum())
        known = len(truth.frame) - gaps
        if 0 < gaps < truth.min_group_size:
            assert f"is known for {hidden}" in text, column
        elif gaps:
            assert f"is known for {known:,} of the {len(truth.frame):,} customers" in text, column
    return 1 + len(truth.describe)


def check_summary(truth: Truth, summary: dict[str, Any]) -> int:
    n = len(truth.frame)
    checked = 0
    assert summary["n_customers"] == n
    for seg in summary["segments"]:
        part = truth.segment(seg["number"])
        if seg["size"] is not None:
            assert seg["size"] == len(part), seg["name"]
            assert seg["share"] == pytest_approx(len(part) / n), seg["name"]
        numeric = [c for c in (*truth.features, *truth.describe) if truth.numeric(c)]
        assert set(seg["means"]) == set(seg["medians"]) == set(numeric)
        for column in numeric:
            mean, median = seg["means"][column], seg["medians"][column]
            if mean is None:  # hidden: a segment under the privacy minimum
                continue
            assert mean == pytest_approx(part[column].mean()), (seg["name"], column)
            assert median == pytest_approx(part[column].median()), (seg["name"], column)
            checked += 2
    return checked


def pytest_approx(value: float) -> Any:
    import pytest

    # segments.json rounds to 6 significant digits; the CSV prints 6 too.
    return pytest.approx(value, rel=1e-5, abs=1e-9)


def check_profiles_csv(truth: Truth, docs: Path) -> int:
    text = (docs / "downloads" / "segment-profiles.csv").read_text(encoding="utf-8")
    rows = pd.read_csv(io.StringIO(text))
    checked = 0
    for _, row in rows.iterrows():
        part = truth.segment(int(row["number"]))
        for column in (*truth.features, *truth.describe):
            if not truth.numeric(column) or pd.isna(row[f"mean: {column}"]):
                continue
            assert row[f"mean: {column}"] == pytest_approx(part[column].mean())
            assert row[f"median: {column}"] == pytest_approx(part[column].median())
            checked += 2
        for column, positive in truth.config.get("outcomes", {}).items():
            rate = row[f"outcome rate: {column}"]
            values = part[column].dropna()
            hits = values == float(positive) if truth.numeric(column) else values == positive
            if not pd.isna(rate):
                assert rate == pytest_approx(hits.mean()), (row["slug"], column)
                checked += 1
    return checked


def check_levels(truth: Truth, summary: dict[str, Any]) -> int:
    """Each level agrees with the segment's mean (its index) and its median against everyone's.

    The README's rule: High is a mean clearly above everyone's (by half a standard deviation,
    or 20% on a column of positive amounts) with a median not below everyone's; Low the mirror;
    Medium a mean and a median both within that gap (so an index between 80 and 120 on amounts);
    Mixed the rest. A 0/1 column is a rate read by its odds; None is a mostly-zero segment.
    """
    checked = 0
    for seg in summary["segments"]:
        part = truth.segment(seg["number"])
        for column, level in seg["levels"].items():
            values = truth.frame[column]
            if values.nunique() == 2:
                checked += _check_rate_level(values, part[column], level, seg["name"])
                continue
            checked += _check_level(values, part[column], level, (seg["name"], column))
    return checked


def level_gap(centre: float, values: pd.Series) -> float:
    gaps = [0.5 * values.std(ddof=0)]
    if values.min() >= 0 and centre > 0:
        gaps.append(0.2 * centre)
    return min(gaps)


def _check_level(values: pd.Series, part: pd.Series, level: str, what: tuple[str, str]) -> int:
    mean, everyone = part.mean(), values.mean()
    median, middle = part.median(), values.median()
    positive = values.min() >= 0 and everyone > 0
    index = 100 * mean / everyone
    zero_inflated = values.min() == 0 and (values == 0).mean() >= 1 / 3
    mostly_zero = (part == 0).mean() >= 0.5
    if zero_inflated and mostly_zero:
        # A segment of mostly zeros is never Medium or High on such a column.
        assert level == "None", (*what, level)
        return 1
    assert level != "None", what
    clear = level_gap(everyone, values)
    eps = 1e-9 * max(1.0, abs(everyone))
    if level == "High":
        assert mean >= everyone + clear - eps and median >= middle, (*what, index, median, middle)
        assert not positive or index > 100
    elif level == "Low":
        assert mean <= everyone - clear + eps and median <= middle, (*what, index, median, middle)
        assert not positive or index < 100
    elif level == "Medium":
        assert abs(mean - everyone) < clear + eps, (*what, "middling at an index of", index)
        assert abs(median - middle) < level_gap(middle, values) + eps, (*what, median, middle)
        assert not positive or 80 - 1e-6 < index < 120 + 1e-6, (*what, index)
    else:
        assert level == "Mixed", (*what, level)
        high = mean >= everyone + clear and median >= middle
        low = mean <= everyone - clear and median <= middle
        assert not high and not low, (*what, "Mixed, but the mean and median agree")
    return 1


def _check_rate_level(values: pd.Series, part: pd.Series, level: str, what: str) -> int:
    top = values.max()
    rate, everyone = (part == top).mean(), (values == top).mean()
    with np.errstate(divide="ignore"):
        ratio = (rate / (1 - rate)) / (everyone / (1 - everyone))
    want = "High" if ratio >= 2 else "Low" if ratio <= 0.5 else "Medium"
    assert level == want, (what, values.name, level, rate, everyone)
    return 1


def check_direction_words(truth: Truth, summary: dict[str, Any]) -> int:
    """A log's words in names read the segment's own customers: "One-time" when most bought
    once, "Repeat" and "Frequent" when most bought more than once, "Recent" when its recency is
    Low or the lowest of all segments, "Cooling" never for the most recent segment."""
    if "transactions" not in truth.config["data"]:
        return 0
    checked = 0
    means = {s["number"]: truth.segment(s["number"])["recency"].mean() for s in summary["segments"]}
    most_recent = min(means, key=lambda n: means[n])
    for seg in summary["segments"]:
        part = truth.segment(seg["number"])
        words = seg["name"].split(", ")
        once = (part["frequency"] <= 1).mean() if "frequency" in part else None
        for word in words:
            if word == "One-time":
                assert once > 0.5, (seg["name"], once)
            elif word in ("Repeat", "Frequent"):
                assert 1 - once > 0.5, (seg["name"], once)
            elif word == "Recent":
                assert seg["levels"]["recency"] == "Low" or seg["number"] == most_recent
            elif word in ("Cooling", "Lapsed"):
                assert seg["number"] != most_recent, seg["name"]
                assert seg["levels"]["recency"] == ("Medium" if word == "Cooling" else "High")
            else:
                continue
            checked += 1
    return checked


def check_names(truth: Truth, summary: dict[str, Any]) -> int:
    """Unique, no "(2)", each named level true, no column that gives every segment one level."""
    segments = summary["segments"]
    names = [s["name"] for s in segments]
    assert len(set(names)) == len(names), names
    assert not any(re.search(r"\(\d+\)", name) for name in names), names
    flat = {c for c in truth.features if len({s["levels"][c] for s in segments}) == 1}
    varied = len(flat) < len(truth.features)
    for seg in segments:
        named = [c for c in truth.features if f" {truth.label(c)}" in f" {seg['name']}"]
        # A log's names may be words alone ("One-time, Recent"): check_direction_words.
        assert named or "transactions" in truth.config["data"], seg["name"]
        for column in named:
            level = seg["levels"][column]
            if seg["name"].startswith(f"{level} {truth.label(column)}") or (
                f", {level} {truth.label(column)}" in seg["name"]
            ):
                continue
            # The column appears only as a tie-breaker ("higher Income"): no level is claimed.
            assert re.search(
                rf"(higher|lower|highest|lowest) {re.escape(truth.label(column))}", seg["name"]
            )
        if varied:
            for column in flat:
                assert f"{seg['levels'][column]} {truth.label(column)}" not in seg["name"]
    return len(names)


def check_summary_page(truth: Truth, summary: dict[str, Any], docs: Path) -> int:
    text = (docs / "index.md").read_text(encoding="utf-8")
    n = len(truth.frame)
    checked = 0
    for seg in summary["segments"]:
        row = re.search(
            rf"^\| {seg['number']} \| \[.*?\]\(segments/{re.escape(seg['slug'])}\.md\) \| "
            rf"{NUMBER} \| (?:{PERCENT}|\u2013) \|",
            text,
            re.M,
        )
        assert row, seg["slug"]
        size = len(truth.segment(seg["number"]))
        close(row.group(1), size, f"size of {seg['slug']}")
        if row.group(2):
            close_pct(row.group(2), size / n, f"share of {seg['slug']}")
        checked += 2
    return checked + check_value_headline(truth, summary, text)


def check_value_headline(truth: Truth, summary: dict[str, Any], text: str) -> int:
    value = truth.config.get("value")
    if not value:
        assert "most valuable" not in text
        return 1
    column = next(c for c in truth.features if value["feature"] in (c, truth.label(c)))
    sign = 1 if value.get("better", "higher") == "higher" else -1
    private = not truth.config.get("privacy", {}).get("individual_points", False)
    # A segment too small to describe is never called most valuable.
    ranked = [
        s["number"]
        for s in summary["segments"]
        if not private or len(truth.segment(s["number"])) >= truth.min_group_size
    ]
    means = {n: sign * truth.segment(n)[column].mean() for n in ranked}
    best = max(means, key=lambda k: (means[k], -k))
    slug = next(s["slug"] for s in summary["segments"] if s["number"] == best)
    found = re.search(
        rf"Ranked by (.+?) \((higher|lower) is better\), the most valuable is "
        rf"\[.*?\]\(segments/(.+?)\.md\): (?:{PERCENT}|\u2013) of customers"
        rf"(?: and {PERCENT} of all .+?)?\.",
        text,
    )
    assert found, "the value headline"
    assert found.group(1).replace("\\", "") == truth.label(column) and found.group(3) == slug
    part = truth.segment(best)
    if found.group(4):
        close_pct(found.group(4), len(part) / len(truth.frame), "value segment share")
    if value.get("additive"):
        assert found.group(5), "an additive value states its share of the total"
        total = compared(truth, summary)[column].sum()
        close_pct(found.group(5), part[column].sum() / total, "value share")
    return 3


def check_persona_page(truth: Truth, seg: dict[str, Any], text: str, everyone: pd.DataFrame) -> int:
    part = truth.segment(seg["number"])
    described = len(everyone) < len(truth.frame)
    medians = truth.frame
    checked = 0
    head = re.search(rf"\*\*{NUMBER} customers, (?:{PERCENT}|\u2013) of all\.\*\*", text)
    assert head, seg["slug"]
    close(head.group(1), len(part), "persona size")
    if "its averages, ranges and rule of thumb are not published" in text:
        return 1
    checked += check_rule(truth, seg, text)
    for column in (*truth.features, *truth.describe):
        if not truth.numeric(column):
            continue
        label = md(truth.label(column))
        values, all_values = part[column].dropna(), everyone[column].dropna()
        if truth.is_rate(column):
            found = re.search(
                rf"\*\*{label}\*\*(?: is [a-z ]+)?: {PERCENT} of them against {PERCENT} of {ALL}",
                text,
            )
            assert found, (seg["slug"], column)
            close_pct(found.group(1), values.mean(), f"{column} rate")
            close_pct(found.group(2), all_values.mean(), f"{column} rate of all")
            rows = re.findall(rf"^\| {label}, rate \| {PERCENT} \| {PERCENT} \|$", text, re.M)
            assert rows, (seg["slug"], column, "Key numbers rate")
            close_pct(rows[0][0], values.mean(), f"{column} rate (table)")
            checked += 4
            continue
        found = re.search(
            rf"\*\*{label}\*\*(?: is [a-z ]+)?: {NUMBER} on average against {NUMBER} for {ALL}",
            text,
        )
        assert found, (seg["slug"], column)
        close(found.group(1), values.mean(), f"{seg['slug']} {column} mean")
        close(found.group(2), all_values.mean(), f"{column} mean of all")
        if column in truth.features:
            # A Mixed level's medians are everyone's (rank statistics), whatever is hidden.
            whole = medians[column].dropna()
            checked += check_level_sentence(seg, column, label, values, whole, text)
        table = re.search(rf"^\| {label}, average \| {NUMBER} \| {NUMBER} \|$", text, re.M)
        assert table, (seg["slug"], column, "Key numbers")
        close(table.group(1), values.mean(), f"{seg['slug']} {column} mean (table)")
        other = "\u2013" if described else NUMBER
        median = re.search(rf"^\| {label}, median \| {NUMBER} \| {other} \|$", text, re.M)
        assert median, (seg["slug"], column, "Key numbers median")
        close(median.group(1), values.median(), f"{seg['slug']} {column} median (table)")
        if not described:
            close(median.group(2), medians[column].dropna().median(), f"{column} median (table)")
        checked += 5
        if column in truth.describe:
            checked += check_quartiles(truth, column, values, text, len(part))
    return checked


def check_rule(truth: Truth, seg: dict[str, Any], text: str) -> int:
    """The rule of thumb, applied as printed ("above" is >, "at most" is <=) with pandas,
    catches, picks and classifies the printed shares."""
    found = re.search(
        rf"A customer with \*\*(.+?)\*\* most likely belongs here\. This rule of thumb catches "
        rf"{PERCENT} of the segment's customers, and {PERCENT} of the customers it picks are in "
        rf"the segment; it classifies {PERCENT} of all customers correctly\.",
        text,
    )
    assert found, (seg["slug"], "rule of thumb")
    picked = pd.Series(True, index=truth.frame.index)
    for condition in found.group(1).split(" and "):
        cut = re.fullmatch(rf"(.+) (above|at most) {NUMBER}", condition)
        assert cut, condition
        column = _column_of(truth, cut.group(1))
        values, threshold = truth.frame[column], parse(cut.group(3))
        picked &= values > threshold if cut.group(2) == "above" else values <= threshold
    member = truth.frame["segment"] == seg["number"]
    hits = (picked & member).sum()
    close_pct(found.group(2), hits / member.sum(), f"{seg['slug']} rule catches")
    close_pct(found.group(3), hits / max(picked.sum(), 1), f"{seg['slug']} rule picks")
    close_pct(found.group(4), (picked == member).mean(), f"{seg['slug']} rule classifies")
    return 3


def _column_of(truth: Truth, printed: str) -> str:
    """The feature a rule names, by its label as the page prints it (Markdown escapes)."""
    plain = re.sub(r"\\(.)", r"\1", printed)
    return next(c for c in truth.features if truth.label(c) == plain)


WORDS = {
    "high": "High",
    "low": "Low",
    "middling": "Medium",
    "mixed": "Mixed",
    "mostly none": "None",
}


def check_level_sentence(
    seg: dict[str, Any], column: str, label: str, values: pd.Series, everyone: pd.Series, text: str
) -> int:
    """The word is the segment's level; a Mixed one states both medians, and a reason only
    when the segment's own mean and median show it."""
    line = re.search(rf"^- \*\*{label}\*\* is ([a-z ]+): (.*)\.$", text, re.M)
    assert line, (seg["slug"], column, "level sentence")
    assert WORDS[line.group(1)] == seg["levels"][column], (seg["slug"], column, line.group(0))
    if seg["levels"][column] != "Mixed":
        return 1
    found = re.search(
        rf"but a median of {NUMBER} against {NUMBER}(?: for all customers)?(?:: (.*))?$",
        line.group(2),
    )
    assert found, line.group(0)
    close(found.group(1), values.median(), f"{column} median (mixed)")
    close(found.group(2), everyone.median(), f"{column} median of all (mixed)")
    reason = found.group(3)
    if reason == "a few large values lift its average":
        assert values.median() < everyone.median() and values.mean() > values.median()
    elif reason == "a few small values pull its average down":
        assert values.median() > everyone.median() and values.mean() < values.median()
    else:
        assert reason is None, reason
    return 4


def check_quartiles(truth: Truth, column: str, values: pd.Series, text: str, size: int) -> int:
    label = md(truth.label(column))
    found = re.search(
        rf"\*\*{label}\*\*: .*?half of them are between {NUMBER} and {NUMBER} "
        rf"\(median {NUMBER}\)(; known for {NUMBER} of them)?\.",
        text,
    )
    assert found, column
    q1, median, q3 = values.quantile([0.25, 0.5, 0.75])
    close(found.group(1), q1, f"{column} q1")
    close(found.group(2), q3, f"{column} q3")
    close(found.group(3), median, f"{column} median")
    if len(values) < size:
        assert found.group(5), f"{column}: a gappy column states how many it covers"
        close(found.group(5), len(values), f"{column} coverage")
    else:
        assert not found.group(4)
    return 4


def check_categories(truth: Truth, docs: Path) -> int:
    """Category shares per segment are true; no label of fewer than the minimum is published."""
    checked = 0
    published = "\n".join(
        p.read_text(encoding="utf-8")
        for p in docs.rglob("*")
        if p.is_file() and p.suffix in (".md", ".json", ".csv")
    )
    raw = pd.read_csv(truth_path(truth), dtype=str)
    for column in truth.describe:
        if truth.numeric(column):
            continue
        counts = truth.frame[column].value_counts()
        for value in set(raw[column].dropna()) - set(counts[counts >= truth.min_group_size].index):
            assert not re.search(rf"(?<![\w-]){re.escape(str(value))}(?![\w-])", published), value
            checked += 1
        checked += check_category_sentences(truth, column, counts, docs)
    return checked


def check_category_sentences(truth: Truth, column: str, counts: pd.Series, docs: Path) -> int:
    kept = set(counts[counts >= truth.min_group_size].index)
    pooled = truth.frame[column].where(
        truth.frame[column].isin(kept) | truth.frame[column].isna(), "Other"
    )
    checked = 0
    for page in (docs / "segments").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        number = int(re.search(r"^# (\d+)\. ", text, re.M).group(1))
        line = re.search(rf"^- \*\*{md(truth.label(column))}\*\*: (.*)\.$", text, re.M)
        if line is None:
            continue
        part = pooled[truth.frame["segment"] == number].dropna()
        for value, share in re.findall(r"(?:^|, )([^,(]+) \((\d+)%\)", line.group(1)):
            # "DSL and No together (45%)": a small value pooled with another, never hidden alone
            values = value.removesuffix(" together").split(" and ")
            close_pct(share, part.isin(values).mean(), f"{column}={value} in segment {number}")
            checked += 1
        for value in re.findall(r"(?:^|, )([^,(]+) \(not shown: a small group\)", line.group(1)):
            # A hidden share is said to be a small group: it must be one.
            assert (part == value).sum() < truth.min_group_size, (column, value, number)
            checked += 1
    return checked


def truth_path(truth: Truth) -> Path:
    return truth.config["_path"]
