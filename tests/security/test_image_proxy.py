"""The image proxy serves only images this site linked, only from addresses the guard allows.

The images come from the loopback fixture server; with ``allow_private`` off the same server
must be unreachable through the proxy. Private-range names go through a stub resolver, so no
test ever connects anywhere but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import httpcore2
import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from fixtures_server import FixtureServer
from tidings.config import Settings
from tidings.errors import BlockedAddressError, FetchError
from tidings.store import Store
from tidings.store.schema import articles, sources, stories
from tidings.web.app import create_app
from tidings.web.auth import load_secret
from tidings.web.imagelinks import ImageLinks
from tidings.web.imageproxy import MAX_IMAGE_BYTES, ImageProxy


def png(width: int = 1, height: int = 1, padding: int = 0) -> bytes:
    """A real, decodable PNG (RGB, one colour), optionally padded with an ancillary chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\xcc\x33\x00" * width for _ in range(height))
    out = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)))
    if padding:
        out += chunk(b"tEXt", b"pad\x00" + b"x" * padding)
    return out + chunk(b"IEND", b"")


PNG = png(2, 2)


def proxy_settings(settings: Settings, **changes: object) -> Settings:
    return settings.replace(secret_key="s" * 40, image_proxy=True, read_flush_seconds=0.05,
                            **changes)


def the_proxy(client: TestClient) -> ImageProxy:
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.path == "/img/{signature}":
            proxy = route.endpoint.__self__  # type: ignore[attr-defined]
            assert isinstance(proxy, ImageProxy)
            return proxy
    raise AssertionError("no image proxy route")


@pytest.fixture
def proxied(settings: Settings, accounts: Store) -> Iterator[TestClient]:
    with TestClient(create_app(proxy_settings(settings), accounts)) as c:
        yield c


def link(settings: Settings, url: str) -> str:
    path = ImageLinks(load_secret(proxy_settings(settings))).proxy_url(url)
    assert path is not None
    return path


