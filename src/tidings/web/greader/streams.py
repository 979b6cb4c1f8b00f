"""Stream ids: which articles a Google Reader request is about.

``user/-/state/com.google/{reading-list,read,starred,kept-unread,…}`` (``user/<id>/…`` is
read the same way: every answer is the signed-in reader's anyway), ``user/-/label/NAME`` for a
folder, ``feed/<id>`` for one subscription and ``feed/<url>`` (FreshRSS's form, which
``subscribe`` needs) for a feed by its address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tidings.errors import BadParam

STATE_PREFIX = "user/-/state/com.google/"
LABEL_PREFIX = "user/-/label/"
MAX_STREAM_CHARS = 2000
MAX_LABEL_CHARS = 200

_USER = re.compile(r"user/(?:-|[0-9]{1,19})/(state/com\.google|label)/(.+)", re.S)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class State(StrEnum):
    """The ``com.google`` states; the last three are accepted and mean nothing here."""

    READING_LIST = "reading-list"
    READ = "read"
    STARRED = "starred"
    KEPT_UNREAD = "kept-unread"
    FRESH = "fresh"
    TRACKING_KEPT_UNREAD = "tracking-kept-unread"
    BROADCAST = "broadcast"
    LIKE = "like"


@dataclass(frozen=True, slots=True)
class StateStream:
    state: State

    def __str__(self) -> str:
        return state_id(self.state)


@dataclass(frozen=True, slots=True)
class LabelStream:
    name: str

    def __str__(self) -> str:
        return label_id(self.name)


@dataclass(frozen=True, slots=True)
class FeedStream:
    """``feed/<id>`` (``feed_id``) or ``feed/<url>`` (``url``)."""

    feed_id: int | None = None
    url: str | None = None

    def __str__(self) -> str:
        return f"feed/{self.feed_id if self.feed_id is not None else self.url}"


Stream = StateStream | LabelStream | FeedStream


def state_id(state: State) -> str:
    return STATE_PREFIX + state.value


def label_id(name: str) -> str:
    return LABEL_PREFIX + name


def feed_id(source_id: int) -> str:
    return f"feed/{source_id}"


def parse_stream(raw: str) -> Stream:
    """The stream a client names; a 400 for anything that is none."""
    text = raw.strip()
    if not text or len(text) > MAX_STREAM_CHARS:
        raise BadParam("a stream id is required" if not text else "stream id too long")
    if text.startswith("feed/"):
        return _feed(text[5:], raw)
    match = _USER.fullmatch(text)
    if match is None:
        raise BadParam(f"not a stream id: {raw[:80]!r}")
    kind, rest = match.groups()
    if kind == "label":
        return LabelStream(label_name(rest))
    try:
        return StateStream(State(rest))
    except ValueError:
        raise BadParam(f"unknown state stream: {raw[:80]!r}") from None


def label_name(raw: str) -> str:
    """A folder name as clients send it: trimmed, one line, not too long."""
    name = raw.strip()
    if not name or len(name) > MAX_LABEL_CHARS or _CONTROL.search(name):
        raise BadParam(f"not a usable label name: {raw[:80]!r}")
    return name


def parse_label(raw: str) -> str:
    """The folder name in ``user/-/label/NAME`` (a bare name is taken as it is, as FreshRSS
    does for ``rename-tag``'s ``dest``)."""
    stream = parse_stream(raw) if raw.strip().startswith("user/") else LabelStream(
        label_name(raw))
    if not isinstance(stream, LabelStream):
        raise BadParam(f"not a label: {raw[:80]!r}")
    return stream.name


def _feed(rest: str, raw: str) -> FeedStream:
    if rest.isascii() and rest.isdigit():
        value = int(rest)
        if 0 < value < 2**63:
            return FeedStream(feed_id=value)
        raise BadParam(f"feed id out of range: {raw[:80]!r}")
    if rest.startswith(("http://", "https://")) and not _CONTROL.search(rest):
        return FeedStream(url=rest)
    raise BadParam(f"not a feed stream: {raw[:80]!r}")
