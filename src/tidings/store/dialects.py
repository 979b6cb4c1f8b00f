"""The few statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert(dialect: str, table: sa.Table) -> Any:
    """An INSERT that understands ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def bind_processor(column: sa.Column[Any], dialect: sa.Dialect) -> Any:
    """The function SQLAlchemy passes ``column``'s values through for ``dialect`` (None: the
    value goes as it is), for statements that bind plain values themselves (on SQLite a
    datetime becomes the text that range queries compare)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)
