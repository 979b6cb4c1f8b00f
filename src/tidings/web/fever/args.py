"""What a Fever request asks for.

Fever names its selectors by presence (``?api&items&since_id=5``) and clients split their
parameters between the query string and the body at will, so both are read alike. ``since_id``
and ``max_id`` are exclusive bounds, ``with_ids`` names at most 50 items; ``mark`` sets an
absolute state (``as=saved`` twice stays saved: never a toggle), ``before`` is Unix seconds,
and group 0 means every subscription.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from tidings.errors import BadParam
from tidings.web.formargs import FormArgs

#: Fever's page size, and the most ``with_ids`` may name
PAGE = 50
MAX_ID = 2**63 - 1
SELECTORS = ("groups", "feeds", "favicons", "items", "links", "unread_item_ids",
             "saved_item_ids")
_KEY = re.compile(r"[0-9a-fA-F]{32}")


class MarkKind(StrEnum):
    ITEM = "item"
    FEED = "feed"
    GROUP = "group"


class MarkAs(StrEnum):
    READ = "read"
    UNREAD = "unread"
    SAVED = "saved"
    UNSAVED = "unsaved"


@dataclass(frozen=True, slots=True)
class ItemsQuery:
    since_id: int | None = None
    max_id: int | None = None
    with_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    kind: MarkKind
    as_: MarkAs
    id: int
    before: datetime | None = None


def api_key(args: FormArgs) -> str | None:
    """The key in lowercase hex, or None when there is none that could be right."""
    raw = args.get("api_key")
    if raw is None or not _KEY.fullmatch(raw.strip()):
        return None
    return raw.strip().lower()


def selectors(args: FormArgs) -> list[str]:
    return [name for name in SELECTORS if args.has(name)]


def items_query(args: FormArgs) -> ItemsQuery:
    with_ids = id_list(args.get("with_ids"), "with_ids")
    if with_ids is not None and len(with_ids) > PAGE:
        raise BadParam(f"with_ids names at most {PAGE} items")
    return ItemsQuery(since_id=number(args.get("since_id"), "since_id"),
                      max_id=number(args.get("max_id"), "max_id"),
                      with_ids=with_ids)


def mark(args: FormArgs) -> Mark | None:
    kind = args.get("mark")
    if kind is None:
        return None
    try:
        what = MarkKind(kind.strip())
        how = MarkAs((args.get("as") or "").strip())
    except ValueError:
        raise BadParam("mark must be item, feed or group and as read, unread, saved or "
                       "unsaved") from None
    target = number(args.get("id"), "id")
    if target is None:
        raise BadParam("mark needs an id")
    before = number(args.get("before"), "before")
    return Mark(what, how, target,
                datetime.fromtimestamp(min(before, 253_402_300_799), UTC)
                if before is not None else None)


def number(raw: str | None, name: str) -> int | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
        raise BadParam(f"{name} must be a whole number, got {raw[:40]!r}")
    return int(text)


def id_list(raw: str | None, name: str) -> tuple[int, ...] | None:
    """``1,2,3`` as numbers; None when the parameter is absent."""
    if raw is None:
        return None
    parts = [part for part in raw.split(",") if part.strip()]
    if len(parts) > 10_000:
        raise BadParam(f"{name} names too many ids")
    return tuple(dict.fromkeys(int(number(part, name) or 0) for part in parts))
