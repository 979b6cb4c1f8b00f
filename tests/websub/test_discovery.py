"""Hub discovery: what RSS, Atom, JSON Feed and the Link header declare, and what a fetch
records; polling slows down while pushes arrive."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx2

from tidings.config import Settings
from tidings.fetch import schedule
from tidings.fetch.http import Response
from tidings.ingest.pipeline import websub_declared
from tidings.parse.feed import parse_feed

RSS = b"""<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>T</title><link>https://o.example/</link>
<atom:link rel="hub" href="https://hub.example/"/>
<atom:link rel="self" href="/rss.xml" type="application/rss+xml"/>
<item><title>a</title><link>https://o.example/a</link></item></channel></rss>"""

ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:t</id>
<link rel="hub" href="https://hub-one.example/"/><link rel="hub" href="https://hub-two.example/"/>
<link rel="self" href="https://o.example/atom"/><link href="https://o.example/"/></feed>"""


def test_rss_atom_and_json_feeds_declare_hubs_and_self() -> None:
    rss = parse_feed(RSS, "https://o.example/feeds/rss")
    assert rss.hubs == ["https://hub.example/"] and rss.self_url == "https://o.example/rss.xml"
    atom = parse_feed(ATOM, "https://o.example/atom")
    assert atom.hubs == ["https://hub-one.example/", "https://hub-two.example/"]
    assert atom.self_url == "https://o.example/atom" and atom.site_url == "https://o.example/"
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "J",
           "feed_url": "https://o.example/feed.json", "items": [],
           "hubs": [{"type": "WebSub", "url": "https://hub.example/"},
                    {"type": "rssCloud", "url": "https://cloud.example/"}, "junk", {"url": 3}]}
    parsed = parse_feed(json.dumps(doc).encode(), "https://o.example/feed.json")
    assert parsed.hubs == ["https://hub.example/"]
    assert parsed.self_url == "https://o.example/feed.json"
    assert parse_feed(b'<rss version="2.0"><channel><title>x</title></channel></rss>').hubs == []


def _response(url: str, link: str | None) -> Response:
    headers = httpx2.Headers({"link": link} if link else {})
    return Response(url=url, status=200, headers=headers, content=b"")


def test_the_link_header_comes_first_then_the_document_then_the_fetched_url() -> None:
    parsed = parse_feed(RSS, "https://o.example/rss")
    header = '<https://header-hub.example/>; rel="hub", </canonical.xml>; rel="self"'
    assert websub_declared(_response("https://o.example/rss", header), parsed) == {
        "websub_hub": "https://header-hub.example/",
        "websub_topic": "https://o.example/canonical.xml"}
    assert websub_declared(_response("https://o.example/rss", None), parsed) == {
        "websub_hub": "https://hub.example/", "websub_topic": "https://o.example/rss.xml"}
    bare = parse_feed(b'<rss version="2.0"><channel><title>x</title></channel></rss>')
    only_header = '<https://h.example/>; rel="hub"'
    assert websub_declared(_response("https://o.example/x", only_header), bare) == {
        "websub_hub": "https://h.example/", "websub_topic": "https://o.example/x"}
    assert websub_declared(_response("https://o.example/x", None), bare) == {
        "websub_hub": None, "websub_topic": None}


def test_polling_is_a_rarer_safety_net_while_pushes_arrive() -> None:
    settings = Settings.from_dict({"min_poll_interval": 60, "max_poll_interval": 86400})
    now = datetime(2026, 12, 4, 8, tzinfo=UTC)
    hourly = [now - timedelta(hours=h) for h in range(168)]
    _, polled = schedule.next_check(now, settings, entry_times=hourly)
    _, pushed = schedule.next_check(now, settings, entry_times=hourly, pushed=True)
    assert polled == 3600 and pushed == 3600 * schedule.PUSH_SLOWDOWN
    _, fixed = schedule.next_check(now, settings, fixed_interval=600, pushed=True)
    assert fixed == 600  # the operator's own interval stays
    assert schedule.pushes_arriving(now - timedelta(hours=1), now)
    assert not schedule.pushes_arriving(now - timedelta(days=3), now)
    assert not schedule.pushes_arriving(None, now)
