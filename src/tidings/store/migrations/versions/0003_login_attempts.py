"""Failed sign-ins, so login rate limits hold across every web process.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("attempted_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_login_attempts_key", "login_attempts", ["key", "attempted_at"])
    op.create_index("ix_login_attempts_address", "login_attempts", ["address", "attempted_at"])


def downgrade() -> None:
    op.drop_table("login_attempts")
