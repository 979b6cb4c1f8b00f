"""``tidings serve``: the site, the API, the feeds and the background worker."""

from __future__ import annotations

import click

from tidings.cli.context import AppContext, pass_app


@click.command()
@click.option("--host", default=None, help="Address to listen on (default TIDINGS_HOST).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (default TIDINGS_PORT).")
@click.option("--worker/--no-worker", default=None,
              help="Run the background fetch/extract/cluster worker (default TIDINGS_WORKER).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Web server processes (they share one socket; reads stay deduplicated).")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="Proxies whose X-Forwarded-For is trusted for the client address "
                   "(comma-separated; '*' trusts everyone).")
@pass_app
def serve(app: AppContext, host: str | None, port: int | None, worker: bool | None,
          workers: int, forwarded_allow_ips: str) -> None:
    """Serve the site, its API and feeds; refresh feeds in the background."""
    from tidings.web.server import run

    settings = app.settings
    host = host or settings.host
    port = settings.port if port is None else port
    store = app.store
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"tidings: serving on http://{shown}:{port}/")
    run(settings, store, host=host, port=port,
        worker=settings.worker if worker is None else worker, workers=workers,
        forwarded_allow_ips=forwarded_allow_ips)


COMMANDS = [serve]
