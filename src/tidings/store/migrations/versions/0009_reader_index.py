"""Readers: the (source, id) index also carries ``published_at``, so unread lists and counts
read the index alone (no table row per unread article).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_articles_source_id_id", "articles")
    op.create_index("ix_articles_source_reading", "articles", ["source_id", "id", "published_at"])


def downgrade() -> None:
    op.drop_index("ix_articles_source_reading", "articles")
    op.create_index("ix_articles_source_id_id", "articles", ["source_id", "id"])
