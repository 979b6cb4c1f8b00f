"""Hostile strings in stored rows come out escaped or sanitized on every page and feed.

The rows are written straight into the store (as a careless importer or an old version might
have), so the test proves the pages themselves never let script through.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import lxml.etree
import lxml.html
import pytest
from starlette.testclient import TestClient

from tidings.store import Store
from tidings.store.schema import articles, sources, stories

SCRIPT = '<script>alert("XSS-1")</script>'
IMG = '<img src=x onerror="alert(\'XSS-2\')">'
SVG = '<svg/onload=alert("XSS-3")>'
BREAKOUT = '"><script>alert("XSS-4")</script>'
JS_URL = 'javascript:alert("XSS-5")'
IFRAME = '<iframe src="javascript:alert(\'XSS-6\')"></iframe>'
STYLE = '<a href="#" style="background:url(javascript:alert(1))" onclick="alert(\'XSS-7\')">x</a>'
META = '<meta http-equiv="refresh" content="0;url=javascript:alert(\'XSS-8\')">'
CLOSE_TITLE = '</title><script>alert("XSS-9")</script>'
TEMPLATE = '{{ 7*7 }}{% raw %}'

HOSTILE = " ".join([SCRIPT, IMG, SVG, BREAKOUT, IFRAME, STYLE, META, CLOSE_TITLE, TEMPLATE])


@pytest.fixture
def hostile(accounts: Store) -> dict[str, int]:
    now = datetime.now(UTC) - timedelta(minutes=5)
    with accounts.db.write() as conn:
        sid = conn.execute(sources.insert().values(
            name="Evil " + BREAKOUT + SCRIPT, url=JS_URL, category=IMG, created_at=now,
        ).returning(sources.c.id)).scalar_one()
        story = conn.execute(stories.insert().values(
            title="Story " + HOSTILE, first_published_at=now, last_published_at=now,
            image_url=JS_URL, created_at=now, updated_at=now,
        ).returning(stories.c.id)).scalar_one()
        aid = conn.execute(articles.insert().values(
            source_id=sid, entry_key="evil", title="Headline " + HOSTILE,
            url=JS_URL, canonical_url=JS_URL, author=CLOSE_TITLE + IMG,
            published_at=now, fetched_at=now, summary="Summary xsswords " + HOSTILE,
            content_html="<p>Body xsswords</p>" + HOSTILE,
            content_text="Body text xsswords " + HOSTILE, image_url='x" onerror="alert(1)',
            attribution=SCRIPT, story_id=story, extract_state="done", cluster_state="done",
        ).returning(articles.c.id)).scalar_one()
    accounts.search_index.run()  # indexed, so search results and snippets show the row too
    return {"source": sid, "story": story, "article": aid}


def assert_no_script(html: str, where: str) -> None:
    """Parse like a browser would and look for anything that could run."""
    doc = lxml.html.document_fromstring(html)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag == "script" and el.get("type") == "application/ld+json":
            # a data block (JSON-LD): never run, and nothing in it may end the element
            assert "<" not in (el.text or "") and not el.get("src"), where
            json.loads(el.text or "")
            continue
        if tag == "script":
            assert el.get("src") and not (el.text or "").strip(), f"inline script in {where}"
            assert not el.get("src", "").lower().startswith(("javascript:", "data:", "http")), where
        assert tag not in ("iframe", "object", "embed", "base", "frame"), f"<{tag}> in {where}"
        if tag == "meta":
            assert (el.get("http-equiv") or "").lower() != "refresh", f"meta refresh in {where}"
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), f"{name}= on <{tag}> in {where}"
            if name.lower() in ("href", "src", "action", "formaction", "srcset", "poster",
                                "xlink:href"):
                assert "javascript:" not in value.lower().replace(" ", ""), \
                    f"javascript: URL in {name} of <{tag}> in {where}"
            if name.lower() == "style":
                assert "javascript" not in value.lower(), f"script in style in {where}"
    assert "XSS-" not in "".join(doc.xpath("//script[not(@type='application/ld+json')]/text()")), \
        where


def test_pages_escape_hostile_rows(client: TestClient, hostile: dict[str, int]) -> None:
    pages = ["/", f"/articles/{hostile['article']}", f"/stories/{hostile['story']}",
             f"/sources/{hostile['source']}", "/search?q=xsswords", "/search?q=" + quote(HOSTILE),
             "/no/such/" + quote(SCRIPT), "/api/" + quote(SCRIPT)]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        if "html" in response.headers.get("content-type", ""):
            assert_no_script(response.text, path)
    # the hostile title is shown as text, not dropped
    article = client.get(f"/articles/{hostile['article']}").text
    assert "Headline" in article and "&lt;script&gt;" in article


def test_admin_pages_escape_hostile_rows(admin_client: TestClient,
                                         hostile: dict[str, int]) -> None:
    for path in ("/admin", f"/admin/sources/{hostile['source']}",
                 "/admin?done=" + quote(SCRIPT), "/login?next=" + quote(BREAKOUT)):
        response = admin_client.get(path)
        assert response.status_code == 200
        assert_no_script(response.text, path)


def test_feeds_carry_no_markup_that_runs(client: TestClient, hostile: dict[str, int]) -> None:
    for path in ("/feed.xml", "/feed.atom"):
        body = client.get(path).content
        root = lxml.etree.fromstring(body)  # well-formed XML despite the payloads
        for el in root.iter():
            if el.text and "<" in el.text and ("content" in str(el.tag) or
                                               "description" in str(el.tag)):
                assert_no_script(el.text, path)
    feed = client.get("/feed.json").json()
    for item in feed["items"]:
        if item.get("content_html"):
            assert_no_script(item["content_html"], "/feed.json")


def test_api_content_html_is_sanitized(client: TestClient, hostile: dict[str, int]) -> None:
    data = client.get(f"/api/articles/{hostile['article']}").json()
    assert_no_script(data["content_html"], "/api/articles/{id}")
    # JSON is served as JSON, so a browser never renders the strings as HTML
    response = client.get("/api/articles")
    assert response.headers["content-type"].startswith("application/json")
    assert json.loads(response.text)["total"] >= 1
