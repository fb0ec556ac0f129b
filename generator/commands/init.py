"""``segments init``: inspect a new table and write a starter config that builds without edits.

The table is read as text (as the build reads it); its layout is detected (delimiter, or runs
of whitespace; a header line or none). Then:

- a **transaction log** (a customer column repeated across rows and a date, whatever other
  unique columns it has; see ``commands.logs``) gets ``data.transactions`` and RFM features,
  personas and playbook;
- a **customer table** gets its ID column (unique and filled; an ID-like name wins), or
  ``data.number_rows`` when no column can serve, and features chosen by ``commands.choose``;
- customer IDs that stand for no customer ("(blank)", "guest") get ``data.missing: drop``
  (``commands.init_ids``); personal data is never chosen (``table.personal``);
- **scaling** is ``log`` when a feature is strongly right-skewed (skewness > ``SKEWED``) and none
  is negative, ``robust`` when one is skewed but values can be negative, else ``standard``.

Every choice is written into the config as a comment (``commands.init_yaml``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from generator.commands import choose
from generator.commands.choose import looks_like_id as looks_like_id
from generator.commands.init_model import Layout, Starter
from generator.commands.init_rfm import log_starter
from generator.commands.init_table import table_starter
from generator.commands.init_yaml import starter_yaml
from generator.commands.logs import find_log
from generator.config.settings import Transactions
from generator.errors import DataError
from generator.table.convert import NUMBER
from generator.table.read import check_data_file

MAX_FEATURES = 6
DELIMITERS = (",", ";", "\t", "|")
ACRONYM = 5  # the longest word in capitals kept as written in a title ("CDNOW", not "Cdnow")


def starter_config(
    table_path: Path, out_path: Path, data_path: str | None = None
) -> tuple[Starter, str]:
    """Inspect ``table_path`` and return the starter config to write at ``out_path``.

    ``data_path`` is the config's ``data.path`` (default: ``table_path`` relative to the
    config's folder); ``new`` gives the name of the table's copy beside the config.

    Raises:
        DataError: When the table cannot be read or has nothing to segment on.
    """
    frame, layout = read_text_table(table_path)
    starter = inspect(frame, layout)
    if data_path is None:
        relative = Path(os.path.relpath(table_path.resolve(), out_path.resolve().parent))
        data_path = relative.as_posix()
    return starter, starter_yaml(starter, data_path, readable_title(table_path.stem))


def readable_title(stem: str) -> str:
    """A report title from a file name: ``CC_GENERAL`` is "CC General", not "Cc general".

    Words split at ``_``, ``-``, spaces and lower-to-upper case changes; short words in capitals
    (``CC``, ``RFM``, ``CDNOW``) stay acronyms, every other word is capitalised.
    """
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
    words = [w for w in re.split(r"[\s_\-.]+", spaced) if w]
    shown = [w if w.isupper() and len(w) <= ACRONYM else w.capitalize() for w in words]
    return " ".join(shown) or "Customer segments"


def read_text_table(path: Path) -> tuple[pd.DataFrame, Layout]:
    """Read a table as text cells (like the build does) and how a text file is laid out.

    Raises:
        DataError: When the file is missing, of an unknown type or unreadable.
    """
    check_data_file(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path).astype(str), Layout()
        if suffix == ".xlsx":
            return pd.read_excel(path, dtype=str, keep_default_na=False), Layout()
        layout = _layout(path)
        frame = pd.read_csv(
            path,
            sep=r"\s+" if layout.delimiter == "whitespace" else layout.delimiter,
            header=0 if layout.header else None,
            names=list(layout.names) or None,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
        )
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read: {exc}") from exc
    if frame.empty:
        raise DataError(f"{path}: no customer rows to inspect")
    return frame, layout


def _layout(path: Path) -> Layout:
    """The delimiter (or ``whitespace``) and whether line 1 is a header (no number, no date)."""
    with path.open(encoding="utf-8-sig") as handle:
        first = handle.readline()
    counts = {sep: first.count(sep) for sep in DELIMITERS}
    sep = "\t" if path.suffix.lower() == ".tsv" else max(DELIMITERS, key=lambda s: counts[s])
    if counts[sep] == 0 and len(first.split()) > 1:
        sep = "whitespace"
    fields = first.split() if sep == "whitespace" else first.rstrip("\r\n").split(sep)
    # Column names are words: a number or a date on line 1 means the file starts with data.
    if not any(_number(field) or _dateish(field) for field in fields):
        return Layout(sep)
    names = tuple(f"column_{n}" for n in range(1, len(fields) + 1))
    return Layout(sep, header=False, names=names)


def _number(text: str) -> bool:
    return bool(pd.Series([text.strip()]).str.fullmatch(NUMBER).all())


def _dateish(text: str) -> bool:
    return choose.is_date(pd.Series([text.strip()]))


def inspect(frame: pd.DataFrame, layout: Layout | None = None) -> Starter:
    """Choose the settings for a text table (see the module doc).

    Raises:
        DataError: When no numeric column varies (nothing to segment on).
    """
    layout = layout or Layout()
    text = frame.apply(lambda column: column.astype(str).str.strip())
    log = find_log(text, named=layout.header)
    if log is not None:
        return log_starter(text, log, _named_layout(layout, log))
    return table_starter(text, layout, MAX_FEATURES)


def _named_layout(layout: Layout, log: Transactions) -> Layout:
    """A headerless log's columns get the names of their roles."""
    if layout.header:
        return layout
    roles = {log.customer: "customer", log.date: "date", log.amount: "amount"}
    roles |= {log.order: "order", log.quantity: "quantity"}
    return Layout(layout.delimiter, False, tuple(roles.get(n, n) for n in layout.names))
