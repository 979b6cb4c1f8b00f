"""The ``tidings`` command.

Each module in this package contributes commands through a ``COMMANDS`` list; this module
builds the group (``-v``, ``--log-level``, the log setup) and is the one error boundary:
every failure becomes one line on stderr and a non-zero exit, with a traceback only
under ``-v``.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
import traceback

import click

from tidings import __version__, logs
from tidings.cli.context import AppContext
from tidings.config import Settings
from tidings.errors import TidingsError, one_line


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tidings")
@click.option("--database", "database_url", metavar="URL",
              help="Database URL (overrides TIDINGS_DATABASE_URL).")
@click.option("-v", "--verbose", is_flag=True,
              help="Log debug details, and show the traceback of an error.")
@click.option("--log-level", type=click.Choice(logs.LEVELS, case_sensitive=False), default=None,
              help="Log level (overrides TIDINGS_LOG_LEVEL; -v means DEBUG).")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, verbose: bool,
        log_level: str | None) -> None:
    """tidings: collect news from many outlets, merge it into stories, and serve it.

    Settings come from TIDINGS_* environment variables (see docs/configuration.md).
    """
    _run.verbose = verbose
    settings = Settings.from_env(database_url=database_url,
                                 log_level="DEBUG" if verbose else log_level)
    logs.configure(settings.log_level, settings.log_format)
    _run.json_logs = settings.log_format.lower() == "json"
    app = AppContext(settings)
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register() -> None:
    package = importlib.import_module(__name__)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name == "context":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


_register()


class _Run:
    """What the error boundary needs to know about the command line it guards."""

    verbose = False
    json_logs = False  # TIDINGS_LOG_FORMAT=json: failures are log records too


def _say(line: str) -> None:
    """A failure line on stderr: as it is, or as one JSON log record."""
    if _run.json_logs:
        logging.getLogger("tidings.cli").error(line.removeprefix("tidings: "))
    else:
        click.echo(line, err=True)


_run = _Run()


def main(argv: list[str] | None = None) -> None:
    """Run the command; every failure ends as one line on stderr and a non-zero exit."""
    _run.verbose = False
    _run.json_logs = False
    try:
        cli.main(args=argv, prog_name="tidings", standalone_mode=False)
    except click.exceptions.Abort:
        _say("tidings: aborted")
        sys.exit(130)
    except click.ClickException as exc:
        if _run.json_logs:
            _say(f"tidings: {exc.format_message()}")
        else:
            exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _say("tidings: interrupted")
        sys.exit(130)
    except Exception as exc:  # the boundary: whatever went wrong, one line (-v: the traceback)
        sys.exit(report(exc, verbose=_run.verbose))


def report(exc: BaseException, *, verbose: bool) -> int:
    """Print an error the way the command line does; the exit status to use.

    A :class:`TidingsError` is an expected failure and its message says it all; anything
    else is a bug, named by its class. Either way there is no traceback without ``-v``, and
    the line ends with a hint when a traceback would show more.
    """
    expected = isinstance(exc, TidingsError)
    message = one_line(exc)
    if not expected:
        name = type(exc).__name__
        message = "internal error: " + (name if message == name else f"{name}: {message}")
    if verbose and _run.json_logs:  # the traceback goes into the record
        logging.getLogger("tidings.cli").error("error: %s", message, exc_info=exc)
        return 1
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    elif not expected or exc.__cause__ is not None:
        message += " (run with -v for details)"
    _say(f"tidings: error: {message}")
    return 1
