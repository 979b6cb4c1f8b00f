"""What the public site may show: articles of public sources only.

A source a reader added is private (``sources.is_public`` false) until an administrator
publishes it. Every query behind the public pages, the JSON API, the site's feeds, search,
stories, latest and most-read goes through these conditions (``tests/readers/
test_privacy.py`` checks each of them with a private source in the store).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tidings.store.schema import articles, sources


def public_sources() -> sa.Select[Any]:
    return sa.select(sources.c.id).where(sources.c.is_public == sa.true())


def public_article() -> sa.ColumnElement[bool]:
    """``articles`` rows the public may see."""
    return articles.c.source_id.in_(public_sources())


def story_is_public(story_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """A story is shown when at least one of its articles is public."""
    return sa.exists(sa.select(articles.c.id).where(articles.c.story_id == story_id,
                                                    public_article()))


def any_private(conn: sa.Connection) -> bool:
    return conn.execute(sa.select(sources.c.id).where(sources.c.is_public == sa.false())
                        .limit(1)).first() is not None
