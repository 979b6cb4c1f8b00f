"""Readers: API credentials and tokens, preferences, folders, per-user subscriptions over the
shared catalogue, reading state (a "read through" id per subscription plus per-article exceptions
and stars), undo of mark-all, filter rules and saved searches; sources become public or
private (added by a reader). Every existing source is public, and every existing account
follows every source, as a new reader does.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NEW_TABLES = ("api_tokens", "reader_prefs", "folders", "subscriptions",
              "article_states", "read_undo", "filter_rules", "saved_searches")


def _user_fk() -> sa.Column[int]:
    return sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                     nullable=False)


def _accounts() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("api_password_hash", sa.Text, nullable=True))
        batch.add_column(sa.Column("fever_key", sa.String(32), nullable=True))
    op.create_index("ix_users_fever_key", "users", ["fever_key"], unique=True)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_fk(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "reader_prefs",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("mark_read_on", sa.String(8), nullable=False, server_default="open"),
        sa.Column("mark_duplicates_read", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("group_by_story", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("filtered_through", sa.Integer, nullable=False, server_default="0"),
    )


def _subscriptions() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("is_public", sa.Boolean, nullable=False,
                                   server_default=sa.true()))
    op.create_table(
        "folders",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_fk(),
        sa.Column("name", sa.Text, nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_folders_user_name"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("folder_id", sa.Integer, sa.ForeignKey("folders.id", ondelete="SET NULL")),
        sa.Column("title", sa.Text),
        sa.Column("read_through", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_subscriptions_source_id", "subscriptions", ["source_id"])
    # the accounts that exist already (administrators) start with everything so far read
    op.execute("INSERT INTO subscriptions (user_id, source_id, read_through, created_at) "
               "SELECT users.id, sources.id, coalesce((SELECT max(articles.id) FROM articles "
               "WHERE articles.source_id = sources.id), 0), sources.created_at "
               "FROM users, sources")


def _reading_state() -> None:
    op.create_index("ix_articles_source_id_id", "articles", ["source_id", "id"])
    op.create_table(
        "article_states",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("is_read", sa.Boolean),
        sa.Column("starred_at", UTCDateTime),
    )
    op.create_index("ix_article_states_article_id", "article_states", ["article_id"])
    op.create_index("ix_article_states_read", "article_states",
                    ["user_id", "is_read", "article_id"])
    op.create_index("ix_article_states_starred", "article_states", ["user_id", "starred_at"])
    op.create_table(
        "read_undo",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_fk(),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_read_undo_user_id", "read_undo", ["user_id"])


def _filters() -> None:
    op.create_table(
        "filter_rules",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_fk(),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("field", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("pattern", sa.Text, nullable=False),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE")),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_filter_rules_user_id", "filter_rules", ["user_id"])
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_fk(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_searches_user_name"),
    )


def upgrade() -> None:
    _accounts()
    _subscriptions()
    _reading_state()
    _filters()


def downgrade() -> None:
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
    op.drop_index("ix_articles_source_id_id", "articles")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("is_public")
    op.drop_index("ix_users_fever_key", "users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("fever_key")
        batch.drop_column("api_password_hash")
