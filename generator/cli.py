"""The ``segments`` command: parses options, calls the library, maps named errors to exit codes.

Exit codes: 0 success, 1 unexpected failure, 2 bad config or data (one line on stderr),
130 interrupted. Tracebacks only with ``--verbose``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator.config.settings import DEFAULT_CONFIG, load_config
from generator.errors import ConfigError, SegmentsError

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The config file (data.path is relative to it).",
)


@click.group()
@click.option("--verbose", is_flag=True, help="Show tracebacks and debug logging.")
@click.option("--quiet", is_flag=True, help="Only errors; no progress or notes.")
@click.option("--timings", is_flag=True, help="Print each stage's seconds as JSON on stderr.")
@click.version_option(package_name="segments")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool, timings: bool) -> None:
    """Segment customers and publish the report site."""
    ctx.obj = {"verbose": verbose, "quiet": quiet}
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)
    _observe_stages(ctx, quiet, timings)


def _observe_stages(ctx: click.Context, quiet: bool, timings: bool) -> None:
    """Record stage timings for the command's lifetime; draw progress bars on a terminal."""
    from generator.runtime.progress import ProgressBars, wanted
    from generator.runtime.timing import recording

    bars = ProgressBars() if wanted(quiet, sys.stderr) else None
    seconds = ctx.with_resource(recording(bars))
    if timings:

        def report() -> None:
            rounded = {name: round(value, 3) for name, value in seconds.items()}
            click.echo(f"timings: {json.dumps(rounded)}", err=True)

        ctx.call_on_close(report)  # registered first, so it runs after the bars are erased
    if bars is not None:
        ctx.call_on_close(bars.close)


@cli.command()
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable summary.")
def analyze(config_path: Path, as_json: bool) -> None:
    """Segment the customers and print the segments (or the JSON summary)."""
    from generator.analysis.run import run_analysis
    from generator.report.summary import summary, to_json
    from generator.report.text import render

    analysis = run_analysis(load_config(config_path))
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

    try:
        table = load_table(load_config(config_path))
    except SegmentsError as exc:
        if report_path is None:
            raise
        count = write_report(report_path, exc)
        noun = "problem" if count == 1 else "problems"
        raise type(exc)(f"{exc.message} (all {count:,} {noun} listed in {report_path})") from exc
    if report_path is not None:
        report_path.write_text("", encoding="utf-8")
    click.echo(f"{table.source.path.name}: {table.n_customers:,} customers, no problems found")


MKDOCS_OPTION = click.option(
    "--mkdocs",
    "mkdocs_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="The MkDocs config; its docs_dir and site_dir are the outputs.",
)


@cli.command()
@CONFIG_OPTION
@MKDOCS_OPTION
@click.option("--check", is_flag=True, help="Exit 1 if docs/ differs from what would be written.")
def generate(config_path: Path, mkdocs_path: Path, check: bool) -> None:
    """Render the Markdown pages and chart specs into docs/."""
    from generator.commands import build

    project = build.Project(config_path, mkdocs_path)
    if not check:
        docs = build.generate(project)
        click.echo(f"wrote {docs}")
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
    config_path: Path, mkdocs_path: Path, offline: bool, relock: bool, strict: bool
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
def serve(config_path: Path, mkdocs_path: Path, port: int) -> None:
    """Generate docs/ and preview the site with live reload (Ctrl+C stops)."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    from generator.commands import build

    build.generate(build.Project(config_path, mkdocs_path))
    mkdocs_serve(str(mkdocs_path), dev_addr=f"127.0.0.1:{port}", livereload=True)


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
    from generator.site.write import write_file

    scored = score_file(load_config(config_path), table_path)
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
    from generator.commands.init import inspect, read_text_table, starter_yaml
    from generator.site.write import write_file

    if out_path.exists() and not force:
        raise ConfigError(f"{out_path}: already exists; pass --force to overwrite it")
    frame, delimiter = read_text_table(table_path)
    starter = inspect(frame)
    relative = Path(os.path.relpath(table_path.resolve(), out_path.resolve().parent))
    title = table_path.stem.replace("_", " ").replace("-", " ").strip().capitalize()
    write_file(out_path, starter_yaml(starter, relative.as_posix(), delimiter, title))
    click.echo(
        f"{out_path}: starter config for {table_path.name} (ID {starter.id_column!r}, "
        f"{len(starter.features)} features, scaling {starter.scaling}); "
        f"next: segments analyze --config {out_path}"
    )


def write_report(path: Path, error: SegmentsError) -> int:
    """Write every problem of ``error`` to ``path``, one per line, each naming its file.

    Returns:
        The number of problems written.
    """
    problems = list(error.details) or [error.message]
    prefix = f"{error.where}: " if error.details and error.where else ""
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(f"{prefix}{problem}\n" for problem in problems)
    return len(problems)


def run(command: Callable[[], Any], verbose: bool) -> int:
    """Run the click command and translate failures into exit codes."""
    try:
        command()
    except SegmentsError as exc:
        if verbose:
            raise
        click.echo(f"error: {exc}", err=True)
        return 2
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("interrupted; the previous docs/ and site/ are unchanged", err=True)
        return 130
    except Exception as exc:
        if verbose:
            raise
        click.echo(
            f"unexpected error: {type(exc).__name__}: {exc} (rerun with --verbose)", err=True
        )
        return 1
    return 0


def main() -> None:
    """Console entry point."""
    verbose = "--verbose" in sys.argv[1:]
    sys.exit(run(lambda: cli.main(standalone_mode=False), verbose))
