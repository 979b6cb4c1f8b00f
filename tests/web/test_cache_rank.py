"""Page cache invalidation (new articles, midnight) and the ranking formulas."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.testclient import TestClient

from tidings import rank
from tidings.store import Store
from tidings.store.schema import articles
from tidings.web.i18n import LOCALES_DIR, SUPPORTED, _catalog

from .seeding import Seeded


def test_new_article_invalidates_every_process(sqlite_client: TestClient, sqlite_store: Store,
                                               sqlite_seeded: Seeded) -> None:
    first = sqlite_client.get("/api/latest").json()
    again = sqlite_client.get("/api/latest").json()
    assert first == again
    site = sqlite_client.app.state.site  # type: ignore[attr-defined]
    assert site.cache.hits >= 1
    with sqlite_store.db.write() as conn:
        conn.execute(articles.insert().values(
            source_id=sqlite_seeded.sources["Gazzetta"], entry_key="fresh", title="Fresh news",
            published_at=sqlite_seeded.now, fetched_at=sqlite_seeded.now))
        sqlite_store.meta.bump(conn=conn)
    site.cache.invalidate()  # skip the one-second token refresh interval
    assert sqlite_client.get("/api/latest").json()["items"][0]["title"] == "Fresh news"


def test_labels_turn_over_at_midnight(sqlite_client: TestClient, sqlite_seeded: Seeded) -> None:
    site = sqlite_client.app.state.site  # type: ignore[attr-defined]
    site.set_clock(lambda: datetime(2026, 2, 15, 23, 59, tzinfo=UTC))
    before = sqlite_client.get("/").text
    assert "Yesterday, 06:00" in before
    site.cache.clock = lambda: datetime(2026, 2, 16, 0, 1, tzinfo=UTC)  # cache kept
    after = sqlite_client.get("/").text
    assert "Yesterday, 06:00" not in after and "14.02.2026, 06:00" in after


def test_story_score_prefers_outlets_then_decays() -> None:
    assert rank.story_score(5, 0, 1) > rank.story_score(2, 0, 1)
    assert rank.story_score(3, 0, 1) > rank.story_score(3, 0, 10) > rank.story_score(3, 0, 48)
    assert rank.story_score(3, 1000, 2) > rank.story_score(3, 0, 2)
    # reads help, but a viral single-outlet item does not beat broad, fresh coverage
    assert rank.story_score(6, 0, 1) > rank.story_score(1, 5000, 1)
    assert rank.story_score(-1, -5, -3) == rank.story_score(0, 0, 0)


def test_trending_is_decayed_velocity() -> None:
    now = datetime(2026, 2, 15, 12, tzinfo=UTC)
    recent = [now - timedelta(minutes=m) for m in range(10)]
    old = [now - timedelta(hours=20, minutes=m) for m in range(30)]
    assert rank.trending_score(recent, now) > rank.trending_score(old, now)
    assert rank.trending_score([], now) == 0
    assert rank.rank_by({1: 0.5, 2: 0.9, 3: 0.5}, 2) == [2, 3]


def test_every_ui_string_is_translated() -> None:
    web = Path(__file__).parents[2] / "src" / "tidings" / "web"
    sources = [p.read_text() for p in [*web.rglob("templates/**/*.html"), *web.rglob("*.py")]]
    used = {m for text in sources for m in re.findall(r"_\(\"([^\"]+)\"", text)}
    used |= {m for text in sources for m in re.findall(r"_\('([^']+)'", text)}
    used.add("Yesterday")
    assert LOCALES_DIR.exists()
    for locale in SUPPORTED:
        if locale == "en":
            continue
        missing = used - set(_catalog(locale))
        assert not missing, (locale, sorted(missing))


def test_one_rendering_for_many_waiting_requests(sqlite_client: TestClient,
                                                 sqlite_seeded: Seeded) -> None:
    import asyncio

    from starlette.requests import Request

    site = sqlite_client.app.state.site  # type: ignore[attr-defined]
    renders = []

    def render(now: datetime) -> tuple[bytes, str]:
        renders.append(now)
        return b"page", "text/plain"

    scope = {"type": "http", "method": "GET", "path": "/x", "raw_path": b"/x",
             "query_string": b"", "headers": [(b"host", b"t")]}

    async def many() -> list[int]:
        answers = await asyncio.gather(*[site.cache.serve(Request(scope), render)
                                         for _ in range(20)])
        return [r.status_code for r, _ in answers]

    assert asyncio.run(many()) == [200] * 20
    assert len(renders) == 1
    # aged past the TTL: served as it is while one refresh runs
    entry = site.cache.entries[next(iter(k for k in site.cache.entries if k.startswith("t/x")))]
    entry.created -= 10_000
    assert asyncio.run(many()) == [200] * 20
    assert site.cache.stale >= 1
