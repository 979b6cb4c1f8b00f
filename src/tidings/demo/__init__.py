"""The bundled offline sample: six invented outlets in six feed formats.

``load_sample`` reads ``data/manifest.json``, fills each file's date placeholders
(``{{rfc822:-MINUTES}}``, ``{{iso:-MINUTES}}``) relative to ``now`` so the demo always looks
fresh, and stores every feed through the same parse → store path as a real fetch. Nothing
touches the network.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from importlib import resources
from typing import Any

from tidings.config import Settings
from tidings.ingest.pipeline import store_parsed
from tidings.models import Feed, FulltextMode, Source
from tidings.parse.feed import parse_feed
from tidings.store import Store

_PLACEHOLDER = re.compile(rb"\{\{(rfc822|iso):(-?\d+)\}\}")


@dataclass
class DemoReport:
    outlets: int
    articles: int
    article_ids: list[int]


def manifest() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data/manifest.json").read_text("utf-8")
    return dict(json.loads(text))


def fill_dates(data: bytes, now: datetime) -> bytes:
    """Replace the date placeholders with times relative to ``now`` (ASCII-safe)."""

    def repl(match: re.Match[bytes]) -> bytes:
        when = now + timedelta(minutes=int(match.group(2)))
        if match.group(1) == b"rfc822":
            return format_datetime(when).encode("ascii")
        return when.replace(microsecond=0).isoformat().encode("ascii")

    return _PLACEHOLDER.sub(repl, data)


def sample_bytes(name: str, now: datetime) -> bytes:
    raw = resources.files(__package__).joinpath("data", name).read_bytes()
    return fill_dates(raw, now)


def local_image(url: str) -> str | None:
    """The demo is offline: its invented outlets' images are served from /static/demo/."""
    stem = url.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    bundled = resources.files("tidings.web").joinpath("static", "demo", f"{stem}.svg")
    return f"/static/demo/{stem}.svg" if bundled.is_file() else None


def _views(key: str) -> int:
    """A plausible, stable view count so the demo's lists are not all zeros."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:6], 16) % 4800 + 12


def load_sample(store: Store, settings: Settings, now: datetime) -> DemoReport:
    """Store every sample outlet; its feeds are disabled so nothing tries to fetch them."""
    ids: list[int] = []
    outlets = manifest()["outlets"]
    for outlet in outlets:
        parsed = parse_feed(sample_bytes(outlet["file"], now), outlet["feed_url"])
        source = store.sources.add(Source(id=None, name=outlet["name"], url=outlet["url"],
                                          category=outlet.get("category"),
                                          language=parsed.language,
                                          fulltext=FulltextMode.NEVER), now)
        feed = store.feeds.add(Feed(id=None, source_id=source.id, url=outlet["feed_url"],
                                    title=parsed.title, site_url=parsed.site_url,
                                    disabled=True), now)
        new = store_parsed(store, feed, parsed, now, last_checked_at=now)
        ids.extend(new)
    with store.db.write() as conn:
        for article_id in ids:
            changes: dict[str, Any] = {"views": _views(str(article_id))}
            image = store.articles.get(article_id).image_url
            if image:
                changes["image_url"] = local_image(image)
            store.articles.update(article_id, conn=conn, **changes)
    return DemoReport(outlets=len(outlets), articles=len(ids), article_ids=ids)
