"""What machines read: meta tags, canonical URLs, JSON-LD, sitemaps and robots.txt."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

from starlette.testclient import TestClient

from tidings.config import Settings
from tidings.store import Store
from tidings.store.schema import articles
from tidings.web.app import create_app
from tidings.web.seo import json_ld

from .seeding import Seeded

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
BASE = "http://testserver"


class Head(HTMLParser):
    """The meta tags, links and JSON-LD blocks of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.json_ld: list[dict[str, object]] = []
        self.scripts: list[str | None] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (a.get("name") or a.get("property")):
            self.meta[str(a.get("name") or a.get("property"))] = a.get("content") or ""
        elif tag == "link" and a.get("rel") in ("canonical", "icon"):
            self.links[str(a["rel"])] = a.get("href") or ""
        elif tag == "script":
            # a same-origin file (static/live.js) counts as its path; inline code as None
            src = a.get("src")
            self.scripts.append(src.split("?")[0] if src and src.startswith("/static/")
                                else a.get("type"))
            self._in_ld = a.get("type") == "application/ld+json"

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = False if tag == "script" else self._in_ld

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld.append(json.loads(data))


def head(client: TestClient, path: str) -> Head:
    r = client.get(path)
    assert r.status_code == 200, r.text
    parsed = Head()
    parsed.feed(r.text)
    return parsed


def assert_social_tags(page: Head, canonical: str) -> None:
    assert page.links["canonical"] == canonical
    assert page.meta["og:url"] == canonical
    assert page.meta["description"] and len(page.meta["description"]) <= 160
    for key in ("og:title", "og:description", "og:type", "og:site_name", "twitter:card",
                "twitter:title", "twitter:description"):
        assert page.meta[key], key
    # data blocks and the site's own file only: nothing executable inline, so the CSP holds
    assert set(page.scripts) <= {"application/ld+json", "/static/live.js"}


def test_front_page_tags(sqlite_client: TestClient) -> None:
    page = head(sqlite_client, "/")
    assert_social_tags(page, BASE + "/")
    assert page.links["icon"] == "/static/favicon.svg"
    assert sqlite_client.get("/static/favicon.svg").status_code == 200
    (site,) = page.json_ld
    assert site["@type"] == "WebSite" and site["url"] == BASE + "/"


def test_article_news_article(sqlite_client: TestClient, sqlite_seeded: Seeded) -> None:
    aid = sqlite_seeded.articles["wire"]
    page = head(sqlite_client, f"/articles/{aid}")
    canonical = f"{BASE}/articles/{aid}"
    assert_social_tags(page, canonical)
    assert page.meta["og:type"] == "article"
    (doc,) = page.json_ld
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "NewsArticle"
    assert doc["headline"] == "Israel, Syria in direct contact over border tensions, sources say"
    assert doc["isBasedOn"] == "https://reuters.example/wire"
    assert doc["url"] == canonical
    assert str(doc["datePublished"]).startswith("2026-02-15T")
    assert doc["dateModified"]
    assert doc["publisher"] == {"@type": "Organization", "name": "Reuters Wire",
                                "url": "https://reuters.example"}
    assert isinstance(doc["author"], list) and doc["author"]


def test_story_item_list(sqlite_client: TestClient, sqlite_seeded: Seeded) -> None:
    sid = sqlite_seeded.stories["border"]
    page = head(sqlite_client, f"/stories/{sid}")
    assert_social_tags(page, f"{BASE}/stories/{sid}")
    assert page.meta["twitter:card"] == "summary_large_image"
    assert page.meta["og:image"] == "https://img.example/border.jpg"
    (doc,) = page.json_ld
    assert doc["@type"] == "ItemList"
    items = doc["itemListElement"]
    assert isinstance(items, list) and doc["numberOfItems"] == len(items) >= 2
    assert [i["position"] for i in items] == list(range(1, len(items) + 1))
    assert f"{BASE}/articles/{sqlite_seeded.articles['wire']}" in {i["url"] for i in items}


def test_search_and_errors_are_noindex(sqlite_client: TestClient) -> None:
    assert head(sqlite_client, "/search?q=border").meta["robots"].startswith("noindex")
    r = sqlite_client.get("/articles/999999")
    assert r.status_code == 404 and 'name="robots" content="noindex' in r.text
    assert '<meta name="description"' in r.text


