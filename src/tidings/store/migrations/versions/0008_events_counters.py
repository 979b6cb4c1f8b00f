"""Live events and shared counters.

``events`` is an append-only log of what the live site announces (a new article, a story
gaining an outlet), written in the same transaction as the change itself; every web process
polls it from the last id it saw, so ids must only grow (``AUTOINCREMENT`` on SQLite: a
pruned or rolled-back id is never handed out again). ``counters`` holds the totals that
``/metrics`` reports for all processes together (fetches by outcome, items stored, ...),
incremented inside the writes they count.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("story_id", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Float, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("counters")
    op.drop_table("events")
