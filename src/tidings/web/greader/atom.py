"""The Atom form of a stream (``reader/atom/{stream}``), the only way newsboat's ``feedhq``
mode reads items.

Each entry's ``<id>`` is the long item id (newsboat posts it back as ``i=``). Read state is a
``<category scheme="http://www.google.com/reader/" label="read|fresh|kept-unread">``, which
newsboat matches on ``label``: an unread entry must say ``fresh``, or newsboat keeps its own
state. Only state categories carry Google's scheme; a folder's category does not, so a folder
named "read" cannot read as state. The answer has no ETag or Last-Modified, so no client ever
receives a 304 that would freeze its read state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from lxml import etree

from tidings.web.greader.itemids import long_id
from tidings.web.greader.streams import State, feed_id, label_id, state_id
from tidings.web.syncitems import SyncItem

ATOM = "http://www.w3.org/2005/Atom"
GR = "http://www.google.com/schemas/reader/atom/"
READER_SCHEME = "http://www.google.com/reader/"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
_NS = {None: ATOM, "gr": GR}
#: characters XML 1.0 cannot hold (a feed's title may carry them; lxml refuses them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    node.text = _NOT_XML.sub("", text)
    return node


def _state(entry: etree._Element, state: State) -> None:
    etree.SubElement(entry, f"{{{ATOM}}}category", term=state_id(state),
                     scheme=READER_SCHEME, label=state.value)


def _entry(feed_el: etree._Element, item: SyncItem, site_url: str | None) -> None:
    entry = etree.SubElement(feed_el, f"{{{ATOM}}}entry", {
        f"{{{GR}}}crawl-timestamp-msec": str(int(item.crawled_at.timestamp() * 1000))})
    _text(entry, "id", long_id(item.id))
    _state(entry, State.READING_LIST)
    _state(entry, State.READ if item.read else State.FRESH)
    if item.starred:
        _state(entry, State.STARRED)
    if item.folder:
        etree.SubElement(entry, f"{{{ATOM}}}category", term=label_id(item.folder),
                         label=item.folder)
    _text(entry, "title", item.title)
    _text(entry, "published", _rfc3339(item.published_at))
    _text(entry, "updated", _rfc3339(item.published_at))
    if item.url:
        etree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=item.url,
                         type="text/html")
    _text(entry, "summary", item.html, type="html")
    if item.author:
        author = etree.SubElement(entry, f"{{{ATOM}}}author")
        _text(author, "name", item.author)
    source = etree.SubElement(entry, f"{{{ATOM}}}source",
                              {f"{{{GR}}}stream-id": feed_id(item.feed_id)})
    _text(source, "id", f"tag:google.com,2005:reader/{feed_id(item.feed_id)}")
    _text(source, "title", item.feed_title)
    if site_url:
        etree.SubElement(source, f"{{{ATOM}}}link", rel="alternate", href=site_url,
                         type="text/html")


def stream_atom(stream_id: str, title: str, items: Sequence[SyncItem],
                site_urls: Mapping[int, str], now: datetime,
                continuation: str | None) -> bytes:
    root = etree.Element(f"{{{ATOM}}}feed", nsmap=_NS)
    _text(root, "id", f"tag:google.com,2005:reader/{stream_id}")
    _text(root, "title", title)
    _text(root, "updated", _rfc3339(now))
    if continuation is not None:
        etree.SubElement(root, f"{{{GR}}}continuation").text = continuation
    for item in items:
        _entry(root, item, site_urls.get(item.feed_id))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