def test_json_ld_cannot_close_its_script() -> None:
    hostile = "</script><script>alert(1)</script> & <!--"
    text = str(json_ld({"@type": "Thing", "name": hostile}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == hostile


def test_hostile_title_stays_inside_json(sqlite_client: TestClient, sqlite_store: Store,
                                         sqlite_seeded: Seeded) -> None:
    aid = sqlite_seeded.articles["wire"]
    with sqlite_store.db.write() as conn:
        conn.execute(articles.update().where(articles.c.id == aid)
                     .values(title='</script><img src=x onerror="alert(1)">'))
    sqlite_client.app.state.site.cache.clear()  # type: ignore[attr-defined]
    r = sqlite_client.get(f"/articles/{aid}")
    assert "<img src=x" not in r.text
    page = Head()
    page.feed(r.text)
    assert page.json_ld[0]["headline"] == '</script><img src=x onerror="alert(1)">'


def _xml(client: TestClient, path: str) -> ET.Element:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    return ET.fromstring(r.content)


def test_sitemap_index_and_pages(client: TestClient, seeded: Seeded) -> None:
    index = _xml(client, "/sitemap.xml")
    assert index.tag == f"{SM}sitemapindex"
    listed = [s.findtext(f"{SM}loc") for s in index.findall(f"{SM}sitemap")]
    assert f"{BASE}/sitemaps/pages.xml" in listed and f"{BASE}/sitemaps/news.xml" in listed
    urls: set[str] = set()
    for loc in listed:
        assert loc is not None and loc.startswith(BASE + "/sitemaps/")
        child = _xml(client, loc.removeprefix(BASE))
        assert child.tag == f"{SM}urlset"
        for url in child.findall(f"{SM}url"):
            urls.add(str(url.findtext(f"{SM}loc")))
            lastmod = url.findtext(f"{SM}lastmod")
            assert lastmod is None or lastmod[:4] == "2026"
    for aid in seeded.articles.values():
        assert f"{BASE}/articles/{aid}" in urls
    for sid in seeded.stories.values():
        assert f"{BASE}/stories/{sid}" in urls
    assert f"{BASE}/sources/{seeded.sources['Gazzetta']}" in urls
    assert client.get("/sitemaps/articles-999.xml").status_code == 404


def test_news_sitemap_last_two_days(client: TestClient, store: Store, seeded: Seeded) -> None:
    root = _xml(client, "/sitemaps/news.xml")
    entries = root.findall(f"{SM}url")
    assert entries
    ids = set()
    for url in entries:
        news = url.find(f"{NEWS}news")
        assert news is not None
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == "tidings"
        assert news.findtext(f"{NEWS}publication/{NEWS}language")
        assert news.findtext(f"{NEWS}title")
        date = datetime.fromisoformat(str(news.findtext(f"{NEWS}publication_date")))
        assert seeded.now - timedelta(days=2) <= date <= seeded.now + timedelta(days=1)
        ids.add(int(str(url.findtext(f"{SM}loc")).rsplit("/", 1)[1]))
    with store.db.read() as conn:
        old = {int(i) for i in conn.execute(articles.select().with_only_columns(articles.c.id)
               .where(articles.c.published_at < seeded.now - timedelta(days=2))).scalars()}
        copies = {int(i) for i in conn.execute(articles.select().with_only_columns(articles.c.id)
                  .where(articles.c.duplicate_of.is_not(None))).scalars()}
    assert old and not ids & old  # older articles are left out
    assert not ids & copies  # wire copies are not news of their own


def test_robots_names_the_sitemaps(sqlite_client: TestClient) -> None:
    r = sqlite_client.get("/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    lines = r.text.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert f"Sitemap: {BASE}/sitemaps/news.xml" in lines
    assert "Disallow: /admin" in lines and "Disallow: /api/" in lines
    for line in lines:  # every line is a known directive, a comment or blank
        assert not line or line.split(":", 1)[0] in ("User-agent", "Disallow", "Allow",
                                                       "Sitemap")


def test_public_url_is_the_canonical_base(web_settings: Settings, sqlite_store: Store,
                                          sqlite_seeded: Seeded) -> None:
    app = create_app(web_settings.replace(public_url="https://news.example.org/"), sqlite_store)
    with TestClient(app) as client:
        aid = sqlite_seeded.articles["wire"]
        assert head(client, f"/articles/{aid}").links["canonical"] == \
            f"https://news.example.org/articles/{aid}"
        assert "Sitemap: https://news.example.org/sitemap.xml" in client.get("/robots.txt").text
