"""Sections and topics: each article's feed categories and the section they map to; topics
(recurring names of people, organizations and places), their articles and their context.

Existing articles keep no section (their categories were not stored); topics are filled by
the clustering stage, and ``tidings recluster`` fills them for stored articles.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("categories", sa.JSON, nullable=True))
        batch.add_column(sa.Column("section", sa.String(16), nullable=True))
    op.create_index("ix_articles_section_published", "articles", ["section", "published_at"])
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("sense", sa.Integer, nullable=False, server_default="1"),
        sa.Column("slug", sa.String(220), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("story_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("context_peak", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_published_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("key", "sense", name="uq_topics_key_sense"),
    )
    op.create_index("ix_topics_story_count", "topics", ["story_count", "last_published_at"])
    op.create_table(
        "topic_articles",
        sa.Column("topic_id", sa.Integer, sa.ForeignKey("topics.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
    )
    op.create_index("ix_topic_articles_article", "topic_articles", ["article_id"])
    op.create_table(
        "topic_context",
        sa.Column("topic_id", sa.Integer, sa.ForeignKey("topics.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("topic_context")
    op.drop_index("ix_topic_articles_article", table_name="topic_articles")
    op.drop_table("topic_articles")
    op.drop_index("ix_topics_story_count", table_name="topics")
    op.drop_table("topics")
    op.drop_index("ix_articles_section_published", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("section")
        batch.drop_column("categories")
