"""The data of topic and section pages (and their ``/api`` twins): JSON-ready dicts built from
:class:`~tidings.web.data.SiteData`'s pieces, like every other view's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tidings.errors import NotFoundError
from tidings.parse.sections import SECTIONS
from tidings.web.data import SiteData, topic_dict


def topics(d: SiteData, now: datetime, *, limit: int, offset: int) -> dict[str, Any]:
    """Names that recur across stories, most stories first."""
    rows, total = d.store.topics.listed(limit=limit, offset=offset)
    return {"topics": [topic_dict(t) for t in rows], "total": total}


def topic(d: SiteData, slug: str, now: datetime, *, limit: int, offset: int) -> dict[str, Any]:
    """One topic and its stories, the newest report first, with outlets and views."""
    row = d.store.topics.by_slug(slug)
    ids, total = d.store.topics.story_ids(row.id, limit=limit, offset=offset)
    order = {sid: i for i, sid in enumerate(ids)}
    stories = d.stories_payload(d.store.story_rows.by_ids(ids), now)
    stories.sort(key=lambda s: order[s["id"]])
    return {"topic": topic_dict(row), "stories": stories, "total": total}


def sections(d: SiteData, now: datetime) -> list[dict[str, str]]:
    """The sections that hold articles, in the fixed order (the front page's navigation)."""
    def build() -> list[dict[str, str]]:
        held = set(d.store.articles.sections())
        return [{"name": name, "url": f"/sections/{name}"} for name in SECTIONS if name in held]

    found: list[dict[str, str]] = d.memo("sections", now, build)
    return found


def section(d: SiteData, name: str, now: datetime, *, limit: int, offset: int
            ) -> dict[str, Any]:
    """A section's articles, newest first."""
    if name not in SECTIONS:
        raise NotFoundError(f"no section {name[:40]!r}; sections: {', '.join(SECTIONS)}")
    found, total = d.store.articles.latest(limit=limit, offset=offset, section=name)
    sources = d.sources_by_id(now)
    items = [d.item_dict(a, now) | {"source": d.source_dict(sources.get(a.source_id or -1))}
             for a in found]
    return {"section": name, "items": items, "total": total}
