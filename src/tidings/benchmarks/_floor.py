"""The floor for ``tidings bench ingest --floor``: the least any ingester must do.

The same feeds from the same server, fetched with tidings' own :class:`Fetcher` (address
guard, caps, the same concurrency limits), each body read by lxml into the bare fields of its
items (GUID, link, title, date, description, content) and written with one ``executemany``
in one transaction per feed into ``bench_floor``, a table with the article table's B-tree
indexes. No scheduling, no duplicate checks, no sanitizing, no plain text, no full-text index:
what tidings spends beyond this is the price of those.
"""

from __future__ import annotations

import asyncio
import email.utils
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from tidings.fetch.http import Fetcher
from tidings.store.benchdb import create_floor, floor_insert
from tidings.store.engine import Database, create_engine

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def bare_rows(body: bytes, feed_no: int, fetched_at: str) -> list[tuple[Any, ...]]:
    """The items of one RSS document as ``FLOOR_FIELDS`` tuples."""
    rows = []
    for item in etree.fromstring(body, _PARSER).iter("item"):
        guid = item.findtext("guid") or ""
        link = item.findtext("link")
        date = item.findtext("pubDate")
        published = (email.utils.parsedate_to_datetime(date).isoformat() if date
                     else fetched_at)
        rows.append((feed_no + 1, feed_no + 1, guid, guid, link, link,
                     item.findtext("title") or "", published, fetched_at,
                     item.findtext("description"), item.findtext(CONTENT)))
    return rows


def write_rows(db: Database, rows: list[tuple[Any, ...]]) -> None:
    floor_insert(db, rows)


async def floor_fetch(db: Database, fetcher: Fetcher, feed_urls: list[str]) -> int:
    """Fetch, read and store every feed once, all at once as tidings does (the fetcher's
    limits decide how many are in flight); the number of rows stored."""
    fetched_at = datetime.now(UTC).isoformat()

    async def one(n: int, url: str) -> int:
        response = await fetcher.get(url)
        rows = await asyncio.to_thread(bare_rows, response.content, n, fetched_at)
        await asyncio.to_thread(write_rows, db, rows)
        return len(rows)

    return sum(await asyncio.gather(*(one(n, url) for n, url in enumerate(feed_urls))))


def floor_database(url: str) -> Database:
    """An engine set up as tidings sets up its own (WAL, one writer on SQLite), with an
    empty ``bench_floor`` table."""
    db = Database(create_engine(url))
    create_floor(db)
    return db
