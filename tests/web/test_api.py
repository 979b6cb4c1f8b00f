"""The JSON API contract of DESIGN.md, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from starlette.testclient import TestClient

from tidings.store import Store

from .seeding import Seeded, seed

ARTICLE_KEYS = {"id", "url", "title", "source", "published_at", "fetched_at", "language",
                "summary", "content_html", "content_text", "image_url", "author", "attribution",
                "views", "story_id", "duplicate_of"}
STORY_KEYS = {"id", "title", "article_ids", "sources", "first_published_at",
              "last_published_at", "views", "score"}


def assert_iso_with_offset(value: str) -> None:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None and parsed.utcoffset() is not None, value


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_latest_is_every_article_newest_first_with_seed_labels(client: TestClient,
                                                               seeded: Seeded) -> None:
    r = client.get("/api/latest")
    assert r.status_code == 200
    body = r.json()
    items = body["items"]
    assert body["total"] == len(seeded.articles)
    # wire copies included
    assert {i["id"] for i in items} == set(seeded.articles.values())
    times = [i["published_at"] for i in items]
    assert times == sorted(times, reverse=True)
    for item in items:
        assert set(item) >= {"id", "title", "url", "views", "published_at", "time_label"}
        assert isinstance(item["id"], int)
        assert_iso_with_offset(item["published_at"])
    labels = {i["id"]: i["time_label"] for i in items}
    assert labels[seeded.articles["own"]] == "11:00"          # today (UTC, now 12:00)
    assert labels[seeded.articles["arch"]] == "Yesterday, 06:00"
    assert labels[seeded.articles["old"]] == "13.02.2026, 00:18"


def test_limit_default_max_and_offset(store: Store, client: TestClient, seeded: Seeded) -> None:
    seed_more = seed(store, extra_latest=130)
    total = len(seeded.articles) + len(seed_more.articles)
    r = client.get("/api/latest")
    assert len(r.json()["items"]) == 20
    assert r.json()["total"] == total
    r = client.get("/api/latest?limit=100")
    assert len(r.json()["items"]) == 100
    first = client.get("/api/latest?limit=5").json()["items"]
    second = client.get("/api/latest?limit=5&offset=5").json()["items"]
    assert not {i["id"] for i in first} & {i["id"] for i in second}
    assert client.get("/api/latest?limit=10&offset=5").json()["items"][:5] == second
    for path in ("/api/latest?limit=201", "/api/articles?limit=100000", "/api/stories?limit=999"):
        r = client.get(path)
        assert r.status_code == 400
        assert r.json()["error"]["status"] == 400


@pytest.mark.parametrize("path", [
    "/api/latest?limit=abc", "/api/latest?limit=0", "/api/latest?offset=-1",
    "/api/articles?source=x", "/api/articles/abc", "/api/stories/1.5", "/api/search",
    "/api/search?q=a&since=yesterday", "/api/latest?limit=99999999999999999999999",
    "/api/search?q=x&language=%3Cscript%3E", "/api/sources/abc",
])
def test_malformed_parameters_are_400_never_500(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 422), (path, r.status_code, r.text)
    error = r.json()["error"]
    assert error["status"] == r.status_code and error["message"]


@pytest.mark.parametrize("path", ["/api/articles/987654", "/api/stories/987654",
                                  "/api/sources/987654", "/api/articles/99999999999999999999",
                                  "/api/nothing-here"])
def test_unknown_ids_are_json_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"error": {"status": 404, "message": r.json()["error"]["message"]}}


def test_articles_shape_and_filters(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/api/articles?limit=100").json()
    assert body["total"] == len(seeded.articles)
    for a in body["articles"]:
        assert set(a) >= ARTICLE_KEYS
        assert_iso_with_offset(a["published_at"])
        assert_iso_with_offset(a["fetched_at"])
        assert set(a["source"]) == {"id", "name", "url"}
    by_id = {a["id"]: a for a in body["articles"]}
    copy = by_id[seeded.articles["copy"]]
    assert copy["duplicate_of"] == seeded.articles["wire"]
    assert copy["attribution"] == "Reuters"
    assert by_id[seeded.articles["arch"]]["attribution"] is None
    gazzetta = seeded.sources["Gazzetta"]
    only = client.get(f"/api/articles?source={gazzetta}").json()
    assert only["total"] == 2 and {a["source"]["id"] for a in only["articles"]} == {gazzetta}
    found = client.get("/api/articles?q=meledugno").json()
    assert seeded.articles["arch"] in {a["id"] for a in found["articles"]}


def test_one_article(client: TestClient, seeded: Seeded) -> None:
    aid = seeded.articles["wire"]
    a = client.get(f"/api/articles/{aid}").json()
    assert set(a) >= ARTICLE_KEYS
    assert a["id"] == aid and a["story_id"] == seeded.stories["border"]
    assert a["views"] == 116


def test_stories_by_score_and_merged_ids(client: TestClient, store: Store,
                                         seeded: Seeded) -> None:
    body = client.get("/api/stories").json()
    assert body["total"] == 2
    scores = [s["score"] for s in body["stories"]]
    assert scores == sorted(scores, reverse=True)
    top = body["stories"][0]
    assert set(top) >= STORY_KEYS
    assert top["id"] == seeded.stories["border"]  # three outlets, fresh
    assert {s["name"] for s in top["sources"]} == {"Reuters Wire", "Daily Planet", "Gazzetta"}
    assert sorted(top["article_ids"]) == sorted(
        seeded.articles[k] for k in ("wire", "copy", "own"))
    one = client.get(f"/api/stories/{seeded.stories['arch']}").json()
    assert set(one) >= STORY_KEYS and one["id"] == seeded.stories["arch"]
    # merge "arch" into "border": the old id answers with the survivor
    from tidings.store.schema import stories
    with store.db.write() as conn:
        conn.execute(stories.update().where(stories.c.id == seeded.stories["arch"])
                     .values(merged_into=seeded.stories["border"]))
    client.app.state.site.cache.invalidate()  # type: ignore[attr-defined]
    client.app.state.site.cache.entries.clear()  # type: ignore[attr-defined]
    merged = client.get(f"/api/stories/{seeded.stories['arch']}").json()
    assert merged["id"] == seeded.stories["border"]


def test_search_ranked_with_filters_and_cjk(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/api/search?q=syria+border").json()
    ids = [a["id"] for a in body["articles"]]
    assert seeded.articles["wire"] in ids and seeded.articles["arch"] not in ids
    assert body["total"] == len(ids)
    assert set(body["articles"][0]) >= ARTICLE_KEYS
    # the headline match ranks first
    assert ids[0] in (seeded.articles["wire"], seeded.articles["copy"])
    # CJK: a word inside a sentence
    cjk = client.get("/api/search?q=大雪").json()
    assert [a["id"] for a in cjk["articles"]] == [seeded.articles["cjk"]]
    assert client.get("/api/search?q=交通").json()["total"] == 1
    # filters
    planet = seeded.sources["Daily Planet"]
    only = client.get(f"/api/search?q=arch&source={planet}").json()
    assert [a["id"] for a in only["articles"]] == [seeded.articles["arch2"]]
    italian = client.get("/api/search?q=siria&language=it").json()
    assert [a["id"] for a in italian["articles"]] == [seeded.articles["own"]]
    dated = client.get("/api/search?q=arch&since=2026-02-14&until=2026-02-14").json()
    assert {a["id"] for a in dated["articles"]} == {seeded.articles["arch"],
                                                    seeded.articles["arch2"]}
    assert client.get("/api/search?q=arch&since=2026-02-15").json()["total"] == 0
    assert client.get("/api/search?q=zzzzqqq").json() == {"articles": [], "total": 0,
                                                          "query": "zzzzqqq"}


def test_search_survives_fts_syntax(client: TestClient) -> None:
    for q in ['"', "AND OR NOT", "a*b(", "NEAR(", "'; DROP TABLE articles; --", "-x"]:
        r = client.get("/api/search", params={"q": q})
        assert r.status_code == 200, (q, r.text)


def test_sources(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/api/sources").json()
    assert body["total"] == 4
    assert {s["name"] for s in body["sources"]} == set(seeded.sources)
    assert all(isinstance(s["id"], int) for s in body["sources"])
    one = client.get(f"/api/sources/{seeded.sources['Gazzetta']}").json()
    assert one["source"]["name"] == "Gazzetta" and one["total"] == 2


def test_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/latest", "/api/articles", "/api/articles/{id}", "/api/stories",
                 "/api/stories/{id}", "/api/search", "/api/sources"):
        assert path in spec["paths"]


def test_etag_and_304(client: TestClient) -> None:
    first = client.get("/api/latest")
    etag = first.headers["etag"]
    assert first.headers["last-modified"]
    again = client.get("/api/latest", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = client.get("/api/latest", headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
