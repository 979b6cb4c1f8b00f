"""XML and decompression bombs, XXE, and oversized bodies: capped, refused, never expanded."""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib

import brotli
import pytest

from tidings.config import Settings
from tidings.errors import FetchError, ParseError
from tidings.fetch.http import Fetcher
from tidings.parse.feed import parse_feed

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><description>&lol9;</description><link>http://x.example/1</link></item>
</channel></rss>"""

QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"A" * 50_000 + b'">]>'
             b"<rss><channel><title>t</title><item><title>" + b"&a;" * 50_000
             + b"</title></item></channel></rss>")

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">
 <!ENTITY remote SYSTEM "http://127.0.0.1:9/steal">]>
<rss version="2.0"><channel><title>x</title>
<item><title>leak &xxe; &remote;</title><description>&xxe;</description>
<link>http://x.example/1</link></item></channel></rss>"""


def _parse_bounded(data: bytes) -> tuple[object, float]:
    started = time.monotonic()
    try:
        result: object = parse_feed(data, "http://x.example/feed")
    except ParseError as exc:
        result = exc
    return result, time.monotonic() - started


@pytest.mark.parametrize("bomb", [BILLION_LAUGHS, QUADRATIC], ids=["billion-laughs", "quadratic"])
def test_xml_bombs_are_not_expanded(bomb: bytes) -> None:
    result, elapsed = _parse_bounded(bomb)
    assert elapsed < 10
    if isinstance(result, ParseError):
        assert "\n" not in str(result)
        return
    feed = result
    sizes = [len(e.title or "") + len(e.summary or "") + len(e.content_html or "")
             for e in feed.entries]  # type: ignore[attr-defined]
    assert all(size < 1_000_000 for size in sizes)
    assert len(feed.title or "") < 1_000_000  # type: ignore[attr-defined]


def test_external_entities_are_never_resolved(feed_server) -> None:  # type: ignore[no-untyped-def]
    result, _ = _parse_bounded(XXE)
    if not isinstance(result, ParseError):
        text = " ".join((e.title or "") + (e.summary or "") + (e.content_html or "")
                        for e in result.entries)  # type: ignore[attr-defined]
        assert "root:" not in text
    assert feed_server.count() == 0


def _gzip_bomb(size: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"\0" * (1 << 20)
    return b"".join([z.compress(block) for _ in range(size >> 20)] + [z.flush()])


@pytest.mark.parametrize("coding", ["gzip", "br", "deflate"])
def test_decompression_bomb_is_capped(settings: Settings, feed_server, coding: str) -> None:  # type: ignore[no-untyped-def]
    inflated = 64 * 1024 * 1024
    if coding == "gzip":
        body = _gzip_bomb(inflated)
    elif coding == "br":
        body = brotli.compress(b"\0" * inflated, quality=5)
    else:
        body = zlib.compress(b"\0" * inflated, 9)
    assert len(body) < 1_000_000  # a small download...
    feed_server.add("/bomb", body, headers={"Content-Encoding": coding},
                    content_type="application/rss+xml")
    capped = settings.replace(max_body_bytes=2 * 1024 * 1024)

    async def go() -> None:
        async with Fetcher(capped) as fetcher:
            await fetcher.get(feed_server.url("/bomb"))

    with pytest.raises(FetchError) as info:  # ...that would inflate far past the cap
        asyncio.run(go())
    assert "larger than" in str(info.value)


def test_gzip_in_gzip_is_not_unpacked_twice(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    inner = gzip.compress(b"\0" * (8 << 20))
    feed_server.add("/nested", gzip.compress(inner), headers={"Content-Encoding": "gzip"})

    async def go() -> bytes:
        async with Fetcher(settings.replace(max_body_bytes=4 << 20)) as fetcher:
            return (await fetcher.get(feed_server.url("/nested"))).content

    assert asyncio.run(go()) == inner  # one layer, as declared; the rest stays bytes


def test_oversized_plain_body_is_capped(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.add("/huge", b"<rss>" + b"x" * (3 << 20))

    async def go() -> None:
        async with Fetcher(settings.replace(max_body_bytes=1 << 20)) as fetcher:
            await fetcher.get(feed_server.url("/huge"))

    with pytest.raises(FetchError):
        asyncio.run(go())


def test_deeply_nested_xml_is_refused_quickly() -> None:
    deep = b"<rss><channel>" + b"<a>" * 200_000 + b"</a>" * 200_000 + b"</channel></rss>"
    result, elapsed = _parse_bounded(deep)
    assert elapsed < 10
    assert isinstance(result, ParseError) or not result.entries  # type: ignore[attr-defined]


def test_gzipped_page_bomb_is_capped_on_import(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tidings.importers.savedpage import MAX_PAGE_BYTES, read_page_file

    bomb = tmp_path / "page.html.gz"
    bomb.write_bytes(_gzip_bomb(MAX_PAGE_BYTES * 4))  # 80 MiB inflated, ~80 KiB on disk
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ParseError, match="too large"):
        read_page_file(bomb)
