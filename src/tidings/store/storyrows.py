"""Story rows for the pages and the API: the few columns a story list needs, newest first.

Lighter than :class:`~tidings.store.stories.StoryRepo`'s full ``Story`` objects (no article
ids): the web scores up to a few hundred candidates per front page and looks members up only
for the page it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.errors import NotFoundError
from tidings.store.engine import Database
from tidings.store.schema import stories
from tidings.store.stories import live_row
from tidings.store.visibility import story_is_public


@dataclass(slots=True)
class StoryRow:
    id: int
    title: str
    first_published_at: datetime | None
    last_published_at: datetime | None
    views: int
    image_url: str | None
    merged_into: int | None


_COLUMNS = (stories.c.id, stories.c.title, stories.c.first_published_at,
            stories.c.last_published_at, stories.c.views, stories.c.image_url,
            stories.c.merged_into)


class StoryRowRepo:
    def __init__(self, db: Database):
        self.db = db

    def recent(self, limit: int) -> list[StoryRow]:
        """Live (unmerged) public stories, most recently published first."""
        query = (sa.select(*_COLUMNS).where(stories.c.merged_into.is_(None),
                                            story_is_public(stories.c.id))
                 .order_by(stories.c.last_published_at.desc(), stories.c.id.desc())
                 .limit(limit))
        with self.db.read() as conn:
            return [StoryRow(*row) for row in conn.execute(query)]

    def live(self, story_id: int) -> StoryRow:
        """The story with this id, or the one it was (transitively) merged into; not found
        when none of its articles is public."""
        with self.db.read() as conn:
            row: tuple[Any, ...] = tuple(live_row(conn, story_id, _COLUMNS))
            shown = conn.execute(sa.select(story_is_public(sa.literal(row[0])))).scalar()
        if not shown:
            raise NotFoundError(f"no story with id {story_id}")
        return StoryRow(*row)

    def by_ids(self, story_ids: list[int]) -> list[StoryRow]:
        """These stories, in the order asked (ids that are gone are left out)."""
        if not story_ids:
            return []
        query = sa.select(*_COLUMNS).where(stories.c.id.in_(story_ids))
        with self.db.read() as conn:
            found = {int(row[0]): StoryRow(*row) for row in conn.execute(query)}
        return [found[i] for i in story_ids if i in found]
