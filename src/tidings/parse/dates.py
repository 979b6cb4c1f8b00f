"""Feed dates to aware UTC datetimes: RFC 822, ISO 8601, and feedparser's odd spellings."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

_MONTHS = {m: n for n, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"), start=1)}
#: RFC 822 as nearly every feed writes it; anything else takes the general path
_RFC822 = re.compile(r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) ([A-Z][a-z]{2}) "
                     r"([12]\d{3}) (\d\d):(\d\d):(\d\d) ([+-]\d{4}|GMT|UTC|UT|Z)", re.A)


def _common_rfc822(text: str) -> datetime | None:
    """The usual RFC 822 spelling, read as ``email.utils`` reads it at a quarter of its cost;
    None for any other spelling or an impossible value (the general path decides those)."""
    found = _RFC822.fullmatch(text)
    if found is None or found[2] not in _MONTHS:
        return None
    zone = found[7]
    offset = 0
    if zone[0] in "+-":
        offset = int(zone[1:3]) * 3600 + int(zone[3:5]) * 60
        offset = -offset if zone[0] == "-" else offset
    try:
        return datetime(int(found[3]), _MONTHS[found[2]], int(found[1]), int(found[4]),
                        int(found[5]), int(found[6]), tzinfo=timezone(timedelta(seconds=offset)))
    except ValueError:
        return None


def parse_date(text: str | None) -> datetime | None:
    """RFC 822, ISO 8601, and the odd spellings feedparser knows; naive times are UTC."""
    if not text:
        return None
    text = text.strip()
    when = _common_rfc822(text)
    try:
        if when is None:
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