def test_signed_link_serves_the_image_with_cache_headers(proxied: TestClient, settings: Settings,
                                                         feed_server: FixtureServer) -> None:
    url = feed_server.add("/lead.png", PNG, content_type="image/png",
                          headers={"Set-Cookie": "track=reader1; Path=/"})
    other = feed_server.add("/second.png", PNG, content_type="image/png")
    response = proxied.get(link(settings, url), headers={"Cookie": "tidings_session=secret",
                                                          "Referer": "http://site/articles/1"})
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert "immutable" in response.headers["cache-control"]
    assert re.search(r"max-age=\d{7,}", response.headers["cache-control"])
    assert response.headers["x-content-type-options"] == "nosniff"
    etag = response.headers["etag"]
    # the browser's revalidation: 304, and answered from the in-process cache
    again = proxied.get(link(settings, url), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert feed_server.count("/lead.png") == 1
    assert proxied.get(link(settings, other)).content == PNG
    # nothing of the reader reaches the image host, and its cookie is not kept for the next
    for hit in feed_server.requests("/lead.png") + feed_server.requests("/second.png"):
        assert "cookie" not in hit.headers and "referer" not in hit.headers
        assert "image/" in hit.headers["accept"]


def test_missing_or_wrong_signature_is_refused(proxied: TestClient, settings: Settings,
                                               feed_server: FixtureServer) -> None:
    url = feed_server.add("/lead.png", PNG, content_type="image/png")
    good = link(settings, url)
    signature = good.split("?")[0].removeprefix("/img/")
    elsewhere = feed_server.add("/other.png", PNG, content_type="image/png")
    forged = [
        f"/img/{signature}?u={elsewhere}",  # a valid signature, for another URL
        f"/img/{'A' * len(signature)}?u={url}",
        f"/img/{signature}",  # no URL
        f"/img/{signature[:-1]}?u={url}",
        "/img/?u=" + url,
    ]
    for path in forged:
        response = proxied.get(path)
        assert response.status_code in (403, 404), path
        assert "Traceback" not in response.text
    forged_reply = proxied.get(forged[0])
    assert forged_reply.json()["error"]["status"] == 403
    # signed with another secret: refused too
    assert proxied.get(ImageLinks("t" * 40).proxy_url(url) or "").status_code == 403
    assert feed_server.count() == 0


def test_proxy_route_is_absent_when_off(settings: Settings, accounts: Store,
                                        feed_server: FixtureServer) -> None:
    url = feed_server.add("/lead.png", PNG, content_type="image/png")
    off = settings.replace(secret_key="s" * 40)
    with TestClient(create_app(off, accounts)) as c:
        assert c.get(link(settings, url)).status_code == 404
    assert feed_server.count() == 0


@pytest.mark.parametrize(("content_type", "body"), [
    ("text/html", b"<html><script>alert(1)</script></html>"),
    ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("image/png", b"<html><script>alert(1)</script></html>"),  # labelled image, is not one
    ("application/octet-stream", PNG),
    ("", PNG),
])
def test_anything_but_a_raster_image_is_refused(proxied: TestClient, settings: Settings,
                                                feed_server: FixtureServer, content_type: str,
                                                body: bytes) -> None:
    url = feed_server.add("/thing", body, content_type=content_type or None)
    response = proxied.get(link(settings, url))
    assert response.status_code == 502
    assert response.json() == {"error": {"status": 502, "message": "image unavailable"}}
    # a failure is remembered for a while: a page showing it often does not refetch it
    assert proxied.get(link(settings, url)).status_code == 502
    assert feed_server.count("/thing") == 1


def test_oversized_images_are_refused(settings: Settings, accounts: Store,
                                      feed_server: FixtureServer) -> None:
    small_cap = proxy_settings(settings, max_body_bytes=64 * 1024)
    fits = feed_server.add("/fits.png", png(padding=60 * 1024), content_type="image/png")
    large = feed_server.add("/large.png", png(padding=70 * 1024), content_type="image/png")
    huge = feed_server.add("/huge.png", png(padding=MAX_IMAGE_BYTES), content_type="image/png")
    with TestClient(create_app(small_cap, accounts)) as c:
        assert c.get(link(settings, fits)).status_code == 200
        assert c.get(link(settings, large)).status_code == 502
    # the proxy's own cap holds even when the fetcher's cap is larger
    assert settings.max_body_bytes > MAX_IMAGE_BYTES
    with TestClient(create_app(proxy_settings(settings), accounts)) as c:
        assert c.get(link(settings, huge)).status_code == 502


def stub(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> Iterable[str]:
        if host not in table:
            raise FetchError(f"cannot resolve {host}")
        return table[host]
    return resolve


def test_guard_refuses_loopback_and_private_images(settings: Settings, accounts: Store,
                                                   feed_server: FixtureServer) -> None:
    feed_server.add("/lead.png", PNG, content_type="image/png")
    feed_server.redirect("/hop.png", "http://inside.example/lead.png", status=302)
    strict = proxy_settings(settings, allow_private=False)
    port = feed_server.port
    urls = [f"http://127.0.0.1:{port}/lead.png", f"http://localhost:{port}/lead.png",
            f"http://[::1]:{port}/lead.png", f"http://2130706433:{port}/lead.png",
            "http://inside.example/lead.png", "http://metadata.example/latest/meta-data",
            f"http://127.0.0.1:{port}/hop.png"]
    with TestClient(create_app(strict, accounts)) as c:
        the_proxy(c).resolver = stub({"localhost": ["127.0.0.1", "::1"],
                                      "inside.example": ["10.0.0.7"],
                                      "metadata.example": ["169.254.169.254"]})
        for url in urls:
            response = c.get(link(settings, url))
            assert response.status_code == 403, url
            assert response.json()["error"]["message"] == "image address not allowed"
        # a non-http scheme, even signed, is never fetched
        assert c.get(link(settings, "file:///etc/passwd")).status_code == 400
    assert feed_server.count() == 0


PUBLIC = "93.184.215.14"  # never contacted: the map below the guard sends it to 127.0.0.1


class LoopbackMap(httpcore2.AsyncNetworkBackend):
    """Below the guard: connects ``PUBLIC`` to 127.0.0.1 and refuses everything non-loopback."""

    def __init__(self) -> None:
        self.inner = httpcore2.AnyIOBackend()
        self.connected: list[str] = []

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore2.AsyncNetworkStream:
        self.connected.append(host)
        host = "127.0.0.1" if host == PUBLIC else host
        assert ipaddress.ip_address(host).is_loopback, f"tried to connect to {host}"
        return await self.inner.connect_tcp(host, port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def test_redirect_from_a_public_image_to_a_private_name_is_refused(
        settings: Settings, feed_server: FixtureServer) -> None:
    """A (stand-in) public image host redirects to a name of a private host: the hop is
    checked by the same guard; the public image itself is served."""
    port = feed_server.port
    feed_server.add("/lead.png", PNG, content_type="image/png")
    feed_server.redirect("/hop.png", f"http://printer.example:{port}/lead.png", status=302)
    strict = proxy_settings(settings, allow_private=False)
    proxy = ImageProxy(strict, ImageLinks("s" * 40),
                       resolver=stub({"images.example": [PUBLIC],
                                      "printer.example": ["192.168.1.20"]}))
    below = LoopbackMap()

    async def go() -> tuple[bytes, str]:
        fetcher = proxy._fetcher()
        fetcher.client._transport._pool._network_backend.inner = below  # type: ignore[attr-defined]
        try:
            image = await proxy.fetch(f"http://images.example:{port}/lead.png")
            with pytest.raises(BlockedAddressError) as info:
                await proxy.fetch(f"http://images.example:{port}/hop.png")
            return image.body, str(info.value)
        finally:
            await proxy.aclose()

    body, refusal = asyncio.run(go())
    assert body == PNG and "\n" not in refusal
    assert [h.path for h in feed_server.hits] == ["/lead.png", "/hop.png"]
    assert set(below.connected) == {PUBLIC}


@pytest.fixture
def with_images(accounts: Store, feed_server: FixtureServer) -> dict[str, object]:
    now = datetime.now(UTC) - timedelta(minutes=5)
    image = feed_server.add("/lead.png", PNG, content_type="image/png")
    with accounts.db.write() as conn:
        sid = conn.execute(sources.insert().values(
            name="Wire", url="https://wire.example/feed", created_at=now,
        ).returning(sources.c.id)).scalar_one()
        story = conn.execute(stories.insert().values(
            title="A story with a picture", first_published_at=now, last_published_at=now,
            image_url=image, created_at=now, updated_at=now,
        ).returning(stories.c.id)).scalar_one()
        aid = conn.execute(articles.insert().values(
            source_id=sid, entry_key="a1", title="A picture", url="https://wire.example/a1",
            canonical_url="https://wire.example/a1", published_at=now, fetched_at=now,
            summary="Summary", content_text="Body", image_url=image, story_id=story,
            extract_state="done", cluster_state="done",
        ).returning(articles.c.id)).scalar_one()
        own = conn.execute(articles.insert().values(
            source_id=sid, entry_key="a2", title="Own picture", url="https://wire.example/a2",
            canonical_url="https://wire.example/a2", published_at=now - timedelta(minutes=1),
            fetched_at=now, content_text="Body", image_url="/static/logo.png",
            extract_state="done", cluster_state="done",
        ).returning(articles.c.id)).scalar_one()
    return {"image": image, "article": aid, "own": own, "story": story}


def test_pages_and_api_show_proxied_images_and_csp_allows_only_self(
        settings: Settings, accounts: Store, with_images: dict[str, object],
        feed_server: FixtureServer) -> None:
    image = str(with_images["image"])
    with TestClient(create_app(proxy_settings(settings), accounts)) as c:
        body = c.get("/api/articles").json()
        shown = {a["id"]: a["image_url"] for a in body["articles"]}
        proxied = shown[with_images["article"]]
        assert proxied.startswith("/img/") and unquote(proxied.split("?u=")[1]) == image
        assert shown[with_images["own"]] == "/static/logo.png"
        assert c.get(proxied).content == PNG
        stories_shown = c.get("/api/stories").json()["stories"]
        assert [s["image_url"] for s in stories_shown] == [proxied]
        page = c.get(f"/articles/{with_images['article']}")
        assert f'src="{proxied}"' in page.text
        assert image not in page.text.replace(unquote(proxied), "")
        front = c.get("/")
        assert f'src="{proxied}"' in front.text
        csp = front.headers["content-security-policy"]
        assert "img-src 'self' data:;" in csp and "https:" not in csp
        # feeds are read elsewhere: they carry the same links, made absolute
        items = c.get("/feed.json").json()["items"]
        assert {i.get("image") for i in items} == {"http://testserver" + proxied,
                                                   "http://testserver/static/logo.png"}
    with TestClient(create_app(settings.replace(secret_key="s" * 40), accounts)) as c:
        body = c.get("/api/articles").json()
        assert {a["image_url"] for a in body["articles"]} == {image, "/static/logo.png"}
        assert "https:" in c.get("/").headers["content-security-policy"]


BODY = ('<p>Before <img src="https://pub.example/a.jpg" alt="A chart" '
        'srcset="https://pub.example/a-2x.jpg 2x, https://pub.example/a-3x.jpg 3x"> after '
        '&lt;b&gt;</p><picture><source srcset="https://pub.example/b.webp" type="image/webp">'
        '<img src="https://pub.example/b.jpg"></picture><p>Own <img src="/static/logo.png"></p>')


@pytest.fixture
def body_images(accounts: Store) -> int:
    now = datetime.now(UTC) - timedelta(minutes=5)
    with accounts.db.write() as conn:
        sid = conn.execute(sources.insert().values(
            name="Pub", url="https://pub.example/feed", created_at=now,
        ).returning(sources.c.id)).scalar_one()
        aid: int = conn.execute(articles.insert().values(
            source_id=sid, entry_key="b1", title="Pictures inside", url="https://pub.example/b1",
            canonical_url="https://pub.example/b1", published_at=now, fetched_at=now,
            content_html=BODY, content_text="Before after", extract_state="done",
            cluster_state="done",
        ).returning(articles.c.id)).scalar_one()
    return aid


def test_images_inside_article_bodies_go_through_the_proxy(
        settings: Settings, accounts: Store, body_images: int) -> None:
    expected = [link(settings, "https://pub.example/a.jpg"),
                link(settings, "https://pub.example/b.jpg")]
    with TestClient(create_app(proxy_settings(settings), accounts)) as c:
        html = c.get(f"/api/articles/{body_images}").json()["content_html"]
        page = c.get(f"/articles/{body_images}").text
    for shown in (html, page):
        srcs = re.findall(r'<img [^>]*src="([^"]*)"', shown)
        assert [s.replace("&amp;", "&") for s in srcs] == [*expected, "/static/logo.png"]
        # no publisher URL is left in any attribute (the proxied ones carry it only quoted)
        assert "pub.example/a" not in shown and "pub.example/b." not in shown
        assert "srcset" not in shown and "<source" not in shown
        assert 'alt="A chart"' in shown and "after &lt;b&gt;" in shown
    assert "<b>" not in html
    # the signed links are the ones the proxy accepts
    assert all(unquote(e.split("?u=")[1]).startswith("https://pub.example/") for e in expected)


def test_article_bodies_are_unchanged_with_the_proxy_off(
        settings: Settings, accounts: Store, body_images: int) -> None:
    with TestClient(create_app(settings.replace(secret_key="s" * 40), accounts)) as c:
        html = c.get(f"/api/articles/{body_images}").json()["content_html"]
        page = c.get(f"/articles/{body_images}").text
    assert '<img src="https://pub.example/a.jpg"' in html and "/img/" not in html
    assert "srcset=" in html and "<source" in html
    assert 'src="https://pub.example/a.jpg"' in page and 'src="https://pub.example/b.jpg"' in page
