"""Query parameters, checked: a malformed or out-of-range value is a 400 with one clear line."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from starlette.datastructures import QueryParams

from tidings.errors import BadParam

DEFAULT_LIMIT = 20
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
MAX_QUERY_CHARS = 500
MAX_ID = 2**63 - 1


def integer(params: QueryParams, name: str, default: int | None = None, *, low: int = 0,
            high: int | None = None) -> int | None:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise BadParam(f"{name} must be an integer, got {raw[:40]!r}") from None
    if abs(value) > MAX_ID:
        raise BadParam(f"{name} is out of range")
    if value < low:
        raise BadParam(f"{name} must be at least {low}")
    if high is not None and value > high:
        raise BadParam(f"{name} must be at most {high}")
    return value


def paging(params: QueryParams, *, max_limit: int = MAX_LIMIT) -> tuple[int, int]:
    limit = integer(params, "limit", DEFAULT_LIMIT, low=1, high=max_limit)
    offset = integer(params, "offset", 0, low=0, high=MAX_OFFSET)
    assert limit is not None and offset is not None
    return limit, offset


def text(params: QueryParams, name: str) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    raw = raw.strip()
    if len(raw) > MAX_QUERY_CHARS:
        raise BadParam(f"{name} is longer than {MAX_QUERY_CHARS} characters")
    return raw or None


def language(params: QueryParams) -> str | None:
    raw = text(params, "language") or text(params, "lang")
    if raw is None:
        return None
    if not raw.replace("-", "").isalpha() or len(raw) > 16:
        raise BadParam(f"language must be a language code such as 'en', got {raw[:20]!r}")
    return raw.lower()


def when(params: QueryParams, name: str, tz: ZoneInfo, *, end: bool = False) -> datetime | None:
    """A date (``2026-02-13``, the whole day in the site's zone) or an ISO 8601 time."""
    raw = text(params, name)
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            day = datetime.strptime(raw, "%Y-%m-%d").date()
            moment = datetime.combine(day, time.max if end else time.min, tzinfo=tz)
        else:
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
    except ValueError:
        raise BadParam(f"{name} must be a date (YYYY-MM-DD) or an ISO 8601 time") from None
    return moment.astimezone(UTC)
