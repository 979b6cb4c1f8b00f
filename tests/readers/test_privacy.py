"""A reader's private feed never shows on the public site: pages, JSON API, feeds, search,
stories, latest, most-read and trending — until an administrator publishes it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from starlette.testclient import TestClient
from tests.web.seeding import Seeded, seed

from tidings.config import Settings
from tidings.models import Source
from tidings.operations import subscriptions
from tidings.store import Store
from tidings.store.reads import Read
from tidings.store.schema import articles, stories
from tidings.web.app import create_app

SECRET = "Zanzibarquux"
#: what would show if anything private leaked (a search page may echo the query itself)
MARKERS = ["secret.example", f"{SECRET} Blog", f"{SECRET} only", f"{SECRET} on the",
           f"{SECRET} private", f"{SECRET} words", f"{SECRET} summary"]


def _private(store: Store, seeded: Seeded) -> dict[str, int]:
    now = seeded.now
    source = store.sources.add(Source(None, f"{SECRET} Blog", "https://secret.example/",
                                      public=False), now - timedelta(days=3))
    ids: dict[str, int] = {"source": source.id or 0}
    with store.db.write() as conn:
        ids["story"] = conn.execute(stories.insert().values(
            title=f"{SECRET} private story", first_published_at=now - timedelta(hours=2),
            last_published_at=now - timedelta(hours=2), created_at=now, updated_at=now,
        ).returning(stories.c.id)).scalar_one()

        def add(key: str, story: int, title: str) -> int:
            return int(conn.execute(articles.insert().values(
                source_id=source.id, entry_key=key, title=title, url=f"https://secret.example/{key}",
                published_at=now - timedelta(minutes=30), fetched_at=now,
                content_text=f"{SECRET} words inside.", summary=f"{SECRET} summary",
                language="en", views=10_000, story_id=story,
            ).returning(articles.c.id)).scalar_one())

        ids["alone"] = add("alone", ids["story"], f"{SECRET} only here")
        ids["joined"] = add("joined", seeded.stories["border"], f"{SECRET} on the border")
    store.search_index.run()  # indexed, as the index stage would: privacy alone hides them
    day = seeded.now.strftime("%Y-%m-%d")
    store.reads.record([Read(day, f"v{n}", ids["alone"], seeded.now - timedelta(minutes=5))
                        for n in range(50)])
    return ids


@pytest.fixture
def site(settings: Settings, store: Store) -> Iterator[tuple[TestClient, Seeded, dict[str, int]]]:
    seeded = seed(store)
    ids = _private(store, seeded)
    app = create_app(settings.replace(read_flush_seconds=0.05), store)
    app.state.site.set_clock(lambda: seeded.now)
    with TestClient(app) as client:
        yield client, seeded, ids


def _public_paths(seeded: Seeded, ids: dict[str, int]) -> list[str]:
    border = seeded.stories["border"]
    q = f"q={SECRET.lower()}"
    paths = ["/", "/api/latest", "/api/articles", f"/api/articles?{q}", f"/api/search?{q}",
             f"/search?{q}", "/api/stories", f"/api/stories/{border}", f"/stories/{border}",
             "/api/sources", "/api/most-read", "/api/trending",
             f"/articles/{seeded.articles['wire']}"]
    for ext in ("xml", "atom", "json"):
        paths += [f"/feed.{ext}", f"/stories/{border}/feed.{ext}", f"/search/feed.{ext}?{q}"]
    return paths


def _hidden_paths(ids: dict[str, int]) -> list[str]:
    return [f"/api/articles/{ids['alone']}", f"/articles/{ids['joined']}",
            f"/api/stories/{ids['story']}", f"/stories/{ids['story']}",
            f"/api/sources/{ids['source']}", f"/sources/{ids['source']}",
            f"/sources/{ids['source']}/feed.xml", f"/stories/{ids['story']}/feed.atom"]


def test_private_source_is_nowhere_public(
        site: tuple[TestClient, Seeded, dict[str, int]]) -> None:
    client, seeded, ids = site
    for path in _public_paths(seeded, ids):
        answer = client.get(path)
        assert answer.status_code == 200, path
        leaks = [m for m in MARKERS if m.lower() in answer.text.lower()]
        assert leaks == [], path
    for path in _hidden_paths(ids):
        assert client.get(path).status_code == 404, path


def test_publishing_shows_it(site: tuple[TestClient, Seeded, dict[str, int]],
                             store: Store) -> None:
    client, _seeded, ids = site
    subscriptions.publish_source(store, ids["source"])
    assert client.get(f"/api/articles/{ids['alone']}").status_code == 200
    found = client.get(f"/api/search?q={SECRET.lower()}").json()
    assert found["total"] == 2
    assert SECRET in client.get("/api/sources").text


def test_story_title_and_picture_come_from_public_reports(store: Store) -> None:
    seeded = seed(store)
    ids = _private(store, seeded)
    border = seeded.stories["border"]
    with store.clustering.batch() as batch:
        titles = batch.headlines([border, ids["story"]], 40)
        batch.refresh([border], seeded.now)
    assert all(SECRET not in title for title, _lang in titles[border])
    assert len(titles[border]) == 2  # the public originals (the copy is not a candidate)
    assert titles[ids["story"]] == [(f"{SECRET} only here", "en")]  # only private: its own
    assert store.story_rows.live(border).image_url == "https://img.example/border.jpg"
