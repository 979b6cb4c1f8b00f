"""Table definitions for queries (SQLAlchemy Core). The migrations create them; keep in step.

Shared code builds queries from these objects only, so no one database's SQL leaks into it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        stamp = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
        return stamp.replace(tzinfo=None) if dialect.name == "sqlite" else stamp

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stamp: datetime = value
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=UTC)
        return stamp.astimezone(UTC)


metadata = sa.MetaData()

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("category", sa.Text),
    sa.Column("fulltext", sa.String(8), nullable=False, server_default="auto"),
    sa.Column("language", sa.String(16)),
    sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # days to keep this source's articles; NULL means TIDINGS_RETENTION_DAYS (0 = forever)
    sa.Column("retention_days", sa.Integer),
    # false: added by a reader, seen only by its followers until an administrator publishes it
    sa.Column("is_public", sa.Boolean, nullable=False, server_default=sa.true()),
)

feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text),
    sa.Column("site_url", sa.Text),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("next_check_at", UTCDateTime, index=True),
    sa.Column("last_checked_at", UTCDateTime),
    sa.Column("last_new_at", UTCDateTime),
    sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("poll_interval", sa.Integer),
    sa.Column("ttl_seconds", sa.Integer),
    sa.Column("lease_owner", sa.Text),
    sa.Column("lease_until", UTCDateTime, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # WebSub: the hub and self URL the last fetch found, and the last push a hub delivered
    sa.Column("websub_hub", sa.Text),
    sa.Column("websub_topic", sa.Text),
    sa.Column("last_push_at", UTCDateTime),
)

stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("first_published_at", UTCDateTime, index=True),
    sa.Column("last_published_at", UTCDateTime, index=True),
    sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("source_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("views", sa.Integer, nullable=False, server_default="0"),
    sa.Column("score", sa.Float, nullable=False, server_default="0"),
    sa.Column("image_url", sa.Text),
    sa.Column("merged_into", sa.Integer, sa.ForeignKey("stories.id"), index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="SET NULL"), index=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
              index=True),
    sa.Column("entry_key", sa.Text, nullable=False),
    sa.Column("guid", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("canonical_url", sa.Text, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("author", sa.Text),
    sa.Column("published_at", UTCDateTime, nullable=False, index=True),
    sa.Column("fetched_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime),
    sa.Column("summary", sa.Text),
    sa.Column("content_html", sa.Text),
    sa.Column("content_text", sa.Text),
    sa.Column("image_url", sa.Text),
    sa.Column("language", sa.String(16)),
    sa.Column("site_name", sa.Text),
    sa.Column("attribution", sa.Text),
    sa.Column("views", sa.Integer, nullable=False, server_default="0"),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), index=True),
    sa.Column("duplicate_of", sa.Integer, sa.ForeignKey("articles.id"), index=True),
    sa.Column("content_hash", sa.String(64)),
    # pipeline state: the extraction and clustering stages read their queues from these
    sa.Column("extract_state", sa.String(12), nullable=False, server_default="pending"),
    sa.Column("extract_error", sa.Text),
    sa.Column("cluster_state", sa.String(12), nullable=False, server_default="pending"),
    # the outlet's own feed categories (a JSON list) and the section they map to
    sa.Column("categories", sa.JSON),
    sa.Column("section", sa.String(16)),
    sa.UniqueConstraint("source_id", "entry_key", name="uq_articles_source_entry"),
    sa.Index("ix_articles_extract_state", "extract_state"),
    sa.Index("ix_articles_cluster_state", "cluster_state"),
    # a source's articles in arrival order: the readers' "read through id" marks range over it,
    # and unread lists and counts need nothing else (migration 0009)
    sa.Index("ix_articles_source_reading", "source_id", "id", "published_at"),
    sa.Index("ix_articles_section_published", "section", "published_at"),
)

#: articles waiting for the ``index`` stage (migration 0011): inserts queue their id here,
#: ``store/searchindex.py`` indexes them in batches and deletes the rows
search_queue = sa.Table(
    "search_queue",
    metadata,
    sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
)

reads = sa.Table(
    "reads",
    metadata,
    # once per visitor per article per day: the key is a salted daily hash, never an address
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("visitor", sa.String(64), primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("read_at", UTCDateTime, nullable=False, index=True),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # the API password (Google Reader ClientLogin): Argon2, separate from the sign-in password
    sa.Column("api_password_hash", sa.Text),
    # Fever's api_key, md5("NAME:API PASSWORD") as its clients compute it; looked up, not verified
    sa.Column("fever_key", sa.String(32)),
    sa.Index("ix_users_fever_key", "fever_key", unique=True),
)

host_slots = sa.Table(
    "host_slots",
    metadata,
    # per-host politeness across all workers: a feed in flight holds one of its host's slots
    sa.Column("host", sa.Text, primary_key=True),
    sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("feed_id", sa.Integer),
    sa.Column("owner", sa.Text),
    sa.Column("lease_until", UTCDateTime),
)

meta = sa.Table(
    "meta",
    metadata,
    # small key/value facts: the page-cache version counter, the daily visitor salt, ...
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    # failed sign-ins only; ``key`` is a hash of address + user name, ``address`` a hash too
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("attempted_at", UTCDateTime, nullable=False),
    sa.Index("ix_login_attempts_key", "key", "attempted_at"),
    sa.Index("ix_login_attempts_address", "address", "attempted_at"),
)

# -- readers: accounts, subscriptions, reading state (docs/architecture.md, "Reader layer") --

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    # revocable API tokens; only the SHA-256 of the token is kept
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

reader_prefs = sa.Table(
    "reader_prefs",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("mark_read_on", sa.String(8), nullable=False, server_default="open"),
    sa.Column("mark_duplicates_read", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("group_by_story", sa.Boolean, nullable=False, server_default=sa.false()),
    # filter rules have been applied to this user's articles up to this id
    sa.Column("filtered_through", sa.Integer, nullable=False, server_default="0"),
)

folders = sa.Table(
    "folders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.UniqueConstraint("user_id", "name", name="uq_folders_user_name"),
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    # who follows which source of the one shared catalogue (fetched once however many follow)
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False, index=True),
    sa.Column("folder_id", sa.Integer, sa.ForeignKey("folders.id", ondelete="SET NULL")),
    sa.Column("title", sa.Text),  # the reader's own name for it; NULL: the source's name
    # every article of the source with id <= read_through is read, unless article_states says
    # otherwise (ids grow as articles arrive, so "read up to here" is one number per source)
    sa.Column("read_through", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

article_states = sa.Table(
    "article_states",
    metadata,
    # exceptions to subscriptions.read_through (is_read true/false; NULL: as it says) and stars
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False, index=True),
    sa.Column("is_read", sa.Boolean),
    sa.Column("starred_at", UTCDateTime),
    sa.Index("ix_article_states_read", "user_id", "is_read", "article_id"),
    sa.Index("ix_article_states_starred", "user_id", "starred_at"),
)

read_undo = sa.Table(
    "read_undo",
    metadata,
    # what a mark-all-read changed, so it can be taken back (the newest few per user)
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)

filter_rules = sa.Table(
    "filter_rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("action", sa.String(8), nullable=False),  # mute | keep
    sa.Column("field", sa.String(8), nullable=False),  # title | text | source | author | any
    sa.Column("kind", sa.String(8), nullable=False),  # keyword | regex
    sa.Column("pattern", sa.Text, nullable=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE")),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

saved_searches = sa.Table(
    "saved_searches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("user_id", "name", name="uq_saved_searches_user_name"),
)

websub_subscriptions = sa.Table(
    "websub_subscriptions",
    metadata,
    # what tidings asked a hub for; kept after its feed is gone until the unsubscribe is verified
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("feed_id", sa.Integer, index=True),
    sa.Column("hub", sa.Text, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("token", sa.String(64), nullable=False, unique=True),  # the callback's last part
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # requested, active, unsubscribing, denied
    sa.Column("lease_expires_at", UTCDateTime),
    sa.Column("next_action_at", UTCDateTime, index=True),  # retry, renew or give up
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("last_push_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    # what the live site announces, in commit order; no foreign keys: retention may delete
    # an article whose event is still in the log (the reader skips it)
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(12), nullable=False),  # 'article' or 'story'
    sa.Column("article_id", sa.Integer, nullable=False),
    sa.Column("story_id", sa.Integer),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sqlite_autoincrement=True,
)

counters = sa.Table(
    "counters",
    metadata,
    # totals shared by every process (``/metrics``), incremented inside the writes they count
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Float, nullable=False, server_default="0"),
)

# -- topics: recurring names of people, organizations and places (cluster/topics.py) --------

topics = sa.Table(
    "topics",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # the name's key across scripts and spellings (cluster/namekey.py), and which of the
    # things sharing that name this is (1, 2, ...: see docs/topics.md)
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("sense", sa.Integer, nullable=False, server_default="1"),
    sa.Column("slug", sa.String(220), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("story_count", sa.Integer, nullable=False, server_default="0"),
    # how many of its articles mention its most frequent companion name (its focus)
    sa.Column("context_peak", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_published_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("key", "sense", name="uq_topics_key_sense"),
    sa.Index("ix_topics_story_count", "story_count", "last_published_at"),
)

topic_articles = sa.Table(
    "topic_articles",
    metadata,
    sa.Column("topic_id", sa.Integer, sa.ForeignKey("topics.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Index("ix_topic_articles_article", "article_id"),
)

topic_context = sa.Table(
    "topic_context",
    metadata,
    # the other names a topic's articles mention, counted: what tells two senses apart
    sa.Column("topic_id", sa.Integer, sa.ForeignKey("topics.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)
