"""The fetcher against the loopback fixture server: headers, caching, encodings, limits."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
import zlib
from typing import Any

import brotli
import pytest

from tidings import __version__
from tidings.config import Settings
from tidings.errors import FetchError
from tidings.fetch.http import Fetcher, Response, parse_retry_after

BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>" * 20


def get(settings: Settings, url: str, **kwargs: Any) -> Response:
    async def go() -> Response:
        async with Fetcher(settings) as fetcher:
            return await fetcher.get(url, **kwargs)
    return asyncio.run(go())


def test_plain_get_sends_user_agent(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed", BODY, content_type="application/rss+xml")
    response = get(settings, url)
    assert response.status == 200 and response.content == BODY
    assert response.content_type == "application/rss+xml"
    agent = feed_server.requests("/feed")[0].headers["user-agent"]
    assert agent.startswith("tidings/") and __version__ in agent


def test_conditional_get_with_etag(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed", BODY, etag='"abc"')
    first = get(settings, url)
    assert first.etag == '"abc"'
    second = get(settings, url, etag=first.etag)
    assert second.status == 304 and second.not_modified and second.content == b""
    assert feed_server.count("/feed", 304) == 1
    assert feed_server.requests("/feed")[1].headers["if-none-match"] == '"abc"'


def test_conditional_get_with_last_modified(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    stamp = "Tue, 10 Feb 2026 08:00:00 GMT"
    url = feed_server.add("/feed", BODY, last_modified=stamp)
    assert get(settings, url).last_modified == stamp
    assert get(settings, url, last_modified=stamp).status == 304


@pytest.mark.parametrize("coding, encode", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
    ("br", brotli.compress),
])
def test_compressed_bodies_are_decoded(settings: Settings, feed_server, coding, encode) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed", encode(BODY), headers={"Content-Encoding": coding})
    assert get(settings, url).content == BODY
    assert "br" in feed_server.requests("/feed")[0].headers["accept-encoding"]


def test_body_cap(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    small = settings.replace(max_body_bytes=10_000)
    url = feed_server.add("/big", b"x" * 50_000)
    with pytest.raises(FetchError, match="larger than 10000 bytes"):
        get(small, url)


def test_body_cap_without_content_length(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    small = settings.replace(max_body_bytes=10_000)

    def chunked(_request):  # type: ignore[no-untyped-def]
        return 200, {"Content-Length": "5"}, b"x" * 5  # lies about length; cap still applies

    url = feed_server.add("/lying", handler=chunked)
    assert get(small, url).content == b"xxxxx"
    url = feed_server.add("/stream", b"y" * 40_000, headers={"Content-Length": "40000"})
    with pytest.raises(FetchError, match="larger than"):
        get(small, url)


@pytest.mark.parametrize("coding, encode", [("gzip", gzip.compress), ("br", brotli.compress),
                                            ("deflate", zlib.compress)])
def test_decompression_bomb_is_capped(settings: Settings, feed_server, coding, encode) -> None:  # type: ignore[no-untyped-def]
    capped = settings.replace(max_body_bytes=1_000_000)
    bomb = encode(b"\0" * 30_000_000)  # 30 MB of zeros, tens of KB on the wire
    assert len(bomb) < 100_000
    url = feed_server.add("/bomb", bomb, headers={"Content-Encoding": coding})
    with pytest.raises(FetchError, match="after decompression"):
        get(capped, url)


def test_permanent_redirects_are_reported(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    final = feed_server.add("/new", BODY)
    feed_server.redirect("/mid", final, status=308)
    start = feed_server.redirect("/old", feed_server.url("/mid"), status=301)
    response = get(settings, start)
    assert response.url == final and response.permanent_url == final


def test_temporary_redirect_is_not_permanent(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    final = feed_server.add("/new", BODY)
    feed_server.redirect("/mid", final, status=301)
    start = feed_server.redirect("/old", "/mid", status=302)  # relative Location
    response = get(settings, start)
    assert response.url == final and response.permanent_url is None


def test_too_many_redirects(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.redirect("/a", "/b")
    feed_server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="too many redirects"):
        get(settings.replace(max_redirects=3), feed_server.url("/a"))
    assert feed_server.count() == 4


def test_http_errors_carry_status(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FetchError) as info:
        get(settings, feed_server.url("/missing"))
    assert info.value.status == 404 and "404" in str(info.value)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_surfaced(settings: Settings, feed_server, status: int) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/busy", b"slow down", status=status, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as info:
        get(settings, url)
    assert info.value.status == status and info.value.retry_after == 120


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == 60
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None


def test_read_timeout(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    quick = settings.replace(read_timeout=0.3)
    url = feed_server.add("/slow", BODY, delay=2.0)
    with pytest.raises(FetchError, match="timed out"):
        get(quick, url)
    url = feed_server.add("/stall", BODY, body_delay=2.0)
    with pytest.raises(FetchError, match="timed out"):
        get(quick, url)


def test_connection_refused_is_one_line(settings: Settings) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(FetchError) as info:
        get(settings, f"http://127.0.0.1:{port}/feed")
    assert "cannot connect" in str(info.value) and "\n" not in str(info.value)


def test_per_host_concurrency(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    limited = settings.replace(per_host_concurrency=2)
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def slow(_request):  # type: ignore[no-untyped-def]
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        return 200, {}, b"ok"

    for i in range(6):
        feed_server.add(f"/f{i}", handler=slow)

    async def go() -> list[Response]:
        async with Fetcher(limited) as fetcher:
            return await asyncio.gather(*(fetcher.get(feed_server.url(f"/f{i}"))
                                          for i in range(6)))

    assert all(r.content == b"ok" for r in asyncio.run(go()))
    assert state["peak"] == 2
