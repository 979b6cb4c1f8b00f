"""Host slots: per-host politeness shared by every worker process.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_slots",
        sa.Column("host", sa.Text, primary_key=True),
        sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("feed_id", sa.Integer),
        sa.Column("owner", sa.Text),
        sa.Column("lease_until", UTCDateTime),
    )
    op.create_index("ix_feeds_lease_until", "feeds", ["lease_until"])


def downgrade() -> None:
    op.drop_index("ix_feeds_lease_until", "feeds")
    op.drop_table("host_slots")
