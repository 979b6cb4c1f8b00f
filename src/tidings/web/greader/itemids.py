"""Item ids in every form Google Reader clients send, and the two forms tidings writes.

An item id is an article id. Written out it is the long form
``tag:google.com,2005:reader/item/%016x`` (item JSON, Atom ``<id>``) or a decimal string
(``itemRefs``). Read back it may be any of: the long form, the prefix with unpadded hex
(NetNewsWire), 16 bare hex digits (Reeder) or decimal (Liferea). An ambiguous string follows
FreshRSS's rule: all digits and no leading zero is decimal, anything else is hex. Whatever
cannot be an id is a :class:`BadParam` (a 400), so no malformed value ever reaches a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tidings.errors import BadParam

PREFIX = "tag:google.com,2005:reader/item/"
MAX_ITEM_ID = 2**63 - 1
#: the most ids one request may name (Miniflux caps its id lists at the same)
MAX_ITEM_IDS = 10_000

_HEX = re.compile(r"[0-9a-fA-F]{1,16}")
_DECIMAL = re.compile(r"[1-9][0-9]{0,18}")


def long_id(item_id: int) -> str:
    return f"{PREFIX}{item_id:016x}"


def short_id(item_id: int) -> str:
    return str(item_id)


def parse_item_id(raw: str) -> int:
    """The article id behind any of the four forms; a 400 for anything else."""
    text = raw.strip()
    body = text[len(PREFIX):] if text.lower().startswith(PREFIX) else text
    if body is text and _DECIMAL.fullmatch(body):
        value = int(body)
    elif _HEX.fullmatch(body):
        value = int(body, 16)
    else:
        raise BadParam(f"not an item id: {raw[:60]!r}")
    if not 0 < value <= MAX_ITEM_ID:
        raise BadParam(f"item id out of range: {raw[:60]!r}")
    return value


def parse_item_ids(raws: Iterable[str]) -> list[int]:
    """Every id given, in order, without repeats; at most :data:`MAX_ITEM_IDS`."""
    seen: dict[int, None] = {}
    for raw in raws:
        seen[parse_item_id(raw)] = None
        if len(seen) > MAX_ITEM_IDS:
            raise BadParam(f"at most {MAX_ITEM_IDS} item ids at once")
    return list(seen)
