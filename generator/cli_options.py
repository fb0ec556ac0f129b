"""What the commands of ``cli.py`` share: options, process set-up, reports and exit codes.

The ``--config`` and ``--mkdocs`` options; logging, stage timings and progress bars for the
group's ``--verbose``, ``--quiet`` and ``--timings``; ``validate --report``'s file of problems;
and ``run``, which turns the library's named errors into one line and an exit code (0 success,
1 unexpected failure, 2 bad config or data, 130 interrupted).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from generator.config.settings import DEFAULT_CONFIG
from generator.errors import ConfigError, SegmentsError

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The config file (data.path is relative to it).",
)


MKDOCS_OPTION = click.option(
    "--mkdocs",
    "mkdocs_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The MkDocs config; its docs_dir and site_dir are the outputs "
    "[default: the mkdocs.yml beside the config or one folder up].",
)


def observe_stages(ctx: click.Context, quiet: bool, timings: bool) -> None:
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


def reported(exc: SegmentsError, report_path: Path | None) -> NoReturn:
    """Raise ``exc`` again, after writing every problem to the report file when one is asked."""
    if report_path is None:
        raise exc
    count = write_report(report_path, exc)
    noun = "problem" if count == 1 else "problems"
    raise type(exc)(f"{exc.message} (all {count:,} {noun} listed in {report_path})") from exc


def check_report_path(report_path: Path, config_path: Path) -> None:
    """The report's folder must exist, and the report may not be the config itself."""
    from generator.commands.inputs import refuse_overwrite

    if not report_path.absolute().parent.is_dir():
        raise ConfigError(
            f"{report_path}: the folder {report_path.absolute().parent} does not exist; create "
            "it or pass another --report path"
        )
    refuse_overwrite(report_path, "--report", {"the config": config_path})


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
        # A remote engine's client threads (gRPC) would keep the interpreter alive for minutes
        # after the interrupt: end the process now (the build lock and staging need no cleanup).
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(130)
    except Exception as exc:
        if verbose:
            raise
        click.echo(
            f"unexpected error: {type(exc).__name__}: {exc} (rerun with --verbose)", err=True
        )
        return 1
    return 0
