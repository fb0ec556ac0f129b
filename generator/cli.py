"""The ``segments`` command: parses options, calls the library, maps named errors to exit codes.

Exit codes: 0 success, 1 unexpected failure, 2 bad config or data (one line on stderr),
130 interrupted. Tracebacks only with ``--verbose``. What the commands share (options, set-up,
reports, exit codes) is in ``cli_options``.
"""

from __future__ import annotations

import gc
import logging
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.cli_options import (
    CONFIG_OPTION,
    MKDOCS_OPTION,
    check_report_path,
    observe_stages,
    reported,
    run,
)
from generator.config.settings import DEFAULT_CONFIG, load_config
from generator.errors import ConfigError, SegmentsError

if TYPE_CHECKING:
    from generator.commands.init_model import Starter


@click.group()
@click.option("--verbose", is_flag=True, help="Show tracebacks and debug logging.")
@click.option("--quiet", is_flag=True, help="Only errors; no progress or notes.")
@click.option("--timings", is_flag=True, help="Print each stage's seconds as JSON on stderr.")
@click.version_option(package_name="segments")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool, timings: bool) -> None:
    """Segment customers and publish the report site."""
    from generator.runtime.epoch import source_date_epoch

    source_date_epoch()  # checked first: numpy reads it too, and fails with a traceback
    ctx.obj = {"verbose": verbose, "quiet": quiet}
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)
    observe_stages(ctx, quiet, timings)


@cli.command()
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable summary.")
def analyze(config_path: Path, as_json: bool) -> None:
    """Segment the customers and print the segments (or the JSON summary)."""
    from generator.analysis.run import run_analysis
    from generator.commands.build import refuse_half_published
    from generator.report.summary import summary, to_json
    from generator.report.text import render

    config = load_config(config_path)
    refuse_half_published(config)
    analysis = run_analysis(config)
    if as_json:
        click.echo(to_json(summary(analysis)), nl=False)
    else:
        click.echo(render("cli/analyze.txt.j2", "txt", analysis=analysis), nl=False)


@cli.command()
@CONFIG_OPTION
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write every problem found to this file, one per line (empty when there are none).",
)
def validate(config_path: Path, report_path: Path | None) -> None:
    """Check the config and the customer table, without segmenting."""
    from generator.analysis.run import load_table
    from generator.commands.build import refuse_half_published
    from generator.commands.inputs import protected, refuse_overwrite

    if report_path is not None:
        check_report_path(report_path, config_path)
    try:
        config = load_config(config_path)
    except SegmentsError as exc:
        reported(exc, report_path)
    if report_path is not None:
        refuse_overwrite(report_path, "--report", protected(config))
    try:
        refuse_half_published(config)
        table = load_table(config)
    except SegmentsError as exc:
        reported(exc, report_path)
    if report_path is not None:
        report_path.write_text("", encoding="utf-8")
    click.echo(f"{table.source.path.name}: {table.n_customers:,} customers, no problems found")


@cli.command()
@CONFIG_OPTION
@MKDOCS_OPTION
@click.option("--check", is_flag=True, help="Exit 1 if docs/ differs from what would be written.")
def generate(config_path: Path, mkdocs_path: Path | None, check: bool) -> None:
    """Render the Markdown pages and chart specs into docs/."""
    from generator.commands import build

    project = build.Project(config_path, mkdocs_path)
    if not check:
        written = build.generate(project)
        click.echo(f"wrote {written.docs}")
        return
    stale = build.check(project)
    if stale:
        shown = ", ".join(stale[:10]) + (f" and {len(stale) - 10} more" if len(stale) > 10 else "")
        click.echo(
            f"docs/ is stale: {len(stale)} files differ ({shown}); run segments generate", err=True
        )
        sys.exit(1)
    click.echo("docs/ is up to date")


@cli.command(name="build")
@CONFIG_OPTION
@MKDOCS_OPTION
@click.option("--offline", is_flag=True, help="Build site.zip that works from file:// instead.")
@click.option("--relock", is_flag=True, help="Ignore the segments lock file and number afresh.")
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse to publish when a segment's stability reads 'do not trust'.",
)
def build_command(
    config_path: Path, mkdocs_path: Path | None, offline: bool, relock: bool, strict: bool
) -> None:
    """Generate docs/ and build the site with mkdocs build --strict."""
    from generator.commands import build

    project = build.Project(config_path, mkdocs_path, relock=relock, strict=strict)
    target = build.build(project, offline=offline)
    click.echo(f"built {target}")


