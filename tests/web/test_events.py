"""``GET /api/events``: live events over a real server (uvicorn on loopback), read with a
bounded wait: new articles, stories gaining an outlet, resuming, the stream cap."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx2
import pytest
from starlette.types import ASGIApp

from tidings.config import Settings
from tidings.models import NewArticle
from tidings.store import Store
from tidings.web.app import create_app

from .seeding import Seeded
from .sse import EventStream

ARTICLE_KEYS = {"id", "title", "url", "source", "story_id", "time_label"}


def store_articles(store: Store, seeded: Seeded, *titles: str, source: str = "Daily Planet",
                   ago: timedelta = timedelta(minutes=5)) -> list[int]:
    """Store articles the way the importers do (new rows and their events, one transaction)."""
    before = store.articles.count()
    rows = [NewArticle(source_id=seeded.sources[source], entry_key=f"live-{title}", title=title,
                       url=f"https://planet.example/{i}", published_at=seeded.now - ago,
                       fetched_at=seeded.now) for i, title in enumerate(titles)]
    assert store.articles.add_or_count_views(rows)[0] == len(titles)
    found, _ = store.articles.latest(limit=len(titles))
    assert store.articles.count() == before + len(titles)
    return sorted(a.id for a in found if a.title in titles)  # type: ignore[misc]


@pytest.fixture
def live(web_settings: Settings, store: Store, seeded: Seeded,
         serve_app: Callable[[ASGIApp], int]) -> Iterator[str]:
    app = create_app(web_settings.replace(events_poll_seconds=0.05, max_event_streams=3), store)
    app.state.site.set_clock(lambda: seeded.now)
    yield f"http://127.0.0.1:{serve_app(app)}"


def test_a_new_article_is_announced_as_the_latest_list_shows_it(
        live: str, store: Store, seeded: Seeded) -> None:
    with EventStream(live + "/api/events") as stream:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        assert stream.next(0.5) is None  # nothing old is replayed without Last-Event-ID
        [aid] = store_articles(store, seeded, "Harbour reopens after the storm")
        event = stream.next(2.0)
        assert event is not None, "no event within 2 s"
        assert stream.retry == 2000
    assert event.event == "article" and event.id is not None and int(event.id) > 0
    data = event.json()
    assert set(data) >= ARTICLE_KEYS
    latest = httpx2.get(live + "/api/latest?limit=1").json()["items"][0]
    assert {k: data[k] for k in ("id", "title", "url", "time_label")} == \
        {k: latest[k] for k in ("id", "title", "url", "time_label")}
    assert data["id"] == aid and data["time_label"] == "11:55"
    assert data["source"] == {"id": seeded.sources["Daily Planet"], "name": "Daily Planet",
                              "url": "https://daily.example"}
    assert data["story_id"] is None  # not clustered yet


def test_last_event_id_resumes_without_repeats(live: str, store: Store, seeded: Seeded) -> None:
    with EventStream(live + "/api/events") as first:
        ids = store_articles(store, seeded, "One", "Two", "Three")
        seen = first.take(3)
    assert [e.json()["id"] for e in seen] == ids
    event_ids = [int(e.id or 0) for e in seen]
    assert event_ids == sorted(event_ids) and len(set(event_ids)) == 3

    # reconnect after the first: the two missed ones, then live ones, none twice
    with EventStream(live + "/api/events", {"Last-Event-ID": str(event_ids[0])}) as again:
        missed = again.take(2)
        assert [e.json()["id"] for e in missed] == ids[1:]
        [later] = store_articles(store, seeded, "Four")
        more = again.take(2, timeout=1.5)
    assert [e.json()["id"] for e in more] == [later]

    # the query fallback, for clients that cannot set the header
    with EventStream(live + f"/api/events?last_event_id={event_ids[1]}") as by_query:
        got = by_query.take(3, timeout=1.5)
    assert [e.json()["id"] for e in got] == [ids[2], later]


def test_a_story_gaining_an_outlet_is_announced(live: str, store: Store, seeded: Seeded) -> None:
    story = seeded.stories["border"]
    with EventStream(live + "/api/events") as stream:
        ids = store_articles(store, seeded, "Border talks continue", "More border talks",
                             source="Tokyo Shimbun")
        with store.clustering.batch() as batch:  # the cluster stage's own write path
            for aid in ids:
                batch.assign(aid, story, None)
            batch.refresh({story}, seeded.now)
            batch.finish()
        events = stream.take(4, timeout=3)
    kinds = [e.event for e in events]
    assert kinds.count("article") == 2
    [gained] = [e.json() for e in events if e.event == "story"]  # one outlet, once
    assert gained["id"] == story and gained["article_id"] == ids[0]
    assert gained["outlets"] == store.stories.counters(story)["source_count"]
    assert gained["title"]


def test_streams_are_capped_with_503_and_retry_after(live: str) -> None:
    streams = [EventStream(live + "/api/events") for _ in range(3)]
    try:
        assert [s.status for s in streams] == [200, 200, 200]
        refused = httpx2.get(live + "/api/events", timeout=5)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "2"
        assert refused.json()["error"]["status"] == 503
        assert httpx2.get(live + "/api/latest", timeout=5).status_code == 200  # pages unaffected
        streams.pop().close()
        for _ in range(50):  # the server notices the closed stream
            with EventStream(live + "/api/events") as again:
                if again.status == 200:
                    break
        assert again.status == 200
    finally:
        for s in streams:
            s.close()


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "9" * 30])
def test_a_malformed_last_event_id_is_a_400(live: str, bad: str) -> None:
    answer = httpx2.get(live + "/api/events", headers={"Last-Event-ID": bad}, timeout=5)
    assert answer.status_code == 400
    assert "Last-Event-ID" in answer.json()["error"]["message"]
