"""The ``tidings`` command.

Each module in this package contributes commands through a ``COMMANDS`` list; this module
builds the group, turns settings errors and every :class:`TidingsError` into one line on
stderr and a non-zero exit, and never shows a traceback to the user.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys

import click

from tidings import __version__
from tidings.cli.context import AppContext
from tidings.config import Settings
from tidings.errors import TidingsError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tidings")
@click.option("--database", "database_url", metavar="URL",
              help="Database URL (overrides TIDINGS_DATABASE_URL).")
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr.")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, verbose: bool) -> None:
    """tidings: collect news from many outlets, merge it into stories, and serve it.

    Settings come from TIDINGS_* environment variables (see docs/configuration.md).
    """
    settings = Settings.from_env(database_url=database_url,
                                 log_level="DEBUG" if verbose else None)
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "alembic", "trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
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


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="tidings", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("tidings: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TidingsError as exc:
        click.echo(f"tidings: error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("tidings: interrupted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
