"""``tidings demo``: the bundled sample in a fresh local store, served offline."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import click

from tidings.cli.context import AppContext, pass_app
from tidings.demo import load_sample
from tidings.store import open_store
from tidings.worker.stages import run_queued


@click.command("demo")
@click.option("--host", default=None, help="Address to listen on (default TIDINGS_HOST).")
@click.option("--port", type=int, default=None, help="Port (default TIDINGS_PORT).")
@click.option("--no-serve", is_flag=True, help="Load the sample and exit.")
@pass_app
def demo(app: AppContext, host: str | None, port: int | None, no_serve: bool) -> None:
    """Load the bundled sample outlets into a fresh store in $TIDINGS_HOME/demo and serve it."""
    folder = Path(app.settings.home) / "demo"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    settings = app.settings.replace(database_url=f"sqlite:///{folder / 'tidings.db'}",
                                    worker=False)
    store = open_store(settings.resolved_database_url)
    try:
        report = load_sample(store, settings, datetime.now(UTC))
        stages = run_queued(store, settings)
        done = "".join(f", {k}: {v}" for k, v in stages.items())
        click.echo(f"demo: {report.articles} articles from {report.outlets} outlets "
                   f"in {folder}{done}")
        if no_serve:
            return
        host = host or settings.host
        port = port or settings.port
        from tidings.web import server  # imported when used: keeps the command line quick

        click.echo(f"serving the demo at http://{host}:{port}/ (Ctrl-C stops)")
        server.run(settings, store, host=host, port=port, worker=False)
    finally:
        store.close()


COMMANDS = [demo]
