"""``segments new DIR``: a ready project, in the spirit of ``mkdocs new``.

The project holds the table and a starter config from ``init`` in ``data/``, an ``mkdocs.yml``
with the config's title, the GitHub Pages workflow, a ``.gitignore``, ``requirements.txt`` and
a short README, so ``cd DIR && segments build`` works with no edit. The table is inspected
before anything is written, so a table ``init`` cannot use leaves no half-made folder.
"""

from __future__ import annotations

import json
import os
import shutil
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from generator.commands.init import starter_config
from generator.commands.init_model import Starter
from generator.errors import ConfigError
from generator.report.text import html_text, render
from generator.site.write import write_file

# Template (under templates/project/) to the file it becomes in the project.
FILES = {
    "mkdocs.yml.j2": "mkdocs.yml",
    "pages.yml.j2": ".github/workflows/pages.yml",
    "gitignore.j2": ".gitignore",
    "requirements.txt.j2": "requirements.txt",
    "README.md.j2": "README.md",
}
DEMO_ROWS = 600


def new_project(folder: Path, table: Path | None) -> Starter:
    """Create the project in ``folder`` from ``table`` (a seeded demo table when None).

    Raises:
        ConfigError: When ``folder`` exists and is not empty.
        DataError: When the table cannot be read or has nothing to segment on.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError(f"{folder}: already exists and is not empty; choose a new folder")
    if folder.is_symlink() and not folder.exists():  # a link to nowhere: mkdir would fail
        raise ConfigError(
            f"{folder}: is a symbolic link to {os.readlink(folder)}, which does not exist; "
            "choose a new folder"
        )
    config_path = folder / "data" / "segments.yml"
    target = config_path.parent / (table.name if table is not None else "customers.csv")
    if table is None:
        config_path.parent.mkdir(parents=True, exist_ok=True)
        demo_table().to_csv(target, index=False)
        table = target
    # data.path is the copy beside the config: the project builds wherever it is moved or cloned.
    starter, text = starter_config(table, config_path, data_path=target.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    if table.resolve() != target.resolve():
        shutil.copyfile(table, target)
    write_file(config_path, text)
    title = _title(text)
    # MkDocs prints site_name as HTML, unescaped.
    context = {"title": json.dumps(html_text(title), ensure_ascii=False), "plain_title": title}
    context |= {"table": target.name, "version": metadata.version("segments")}
    for template, name in FILES.items():
        write_file(folder / name, render(f"project/{template}", "txt", **context))
    return starter


def _title(config_text: str) -> str:
    """The title ``init`` wrote (its line is ``title: "..."``, JSON-quoted)."""
    line = next(line for line in config_text.splitlines() if line.startswith("title: "))
    return str(json.loads(line.removeprefix("title: ")))


def demo_table(rows: int = DEMO_ROWS, seed: int = 7) -> pd.DataFrame:
    """A seeded demo customer table with four groups, for trying segments without data."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 4, size=rows)
    visits = np.array([2.0, 6.0, 12.0, 4.0])[group] * rng.lognormal(0, 0.25, rows)
    basket = np.array([25.0, 60.0, 40.0, 120.0])[group] * rng.lognormal(0, 0.2, rows)
    recency = np.array([90.0, 20.0, 7.0, 45.0])[group] * rng.lognormal(0, 0.3, rows)
    return pd.DataFrame(
        {
            "customer_id": [f"C{n:05d}" for n in range(1, rows + 1)],
            "visits_per_month": visits.round(1),
            "average_basket": basket.round(2),
            "days_since_last_visit": recency.round(),
            "region": rng.choice(["North", "South", "East", "West"], size=rows),
        }
    )
