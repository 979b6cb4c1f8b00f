"""``tidings recluster``: rebuild stories from the stored articles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click

from tidings.cli.context import AppContext, pass_app
from tidings.cli.progress import Progress
from tidings.config import Settings
from tidings.errors import ConfigError


def parse_since(value: str | None, settings: Settings) -> datetime | None:
    """A date or ISO time; without an offset it is wall-clock time in TIDINGS_TIMEZONE."""
    if not value:
        return None
    text = value.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ConfigError(f"--since: not an ISO 8601 date or time: {value!r}") from None
        when = datetime(day.year, day.month, day.day)
    if when.tzinfo is None:
        when = when.replace(tzinfo=settings.tz)
    return when.astimezone(UTC)


@click.command("recluster")
@click.option("--since", metavar="DATE",
              help="Only articles published on or after DATE (ISO 8601); older stories stay.")
@pass_app
def recluster(app: AppContext, since: str | None) -> None:
    """Rebuild stories from stored articles, in publication order (deterministic)."""
    from tidings.cluster.rebuild import recluster as run

    start = parse_since(since, app.settings)
    store = app.store
    with Progress("recluster", unit="articles") as bar:
        done = run(store, app.settings, start, progress=bar)
    live = store.stories.count()
    click.echo(f"{done} articles in {live} stories")


COMMANDS = [recluster]
