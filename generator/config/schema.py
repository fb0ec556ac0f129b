"""Every setting of ``segments.yml``, declared once: its key, default, check and meaning.

``SETTINGS`` is the single source, and this module holds nothing else: the parser
(``config.settings``) reads the file through it, ``Config``'s defaults come from it, and the
README's settings table is rendered from it (``config.settings.settings_table``;
``tests/config/test_schema.py`` fails when the README disagrees).

A check turns the YAML value (or the ``absent`` value when the key is missing) into the typed
value, reporting problems through ``Context.fail`` and returning the setting's ``default`` then,
so that every problem of a file is found in one pass.
"""

from __future__ import annotations

from typing import Literal, get_args

from generator.config import engine
from generator.config.checks import (
    Setting,
    boolean,
    columns,
    delimiter,
    describe,
    features,
    integer,
    k_choice,
    labels,
    map_axes,
    one_of,
    outcomes,
    personas,
    playbook,
    table_path,
    text,
    value_feature,
)
from generator.config.sources import (
    as_of,
    column_names,
    id_column,
    number_rows,
    since,
    transactions,
)
from generator.config.value import BETTER

Scaling = Literal["standard", "robust", "log"]
Missing = Literal["error", "drop"]
SCALINGS: tuple[str, ...] = get_args(Scaling)
MISSING: tuple[str, ...] = get_args(Missing)


