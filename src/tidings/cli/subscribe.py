"""``tidings add URL``: subscribe to a feed, or to the feed(s) a web page advertises."""

from __future__ import annotations

import click

from tidings.cli.context import AppContext, pass_app
from tidings.console import print_json
from tidings.errors import TidingsError
from tidings.operations.sources import FULLTEXT_MODES, subscribe


@click.command("add")
@click.argument("url")
@click.option("--name", help="Name of the outlet (default: the feed's title).")
@click.option("--category", help="Category, e.g. World or Tech.")
@click.option("--fulltext", type=click.Choice(FULLTEXT_MODES),
              help="Fetch article pages for full text (default auto: only for short entries).")
@click.option("--all", "every", is_flag=True,
              help="Subscribe to every feed a page advertises, not only the first.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per feed.")
@pass_app
def add(app: AppContext, url: str, name: str | None, category: str | None,
        fulltext: str | None, every: bool, as_json: bool) -> None:
    """Subscribe to a feed URL, or to the feed(s) a web page advertises."""
    try:
        subscriptions = subscribe(app.store, app.settings, url, name=name, category=category,
                                  fulltext=fulltext, every=every)
    except TidingsError as exc:
        message = str(exc) if url in str(exc) else f"cannot subscribe to {url}: {exc}"
        raise TidingsError(message) from None
    for sub in subscriptions:
        if as_json:
            print_json({"feed_id": sub.feed.id, "feed_url": sub.feed.url,
                        "source_id": sub.source.id, "source": sub.source.name,
                        "new_articles": sub.new_articles, "already_subscribed": sub.already})
        elif sub.already:
            click.echo(f"already subscribed: {sub.feed.url} "
                       f"(source {sub.source.id}, {sub.source.name})")
        else:
            click.echo(f"subscribed to {sub.source.name}: {sub.feed.url} "
                       f"({sub.new_articles} articles)")


COMMANDS = [add]
