"""Four worker processes racing over one stream of reports make the same stories as one.

Eight outlets each report the same six events. One run ingests and clusters the stream in a
single `tidings worker --once` process; another, on a fresh schema, starts four of them at
once with small batches, so fetching, extraction and story assignment interleave across
processes. The partitions of the articles into stories must be equal.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import sqlalchemy as sa

from fixtures_server import FixtureServer
from tidings.benchmarks.ingest_workers import fresh_database
from tidings.models import Feed, Source
from tidings.store import open_store
from tidings.store.schema import articles, sources, stories

pytest.importorskip("tidings.cluster.stage")
pytestmark = [pytest.mark.postgres, pytest.mark.slow]

EVENTS = [
    ["earthquake", "Kumamoto", "magnitude", "tremor", "aftershocks", "Kyushu", "seismologists",
     "collapsed", "epicentre", "tsunami"],
    ["Bundesliga", "Dortmund", "Leverkusen", "penalty", "striker", "goalkeeper", "derby",
     "stadium", "equaliser", "referee"],
    ["central", "bank", "Lagarde", "interest", "rates", "inflation", "eurozone", "bond",
     "yields", "Frankfurt"],
    ["wildfire", "Valparaiso", "evacuated", "hectares", "firefighters", "Chile", "smoke",
     "helicopters", "blaze", "drought"],
    ["spacecraft", "Artemis", "lunar", "orbit", "NASA", "astronauts", "capsule", "launch",
     "Florida", "splashdown"],
    ["strike", "railway", "Deutsche", "Bahn", "union", "GDL", "commuters", "cancelled",
     "trains", "wages"],
]
FILLER = ["officials", "said", "on", "Monday", "according", "to", "reports", "the", "city",
          "residents", "local", "authorities", "statement", "later", "added", "that", "while"]
OUTLETS = 8
START = datetime(2026, 2, 10, 6, 0, tzinfo=UTC)


def _report(rng: random.Random, event: int) -> tuple[str, str]:
    words = EVENTS[event]
    title = " ".join(rng.sample(words, 5)).capitalize()
    sentences = []
    for _ in range(8):
        picked = rng.sample(words, 4) + rng.sample(FILLER, 5)
        rng.shuffle(picked)
        sentences.append(" ".join(picked).capitalize() + ".")
    return title, " ".join(sentences)


def _feed(outlet: int) -> bytes:
    rng = random.Random(outlet)
    items = []
    for event in range(len(EVENTS)):
        title, body = _report(rng, event)
        # events a day apart; outlets report each within a few hours, in varying order
        published = START + timedelta(days=event, minutes=rng.randrange(0, 240))
        items.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://outlet{outlet}.example/{event}</link>"
            f"<guid>o{outlet}-e{event}</guid><pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(body)}</description></item>")
    return ('<?xml version="1.0"?><rss version="2.0"><channel>'
            f"<title>Outlet {outlet}</title>{''.join(items)}</channel></rss>").encode()


def _run(url: str, feed_urls: list[str], processes: int, home: Path) -> frozenset[frozenset[str]]:
    store = open_store(url)
    for n, feed_url in enumerate(feed_urls):
        source = store.sources.add(Source(None, f"Outlet {n}", fulltext="never"), START)
        store.feeds.add(Feed(None, source.id, feed_url), START)
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_ALLOW_PRIVATE": "1",
           "TIDINGS_HOME": str(home), "TIDINGS_PER_HOST_CONCURRENCY": "8"}
    command = [sys.executable, "-c", "from tidings.cli import main; main()", "worker", "--once",
               "--concurrency", "2" if processes > 1 else "32"]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(processes)]
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    partition = _partition(store)
    store.close()
    return partition


def _partition(store) -> frozenset[frozenset[str]]:  # type: ignore[no-untyped-def]
    """Articles (named by outlet and entry, since ids differ between runs) grouped by story."""
    with store.db.read() as conn:
        merged = dict(conn.execute(sa.select(stories.c.id, stories.c.merged_into)).all())
        rows = conn.execute(
            sa.select(sources.c.name, articles.c.guid, articles.c.story_id,
                      articles.c.cluster_state)
            .join(sources, sources.c.id == articles.c.source_id)).all()
    groups: dict[int, set[str]] = defaultdict(set)
    for name, key, story_id, state in rows:
        assert state == "done" and story_id is not None, (name, key, state)
        while merged.get(story_id):
            story_id = merged[story_id]
        groups[story_id].add(f"{name}/{key}")
    # no story left behind without articles (two assigners would each have made one)
    live = {sid for sid, into in merged.items() if into is None}
    assert live == set(groups), f"{len(live - set(groups))} stories without articles"
    return frozenset(frozenset(g) for g in groups.values())


def test_four_racing_workers_make_the_stories_of_one(pg_url: str, tmp_path: Path) -> None:
    server = FixtureServer().start()
    try:
        feed_urls = [server.add(f"/o{n}.xml", _feed(n), content_type="application/rss+xml")
                     for n in range(OUTLETS)]
        with fresh_database(pg_url, tmp_path) as url:
            single = _run(url, feed_urls, 1, tmp_path / "one")
        with fresh_database(pg_url, tmp_path) as url:
            raced = _run(url, feed_urls, 4, tmp_path / "four")
    finally:
        server.close()
    assert sum(len(g) for g in single) == OUTLETS * len(EVENTS)
    assert raced == single
    # and the stories are the events: no event split in two, no two events merged
    by_event = {frozenset(f"Outlet {o}/o{o}-e{e}" for o in range(OUTLETS))
                for e in range(len(EVENTS))}
    assert single == by_event