@cli.command()
@CONFIG_OPTION
@MKDOCS_OPTION
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve(config_path: Path, mkdocs_path: Path | None, port: int) -> None:
    """Generate docs/ and preview the site with live reload (Ctrl+C stops)."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    from generator.commands import build
    from generator.report.text import html_text

    _check_port(port)
    project = build.Project(config_path, mkdocs_path)
    written = build.generate(project)
    mkdocs_serve(
        str(project.mkdocs),
        dev_addr=f"127.0.0.1:{port}",
        livereload=True,
        site_name=html_text(written.config.title),
    )


def _check_port(port: int) -> None:
    """Refuse a port that is out of range or taken, before any work is done."""
    import socket

    if not 1 <= port <= 65535:
        raise ConfigError(f"--port {port}: expected a port from 1 to 65535")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise ConfigError(
                f"127.0.0.1:{port}: cannot serve there ({exc.strerror}); another program "
                "(or another segments serve) uses the port, pass --port with a free one"
            ) from exc


@cli.command()
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the history's figures as JSON.")
@click.option(
    "--rebuild-from",
    "git_range",
    metavar="GIT_RANGE",
    help="Make the history file from the lock files committed in GIT_RANGE (e.g. v1..HEAD).",
)
def history(config_path: Path, as_json: bool, git_range: str | None) -> None:
    """Print how the segments moved across releases (data/segments.history.json)."""
    from generator.commands import history as show

    config = load_config(config_path)
    if git_range is not None:
        from generator.commands.backfill import rebuild_from

        rebuilt = rebuild_from(config, git_range)
        count = len(rebuilt.history.entries)
        click.echo(
            f"{rebuilt.path}: {count} release{'s' if count != 1 else ''} from "
            f"{rebuilt.commits} commit{'s' if rebuilt.commits != 1 else ''} in {git_range}"
            + (f" ({rebuilt.kept} kept as the file had them)" if rebuilt.kept else ""),
            err=as_json,
        )
    view = show.view_of(config)
    click.echo(show.history_json(view) if as_json else show.history_table(view, config), nl=False)


@cli.command()
@click.argument("table_path", metavar="TABLE", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The scored CSV to write: ID, segment, slug, name.",
)
@CONFIG_OPTION
def assign(table_path: Path, out_path: Path, config_path: Path) -> None:
    """Label the customers of TABLE with the locked (published) segments."""
    from generator.commands.assign import score_file, scored_csv
    from generator.commands.build import refuse_half_published
    from generator.commands.inputs import protected, refuse_overwrite
    from generator.site.write import write_file

    config = load_config(config_path)
    refuse_half_published(config)
    inputs = {"the table being scored": table_path, **protected(config)}
    refuse_overwrite(out_path, "--out", inputs)
    scored = score_file(config, table_path)
    write_file(out_path, scored_csv(scored))
    click.echo(f"{out_path}: {len(scored):,} customers scored with the locked segments")


@cli.command()
@click.argument("table_path", metavar="TABLE", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The config file to write.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
def init(table_path: Path, out_path: Path, force: bool) -> None:
    """Inspect TABLE and write a starter config for it."""
    from generator.commands.init import starter_config
    from generator.site.write import write_file

    if out_path.exists() and not force:
        raise ConfigError(f"{out_path}: already exists; pass --force to overwrite it")
    starter, text = starter_config(table_path, out_path)
    write_file(out_path, text)
    click.echo(
        f"{out_path}: starter config for {table_path.name} (ID {_id_words(starter.id_column)}, "
        f"{len(starter.features)} features, scaling {starter.scaling}); "
        f"next: segments analyze --config {out_path}"
    )
    click.echo(_found(starter))


@cli.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--data",
    "table_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The customer table (or transaction log) to start from; without it, a demo table.",
)
def new(folder: Path, table_path: Path | None) -> None:
    """Create a ready project in DIR: data/, its config, mkdocs.yml and the Pages workflow."""
    from generator.commands.new import new_project

    starter = new_project(folder, table_path)
    click.echo(
        f"{folder}: new project (ID {_id_words(starter.id_column)}, "
        f"{len(starter.features)} features); "
        f"next: cd {folder} && segments build"
    )
    click.echo(_found(starter))


def _found(starter: Starter) -> str:
    """What ``init`` decided, as a paragraph wrapped for the terminal."""
    from generator.commands.init_yaml import decision

    return textwrap.fill(f"Found {decision(starter)}.", 100)


def _id_words(column: str) -> str:
    return repr(column) if column else "none, rows numbered"


def main() -> None:
    """Console entry point."""
    # A command allocates about a million long-lived objects while importing pandas, scikit-learn,
    # MkDocs and their templates; at the default thresholds the cyclic collector runs some 600
    # times over them (0.3 s of a 5 s Mall build). Rarer young collections cost little memory.
    gc.set_threshold(20_000, 50, 50)
    verbose = "--verbose" in sys.argv[1:]
    sys.exit(run(lambda: cli.main(standalone_mode=False), verbose))
