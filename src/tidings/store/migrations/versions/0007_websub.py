"""WebSub: the subscriptions tidings asked hubs for, and what each feed declares.

``feeds.websub_hub``/``websub_topic`` are what the last fetch found (the hub and the feed's
self URL); ``feeds.last_push_at`` is when a hub last delivered content (polling slows down
while pushes arrive). A subscription row outlives its feed until the hub has verified the
unsubscribe, so ``feed_id`` is a plain column, not a foreign key.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("websub_hub", sa.Text, nullable=True))
        batch.add_column(sa.Column("websub_topic", sa.Text, nullable=True))
        batch.add_column(sa.Column("last_push_at", UTCDateTime, nullable=True))
    op.create_table(
        "websub_subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("feed_id", sa.Integer, index=True),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("lease_expires_at", UTCDateTime),
        sa.Column("next_action_at", UTCDateTime, index=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("last_push_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("websub_subscriptions")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("last_push_at")
        batch.drop_column("websub_topic")
        batch.drop_column("websub_hub")
