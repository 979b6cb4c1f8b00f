"""The parameters of Google Reader's stream requests: ``n r ot nt xt it c`` (and ``s``).

``n`` is how many (clamped, never an error: clients ask for 10,000 as a way of saying "all"),
``r=o`` oldest first, ``ot``/``nt`` a lower/upper bound in Unix seconds, ``xt`` a state to
leave out (``…/read``: unread only), ``it`` a state to keep (``…/read``, ``…/starred``,
``…/kept-unread``), ``c`` the continuation the previous page returned. ``T`` (the edit token)
is trimmed: newsboat sends the newline ``/token`` answered with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tidings.errors import BadParam
from tidings.web.formargs import FormArgs
from tidings.web.greader.streams import State, StateStream, Stream, parse_stream

DEFAULT_COUNT = 20
#: the most items one ``stream/contents`` page holds
MAX_CONTENTS = 1000
#: the most ids one ``stream/items/ids`` page holds (Miniflux's cap too)
MAX_IDS = 10_000
MAX_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CONTINUATION = re.compile(r"[0-9A-Za-z_.:-]{1,100}")


@dataclass(frozen=True, slots=True)
class StreamArgs:
    stream: Stream
    count: int = DEFAULT_COUNT
    oldest_first: bool = False
    newer_than: datetime | None = None  # ot
    older_than: datetime | None = None  # nt
    unread_only: bool = False  # xt=…/read, it=…/kept-unread
    read_only: bool = False  # it=…/read
    starred_only: bool = False  # it=…/starred
    continuation: str | None = None


def stream_args(args: FormArgs, stream: Stream, *, most: int) -> StreamArgs:
    """The stream request ``args`` describe, for ``stream`` (from the path or ``s``)."""
    include = _state(args.get("it"), "it")
    exclude = _state(args.get("xt"), "xt")
    return StreamArgs(
        stream=stream,
        count=count(args.get("n"), most=most),
        oldest_first=(args.get("r") or "").strip() == "o",
        newer_than=seconds(args.get("ot"), "ot"),
        older_than=seconds(args.get("nt"), "nt"),
        unread_only=exclude is State.READ or include is State.KEPT_UNREAD,
        read_only=include is State.READ,
        starred_only=include is State.STARRED,
        continuation=continuation(args.get("c")),
    )


def stream_from(args: FormArgs, path_stream: str | None = None) -> Stream:
    """The stream in the path if there is one, else ``s``; the reading list when neither."""
    raw = path_stream if path_stream else args.get("s")
    return parse_stream(raw) if raw else StateStream(State.READING_LIST)


def count(raw: str | None, *, most: int, default: int = DEFAULT_COUNT) -> int:
    if raw is None or not raw.strip():
        return default
    return max(1, min(most, _integer(raw, "n")))


def seconds(raw: str | None, name: str) -> datetime | None:
    """A Unix time in seconds, or in milliseconds or microseconds as some clients send it
    (told apart by size, and kept to the microsecond: a ``timestampUsec`` sent back must
    name exactly the crawl time it came from); fractions of the unit are dropped."""
    if raw is None or not raw.strip():
        return None
    value = max(0, _integer(raw.split(".")[0], name))
    per_second = 1
    while value // per_second > MAX_SECONDS:
        per_second *= 1000
    return EPOCH + timedelta(microseconds=value * 1_000_000 // per_second)


def continuation(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if not _CONTINUATION.fullmatch(text):
        raise BadParam(f"not a continuation: {raw[:40]!r}")
    return text


def edit_token(args: FormArgs) -> str | None:
    value = args.get("T")
    return value.strip() if value is not None else None


def _state(raw: str | None, name: str) -> State | None:
    if raw is None or not raw.strip():
        return None
    stream = parse_stream(raw)
    if not isinstance(stream, StateStream):
        raise BadParam(f"{name} must be a state such as user/-/state/com.google/read")
    return stream.state


def _integer(raw: str, name: str) -> int:
    text = raw.strip()
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 20:
        raise BadParam(f"{name} must be an integer, got {raw[:40]!r}")
    value = int(text)
    if value < 0:
        raise BadParam(f"{name} must not be negative")
    return value
