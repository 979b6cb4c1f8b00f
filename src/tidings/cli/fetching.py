"""``tidings fetch``: refresh every active feed now, then run the later stages."""

from __future__ import annotations

import click

from tidings.cli.context import AppContext, pass_app
from tidings.cli.progress import Progress
from tidings.console import print_json
from tidings.ingest.parsing import ParsePool
from tidings.ingest.pipeline import FeedOutcome, refresh
from tidings.worker.stages import run_queued


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


@click.command("fetch")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"feeds", "new_articles", "not_modified", "errors"} as the last line.')
@click.option("--fetch-only", is_flag=True,
              help="Skip full-text extraction and clustering (new articles are still indexed "
                   "for search).")
@click.option("--due", is_flag=True, help="Only feeds whose next check time has come.")
@click.option("--feed", "feed_ids", type=int, multiple=True, help="Only this feed id (repeatable).")
@pass_app
def fetch(app: AppContext, as_json: bool, fetch_only: bool, due: bool,
          feed_ids: tuple[int, ...]) -> None:
    """Fetch every active feed now and store new articles."""
    store = app.store
    bar = Progress("fetch", quiet=as_json, unit="feeds")

    def on_feed(outcome: FeedOutcome) -> None:
        if outcome.error:
            bar.note(f"  error  {outcome.feed.url}: {outcome.error}")
        elif outcome.not_modified:
            bar.note(f"  same   {outcome.feed.url}")
        else:
            bar.note(f"  {len(outcome.new_ids):>4} new  {outcome.feed.url}")

    with bar, ParsePool(app.settings) as parser:  # processes only if the refresh is large
        report = refresh(store, app.settings, feed_ids=list(feed_ids) or None, only_due=due,
                         on_feed=on_feed, progress=bar, parser=parser)
    stages: dict[str, int | str] = {}
    if report.feeds:
        with Progress("extract", quiet=as_json, unit="pages") as pages:
            # what was fetched is searchable when the command ends, even with --fetch-only
            stages = run_queued(store, app.settings, progress={"extract": pages},
                                only=("index",) if fetch_only else None)
    if as_json:
        print_json(report.as_json())
        return
    summary = (f"{_count(report.feeds, 'feed')}: {_count(report.new_articles, 'new article')}, "
               f"{report.not_modified} unchanged, {_count(len(report.errors), 'error')}")
    if stages:
        summary += "; " + ", ".join(f"{k}: {v}" for k, v in stages.items())
    click.echo(summary)


COMMANDS = [fetch]
