"""Feed dates to aware UTC datetimes: RFC 822, ISO 8601, and feedparser's odd spellings."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import Any


def parse_date(text: str | None) -> datetime | None:
    """RFC 822, ISO 8601, and the odd spellings feedparser knows; naive times are UTC."""
    if not text:
        return None
    text = text.strip()
    when: datetime | None = None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            from feedparser.datetimes import _parse_date  # rare spellings only: import late

            parsed = _parse_date(text)
            if parsed is not None:
                when = from_struct(parsed)
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    return when if when.year >= 1970 else None


def from_struct(st: Any) -> datetime:
    """A UTC datetime from a time.struct_time (what feedparser hands out)."""
    return datetime(st[0], st[1], st[2], st[3], st[4], st[5], tzinfo=UTC)