# The order is the order of the README's table and of the problems a file gets.
SETTINGS: tuple[Setting, ...] = (
    Setting("title", "Customer segments", text(), "the report's title"),
    Setting(
        "data.table",
        "",
        engine.table_name,
        "with an engine (`duckdb`, `spark`, `postgres`), a table instead of `data.path`",
        '`""`',
    ),
    Setting(
        "data.sql",
        "",
        engine.query,
        "with an engine (`duckdb`, `spark`, `postgres`), one SELECT whose columns are the table",
        '`""`',
    ),
    Setting(
        "data.path",
        None,
        table_path,
        "the customer table, relative to the config file",
        "required",
        absent="",
    ),
    Setting(
        "data.transactions",
        None,
        transactions,
        "the file is a transaction log: `{customer, date, amount, order, quantity, as_of, "
        "date_format}` (see Transaction logs below)",
        "none",
    ),
    Setting(
        "data.number_rows",
        False,
        number_rows,
        "the table has no ID column: customers are numbered by row (see Tables without an ID)",
    ),
    Setting(
        "data.id_column",
        "",
        id_column,
        "the customer ID column (unique; never published); a log's `customer` column by default",
        "required",
    ),
    Setting(
        "data.delimiter",
        ",",
        delimiter,
        "the CSV field separator, or `whitespace` (runs of spaces or tabs; no quoting)",
    ),
    Setting("data.header", True, boolean, "`false` when line 1 of a text file is data"),
    Setting(
        "data.columns",
        (),
        column_names,
        "with `header: false`, the names of the file's columns in order",
        "`[]`",
        absent=[],
    ),
    Setting(
        "data.since",
        (),
        since,
        "columns of dates (`days`) or years (`years`) turned into the time since them before "
        "`data.as_of`; the columns keep their names",
        "`{}`",
        absent={},
    ),
    Setting(
        "data.as_of",
        None,
        as_of,
        "the day `data.since` counts to",
        "the day after the latest of those dates",
    ),
    Setting(
        "data.missing",
        "error",
        one_of(MISSING),
        "`error` lists every missing cell; `drop` removes the rows that have any (see Missing "
        "values below)",
    ),
    Setting(
        "features",
        (),
        features,
        "1 to 20 numeric columns the segments are built on; each a column name or "
        "`{column, label, words}` (the label names the persona: `Income`; `words` maps Low, "
        "Medium, High to the words names use instead: `{Low: Recent, High: Lapsed}`)",
        "required",
        analysis=True,
    ),
    Setting(
        "describe",
        (),
        describe,
        "columns profiled per segment but not clustered (numbers: average and quartiles; 0/1 "
        "columns: rates; categories: shares); a gap in one never removes a customer",
        "`[]`",
        absent=[],
        analysis=True,
    ),
    Setting(
        "outcomes",
        (),
        outcomes,
        'outcome columns and the value that marks the outcome, e.g. `{Churn: "Yes", Exited: 1}`: '
        "each segment's rate against everyone's, with a 95% interval (see Outcomes below)",
        "`{}`",
        absent={},
    ),
    Setting(
        "labels",
        (),
        labels,
        "how the pages name describe and outcome columns, e.g. `{SeniorCitizen: Senior citizen}` "
        "(a feature's label is in `features`); `init` writes them; a column without one reads "
        "`SeniorCitizen` as `Senior citizen`, and a date in `data.since` as `Days since ...`",
        "`{}`",
        absent={},
    ),
    Setting(
        "k",
        None,
        k_choice,
        "the number of segments, or `auto` to choose it (see below)",
        "`auto`",
        absent="auto",
        analysis=True,
    ),
    # A segment per 1,000 k values is no report: the search is bounded (issue 21, Low).
    Setting("k_min", 2, integer(2, 100), "the smallest k searched", analysis=True),
    Setting("k_max", 10, integer(2, 100), "the largest k searched", analysis=True),
    Setting(
        "random_state",
        42,
        integer(0, 2**32 - 1),
        "the seed of every random step (0 to 4294967295)",
        analysis=True,
    ),
    Setting("n_init", 10, integer(10, 1000), "K-Means restarts (at least 10)", analysis=True),
    Setting(
        "scaling",
        "standard",
        one_of(SCALINGS),
        "`standard`, `robust` (median/IQR) or `log` (log1p then standard, for skewed spend)",
        analysis=True,
    ),
    Setting(
        "sample_size",
        20_000,
        integer(1_000),
        "rows used to search k on large tables; the final model is fitted on every row",
        analysis=True,
    ),
    Setting(
        "value.feature",
        "",
        value_feature,
        'the feature (column or label) that makes a segment "most valuable" on the summary page; '
        "with none, no segment is called most valuable",
        "none",
    ),
    Setting(
        "value.better",
        "higher",
        one_of(BETTER),
        "`higher` or `lower` (e.g. days since the last purchase): which end of `value.feature` "
        "is valuable",
    ),
    Setting(
        "value.additive",
        False,
        boolean,
        "`true` when the value column adds up over customers (spend, revenue): each segment then "
        'also shows its share of the total ("12% of customers and 29% of all Grocery")',
    ),
    Setting(
        "value_feature",
        "",
        value_feature,
        "the older spelling of `value.feature`",
        "none",
    ),
    Setting(
        "map",
        None,
        map_axes,
        "the two features the segment map plots, e.g. `[Income, Spending]` (columns or labels)",
        "the two best-separating features",
        name="map_axes",
    ),
    Setting(
        "columns",
        (),
        columns,
        "per input column: `aliases` (other header names), `values` (a mapping such as "
        "`{M: Male}`), `allowed` values, `min`, `max`",
        "`{}`",
        absent={},
    ),
    Setting(
        "playbook",
        (),
        playbook,
        "rules `{when: {Income: High, Spending: Low}, actions: [...]}`; `when: {}` is the fallback",
        "`[]`",
        absent=[],
    ),
    Setting(
        "personas",
        (),
        personas,
        "persona overrides by segment slug: `name`, `description`, `actions` (see below)",
        "`{}`",
        absent={},
    ),
    Setting(
        "privacy.individual_points",
        False,
        boolean,
        "whether the site may show each customer as a point on the segment maps",
    ),
    Setting(
        "privacy.min_group_size",
        10,
        integer(1),
        "the smallest group any published number may describe",
    ),
    Setting(
        "engine",
        "local",
        one_of(engine.ENGINES),
        "where the passes over every row run: `local` (in memory), `duckdb`, `spark` or "
        "`postgres` (see Engines below)",
    ),
    Setting(
        "duckdb.memory_limit",
        "",
        engine.memory_limit,
        "DuckDB's memory limit, at least `100MB`, e.g. `1GB` (it spills to the cache folder "
        "beyond it)",
        "DuckDB's",
    ),
    Setting("duckdb.threads", 0, engine.threads, "DuckDB's threads", "DuckDB's"),
    Setting(
        "duckdb.database",
        "",
        engine.database,
        "a DuckDB database file holding `data.table` (opened read-only)",
        '`""`',
    ),
    Setting(
        "spark.conf",
        (),
        engine.spark_conf,
        "Spark runtime SQL settings (`spark.sql.*`); the server comes from `SPARK_REMOTE`, "
        "never the file",
        "`{}`",
        absent={},
    ),
    Setting(
        "spark.connect_timeout",
        30,
        integer(1, 3600),
        "seconds to wait for the Spark Connect server of `SPARK_REMOTE` before giving up",
        "`30`",
    ),
    Setting(
        "postgres.statement_timeout",
        "1h",
        engine.timeout,
        "PostgreSQL's limit on each query; the server comes from libpq's `PG*` variables",
        "`1h`",
    ),
    Setting(
        "site_url",
        "",
        text(),
        "accepted and ignored: the published address is `site_url` in `mkdocs.yml` (`SITE_URL`)",
        '`""`',
    ),
)
