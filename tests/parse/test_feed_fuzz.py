"""Whatever bytes arrive, the parser answers with a feed or one ParseError line."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings.errors import ParseError
from tidings.parse.feed import parse_feed

EXAMPLES = int(os.environ.get("TIDINGS_FUZZ_EXAMPLES", "150"))

FRAGMENTS = st.sampled_from([
    "<rss version='2.0'>", "<channel>", "</channel>", "<item>", "</item>", "<title>t</title>",
    "<link>/x</link>", "<guid>g</guid>", "<description>&lt;p&gt;d</description>", "&nbsp;",
    "<![CDATA[<b>x]]>", "<feed xmlns='http://www.w3.org/2005/Atom'>", "<entry>", "</entry>",
    "<content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>", "</div></content>",
    "<pubDate>Mon, 32 Foo 2026</pubDate>", "{\"version\": \"https://jsonfeed.org/version/1\"",
    ", \"items\": [{}]}", "<?xml version='1.0' encoding='koi8-r'?>", "\x00", "<!DOCTYPE x [",
    "<!ENTITY a '&a;'>", "]>", "&a;", "<", ">", "\"", "é", "</rss>", "</feed>",
])


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=25), st.binary(max_size=40))
def test_parser_never_raises_anything_else(parts: list[str], noise: bytes) -> None:
    data = "".join(parts).encode("utf-8", "replace") + noise
    try:
        feed = parse_feed(data, "https://fuzz.example/feed")
    except ParseError as exc:
        assert "\n" not in str(exc)
        return
    for entry in feed.entries:
        assert entry.key and isinstance(entry.title, str)
        assert "<script" not in (entry.content_html or "")
