"""The answers' shapes: Google Reader JSON, its Atom form (read back by feedparser, as a
client would), and Fever's objects."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import feedparser
import orjson
import pytest
from lxml import etree

from tidings.errors import BadParam
from tidings.web.fever import args as fever_args
from tidings.web.fever import shapes as fever
from tidings.web.formargs import FormArgs
from tidings.web.greader import shapes
from tidings.web.greader.atom import READER_SCHEME, stream_atom
from tidings.web.syncitems import SyncFeed, SyncItem

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TECH = SyncFeed(id=7, title="Circuit Signal", feed_url="http://127.0.0.1/feed.xml",
                site_url="http://127.0.0.1/", folder="Tech", folder_id=3)
LOOSE = SyncFeed(id=8, title="Harbor Daily", feed_url="http://127.0.0.1/h.xml")
UNREAD = SyncItem(id=42, feed_id=7, feed_title="Circuit Signal", title="Chips & <dips>",
                  url="http://127.0.0.1/a", folder="Tech",
                  published_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
                  crawled_at=datetime(2026, 3, 1, 9, 31, 2, 345000, tzinfo=UTC),
                  html="<p>Body</p>", author="Ann Lee")
READ_STARRED = SyncItem(id=43, feed_id=8, feed_title="Harbor Daily", title="Tides\x0b", url=None,
                        published_at=NOW, crawled_at=NOW, read=True, starred=True)


def test_item_json_has_what_clients_read() -> None:
    item = shapes.item_json(UNREAD, TECH.site_url)
    assert item["id"] == "tag:google.com,2005:reader/item/000000000000002a"
    assert item["title"] == "Chips & <dips>"
    assert item["canonical"] == [{"href": "http://127.0.0.1/a"}]
    assert item["alternate"] == [{"href": "http://127.0.0.1/a", "type": "text/html"}]
    assert item["categories"] == ["user/-/state/com.google/reading-list", "user/-/label/Tech"]
    assert item["origin"] == {"streamId": "feed/7", "title": "Circuit Signal",
                              "htmlUrl": "http://127.0.0.1/"}
    assert item["published"] == int(UNREAD.published_at.timestamp())
    assert item["crawlTimeMsec"] == str(int(UNREAD.crawled_at.timestamp() * 1000))
    assert item["timestampUsec"] == str(int(UNREAD.crawled_at.timestamp() * 1_000_000))
    assert item["summary"]["content"] == "<p>Body</p>" and item["author"] == "Ann Lee"
    other = shapes.item_json(READ_STARRED, None)
    assert other["categories"] == ["user/-/state/com.google/reading-list",
                                   "user/-/state/com.google/read",
                                   "user/-/state/com.google/starred"]
    assert other["canonical"] == [] and other["alternate"] == []


def test_continuation_is_always_a_json_string() -> None:
    page = shapes.stream_contents("feed/7", [UNREAD], {7: "http://127.0.0.1/"}, NOW, "43")
    assert b'"continuation":"43"' in orjson.dumps(page)
    assert "continuation" not in shapes.stream_contents("feed/7", [], {}, NOW, None)
    assert shapes.item_refs([42, 43], "9") == {"itemRefs": [{"id": "42"}, {"id": "43"}],
                                               "continuation": "9"}


def test_tags_and_categories_carry_only_id_label_type() -> None:
    tags = shapes.tag_list(["Tech"])["tags"]
    assert tags == [{"id": "user/-/state/com.google/starred"},
                    {"id": "user/-/label/Tech", "label": "Tech", "type": "folder"}]
    subscription = shapes.subscription_list([TECH, LOOSE])["subscriptions"]
    assert subscription[0] == {"id": "feed/7", "title": "Circuit Signal",
                               "categories": [{"id": "user/-/label/Tech", "label": "Tech"}],
                               "url": "http://127.0.0.1/feed.xml",
                               "htmlUrl": "http://127.0.0.1/", "iconUrl": ""}
    assert subscription[1]["categories"] == []
    counts = shapes.unread_counts([shapes.unread_entry("feed/7", 3, NOW),
                                   shapes.unread_entry("user/-/state/com.google/reading-list",
                                                       5, None)])
    assert counts["max"] == 5 and counts["unreadcounts"][1]["newestItemTimestampUsec"] == "0"


def test_atom_form_as_newsboat_and_feedparser_read_it() -> None:
    body = stream_atom("feed/7", "Circuit Signal", [UNREAD, READ_STARRED],
                       {7: "http://127.0.0.1/"}, NOW, "43")
    root = etree.fromstring(body)
    ns = {"a": "http://www.w3.org/2005/Atom", "gr": "http://www.google.com/schemas/reader/atom/"}
    entries = root.findall("a:entry", ns)
    assert [e.findtext("a:id", namespaces=ns) for e in entries] == [
        "tag:google.com,2005:reader/item/000000000000002a",
        "tag:google.com,2005:reader/item/000000000000002b"]

    def states(entry: etree._Element) -> list[str]:
        return [c.get("label") for c in entry.findall("a:category", ns)
                if c.get("scheme") == READER_SCHEME]

    assert states(entries[0]) == ["reading-list", "fresh"]  # unread must say fresh
    assert states(entries[1]) == ["reading-list", "read", "starred"]
    folder = [c for c in entries[0].findall("a:category", ns) if c.get("label") == "Tech"]
    assert folder and folder[0].get("scheme") is None  # a folder never reads as a state
    assert root.findtext("gr:continuation", namespaces=ns) == "43"
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["Chips & <dips>", "Tides"]
    assert parsed.entries[0].link == "http://127.0.0.1/a"
    assert parsed.entries[0].author == "Ann Lee"


def test_fever_objects() -> None:
    assert fever.refused() == {"api_version": 3, "auth": 0}
    assert fever.base(NOW)["last_refreshed_on_time"] == int(NOW.timestamp())
    assert fever.feeds_groups([TECH, LOOSE]) == [{"group_id": 3, "feed_ids": "7"}]
    assert fever.feed(TECH) == {"id": 7, "favicon_id": 1, "title": "Circuit Signal",
                                "url": "http://127.0.0.1/feed.xml",
                                "site_url": "http://127.0.0.1/", "is_spark": 0,
                                "last_updated_on_time": 0}  # never brought anything yet
    fresh = dataclasses.replace(TECH, updated_at=NOW)
    assert fever.feed(fresh)["last_updated_on_time"] == int(NOW.timestamp())
    assert fever.item(READ_STARRED) == {
        "id": 43, "feed_id": 8, "title": "Tides\x0b", "author": "", "html": "", "url": "",
        "is_saved": 1, "is_read": 1, "created_on_time": int(NOW.timestamp())}
    assert fever.favicons()[0]["data"].startswith("image/gif;base64,")


def fa(*pairs: tuple[str, str]) -> FormArgs:
    return FormArgs(pairs)


def test_fever_arguments() -> None:
    request = fa(("api", ""), ("items", ""), ("since_id", "5"), ("with_ids", "1,2,,2"),
                 ("unread_item_ids", ""), ("api_key", "0123456789ABCDEF0123456789abcdef"))
    assert fever_args.selectors(request) == ["items", "unread_item_ids"]
    assert fever_args.api_key(request) == "0123456789abcdef0123456789abcdef"
    query = fever_args.items_query(request)
    assert query.since_id == 5 and query.with_ids == (1, 2) and query.max_id is None
    mark = fever_args.mark(fa(("mark", "group"), ("as", "read"), ("id", "0"),
                              ("before", "1700000000")))
    assert mark is not None and mark.kind is fever_args.MarkKind.GROUP and mark.id == 0
    assert mark.before == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert fever_args.mark(fa(("api", ""))) is None
    assert fever_args.api_key(fa(("api_key", "short"))) is None


@pytest.mark.parametrize("pairs", [
    (("mark", "item"), ("as", "toggle"), ("id", "1")),
    (("mark", "story"), ("as", "read"), ("id", "1")),
    (("mark", "item"), ("as", "read")),
    (("mark", "item"), ("as", "read"), ("id", "-1")),
    (("with_ids", ",".join(str(n) for n in range(1, 52))),),
    (("since_id", "1; DROP TABLE"),),
    (("max_id", "99999999999999999999"),),
])
def test_bad_fever_arguments(pairs: tuple[tuple[str, str], ...]) -> None:
    with pytest.raises(BadParam):
        fever_args.items_query(fa(*pairs))
        fever_args.mark(fa(*pairs))
