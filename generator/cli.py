"""The ``segments`` command: parses options, calls the library, maps named errors to exit codes.

Exit codes: 0 success, 1 unexpected failure, 2 bad config or data (one line on stderr),
130 interrupted. Tracebacks only with ``--verbose``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator.config import DEFAULT_CONFIG, load_config
from generator.errors import SegmentsError

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
    from generator.progress import ProgressBars, wanted
    from generator.timing import recording

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
    from generator.pipeline import run_analysis
    from generator.summary import summary, to_json
    from generator.text import render

    analysis = run_analysis(load_config(config_path))
    if as_json:
        click.echo(to_json(summary(analysis)), nl=False)
    else:
        click.echo(render("cli/analyze.txt.j2", "txt", analysis=analysis), nl=False)


@cli.command()
@CONFIG_OPTION
def validate(config_path: Path) -> None:
    """Check the config and the customer table, without segmenting."""
    from generator.pipeline import load_table

    table = load_table(load_config(config_path))
    click.echo(f"{table.source.path.name}: {table.n_customers:,} customers, no problems found")


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
