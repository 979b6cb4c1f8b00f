"""The first schema: sources, feeds, articles, stories, reads, users, meta.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("category", sa.Text),
        sa.Column("fulltext", sa.String(8), nullable=False, server_default="auto"),
        sa.Column("language", sa.String(16)),
        sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "feeds",
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
        sa.Column("lease_until", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "stories",
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
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="SET NULL"),
                  index=True),
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
        sa.Column("extract_state", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("extract_error", sa.Text),
        sa.Column("cluster_state", sa.String(12), nullable=False, server_default="pending"),
        sa.UniqueConstraint("source_id", "entry_key", name="uq_articles_source_entry"),
    )
    op.create_index("ix_articles_extract_state", "articles", ["extract_state"])
    op.create_index("ix_articles_cluster_state", "articles", ["cluster_state"])
    op.create_table(
        "reads",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("visitor", sa.String(64), primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("read_at", UTCDateTime, nullable=False, index=True),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
