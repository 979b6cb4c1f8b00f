"""Topics as the cluster stage forms stories: across scripts, one name with two meanings,
rebuilt identically by ``recluster``, and served as pages, API answers and feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from tidings.cluster import stage
from tidings.cluster.namekey import name_key
from tidings.cluster.rebuild import recluster
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app

from .test_stage import _add, _outlet

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

NORLAND = [
    ("en", "Norland central bank raises rates to 4.25%",
     "The central bank of Norland raised its main rate to 4.25% on Tuesday, the fourth rise "
     "this year. Governor Ilse Marren said inflation in Norland was easing."),
    ("ru", "Шторм «Эльна» затопил прибрежные города Норланда",
     "Шторм обрушился на западное побережье Норланда: в Гренхавне затоплены улицы, "
     "паромы отменены."),
    ("en", "Ferry operator in Grenhavn orders two electric vessels",
     "A ferry company in Grenhavn ordered two battery ships for the crossing to the islands, "
     "the first of their kind in Norland."),
    ("ru", "Цены на жильё в Норланде снизились впервые за пять лет",
     "Средняя цена квартиры в Норланде упала на 2 процента за год, сообщила статистическая "
     "служба Норланда."),
]

JORDAN_SPORT = [
    "On Friday night Jordan scored 41 points as the Chicago Bulls beat the Boston Celtics at "
    "the United Center.",
    "In Utah the Chicago Bulls clinched the title when Jordan hit a late jumper.",
    "Coaches of the Chicago Bulls rested Jordan against the Detroit Pistons after a long road "
    "trip.",
]
JORDAN_COUNTRY = [
    "On Monday Jordan reopened its border crossing with Syria, officials in Amman said, as "
    "trucks queued near Ramtha.",
    "Officials in Amman said Jordan would host talks on water sharing with Syria next month.",
]


def _store_topics(store: Store) -> dict[tuple[str, int], tuple[str, str, frozenset[int]]]:
    """key, sense -> (name, slug, member articles), for every topic."""
    return {(t.key, t.sense): (t.name, t.slug, frozenset(store.topics.members(t.id)))
            for t in store.topics.everything()}


def _norland(store: Store) -> dict[int, str]:
    outlets = [_outlet(store, n) for n in range(4)]
    ids = {}
    for i, (language, title, text) in enumerate(NORLAND):
        aid = _add(store, outlets[i], f"nor{i}", title, text, T0 + timedelta(days=i))
        store.articles.update(aid, language=language)
        ids[aid] = language
    return ids


def test_one_topic_across_scripts(store: Store, settings: Settings) -> None:
    ids = _norland(store)
    stage.run_pending(store, settings)
    (topic,) = [t for t in store.topics.everything() if t.key == name_key(["Norland"])]
    assert set(store.topics.members(topic.id)) == set(ids)  # English and Russian reports
    assert topic.name == "Norland" and topic.slug == "norland"  # the site's script (en)
    assert topic.story_count >= 2 and topic.article_count == 4
    listed, total = store.topics.listed(limit=50, offset=0)
    assert topic.id in {t.id for t in listed} and total == len(listed)


def test_one_name_two_things(store: Store, settings: Settings) -> None:
    sport, country = _outlet(store, 1), _outlet(store, 2)
    ids_sport = [_add(store, sport, f"s{i}", f"Bulls game {i}", text, T0 + timedelta(days=3 * i))
                 for i, text in enumerate(JORDAN_SPORT)]
    ids_country = [_add(store, country, f"c{i}", f"Border news {i}", text,
                        T0 + timedelta(days=10 + 3 * i))
                   for i, text in enumerate(JORDAN_COUNTRY)]
    late_sport = _add(store, sport, "s9", "Bulls win again",
                      "Once again Jordan led the Chicago Bulls past the New York Knicks.",
                      T0 + timedelta(days=20))
    stage.run_pending(store, settings)
    senses = {t.sense: set(store.topics.members(t.id)) for t in store.topics.everything()
              if t.key == name_key(["Jordan"])}
    assert senses == {1: {*ids_sport, late_sport}, 2: set(ids_country)}


def test_recluster_rebuilds_the_same_topics(store: Store, settings: Settings) -> None:
    _norland(store)
    other = _outlet(store, 7)
    for i, text in enumerate(JORDAN_SPORT + JORDAN_COUNTRY):
        _add(store, other, f"j{i}", f"Report {i}", text, T0 + timedelta(days=5 + 2 * i))
    stage.run_pending(store, settings)
    first = _store_topics(store)
    assert first
    recluster(store, settings)
    assert _store_topics(store) == first
    recluster(store, settings, since=T0 + timedelta(days=9))
    assert _store_topics(store) == first


def test_topic_pages_api_and_feed(store: Store, settings: Settings) -> None:
    ids = _norland(store)
    stage.run_pending(store, settings)
    with TestClient(create_app(settings, store)) as client:
        listed = client.get("/api/topics", params={"limit": 100})
        assert listed.status_code == 200
        body = listed.json()
        assert body["total"] >= 1 and "norland" in {t["slug"] for t in body["topics"]}
        assert client.get("/api/topics", params={"limit": 1000}).status_code == 400
        one = client.get("/api/topics/norland").json()
        assert one["topic"]["name"] == "Norland" and one["total"] == len(one["stories"]) >= 2
        times = [s["last_published_at"] for s in one["stories"]]
        assert times == sorted(times, reverse=True)  # newest first
        shown = {a for s in one["stories"] for a in s["article_ids"]}
        assert shown == set(ids)
        page = client.get("/topics/norland")
        assert page.status_code == 200 and "Norland" in page.text
        assert '<link rel="canonical" href="http://testserver/topics/norland">' in page.text
        feed = client.get("/topics/norland/feed.json").json()
        assert len(feed["items"]) == 4
        article = client.get(f"/articles/{min(ids)}").text
        assert 'href="/topics/norland"' in article
        assert client.get("/topics/no-such-topic").status_code == 404
        assert client.get("/api/topics/no-such-topic").status_code == 404
        assert client.get("/topics/" + "x" * 500).status_code == 404
