"""Item ids in all four forms, stream ids, and the junk that must be a 400 (never SQL)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.errors import BadParam
from tidings.web.greader.itemids import (
    MAX_ITEM_ID,
    MAX_ITEM_IDS,
    long_id,
    parse_item_id,
    parse_item_ids,
    short_id,
)
from tidings.web.greader.streams import (
    FeedStream,
    LabelStream,
    State,
    StateStream,
    parse_label,
    parse_stream,
)


@pytest.mark.parametrize(("raw", "expected"), [
    ("tag:google.com,2005:reader/item/0000000000000003", 3),  # long form
    ("tag:google.com,2005:reader/item/2f2", 0x2F2),  # NetNewsWire: prefix + unpadded hex
    ("TAG:google.com,2005:reader/item/00000000000000FF", 255),
    ("000000000000002a", 42),  # Reeder: 16 bare hex digits
    ("00000000000000ab", 0xAB),
    ("12345", 12345),  # Liferea, itemRefs: decimal
    ("0123", 0x123),  # FreshRSS: a leading zero makes it hex
    ("1234567890123456", 1234567890123456),  # all digits, no leading zero: decimal
    ("  42\n", 42),
    ("7fffffffffffffff", MAX_ITEM_ID),
])
def test_every_item_id_form(raw: str, expected: int) -> None:
    assert parse_item_id(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "0", "0000000000000000", "-5", "12a34z", "1 OR 1=1", "tag:google.com,2005:reader/item/",
    "tag:google.com,2005:reader/item/xyz", "ffffffffffffffff", "9223372036854775808",
    "00000000000000001", "feed/3", "tag:example.org,2005:reader/item/12", "1.5", "0x10",
])
def test_junk_item_ids_are_bad_params(raw: str) -> None:
    with pytest.raises(BadParam):
        parse_item_id(raw)


@given(st.integers(min_value=1, max_value=MAX_ITEM_ID))
def test_written_ids_read_back(item_id: int) -> None:
    assert parse_item_id(long_id(item_id)) == item_id
    assert parse_item_id(short_id(item_id)) == item_id
    assert len(long_id(item_id).rsplit("/", 1)[1]) == 16


def test_id_lists_keep_order_drop_repeats_and_are_capped() -> None:
    assert parse_item_ids(["3", long_id(3), "000000000000000a", "2"]) == [3, 10, 2]
    with pytest.raises(BadParam):
        parse_item_ids(str(n) for n in range(1, MAX_ITEM_IDS + 2))


@pytest.mark.parametrize(("raw", "expected"), [
    ("user/-/state/com.google/reading-list", StateStream(State.READING_LIST)),
    ("user/-/state/com.google/read", StateStream(State.READ)),
    ("user/-/state/com.google/starred", StateStream(State.STARRED)),
    ("user/-/state/com.google/kept-unread", StateStream(State.KEPT_UNREAD)),
    ("user/1234/state/com.google/starred", StateStream(State.STARRED)),
    ("user/-/label/Tech news", LabelStream("Tech news")),
    ("user/7/label/Économie", LabelStream("Économie")),
    ("feed/42", FeedStream(feed_id=42)),
    ("feed/https://example.org/feed.xml?a=1", FeedStream(url="https://example.org/feed.xml?a=1")),
])
def test_stream_ids(raw: str, expected: object) -> None:
    assert parse_stream(raw) == expected
    assert str(parse_stream(str(expected))) == str(expected)


@pytest.mark.parametrize("raw", [
    "", "reading-list", "user/-/state/com.google/bogus", "user/x/state/com.google/read",
    "user/-/label/", "user/-/label/a\nb", "feed/", "feed/0", "feed/-1", "feed/abc",
    "feed/javascript:alert(1)", "feed/99999999999999999999", "x" * 3000,
])
def test_bad_stream_ids(raw: str) -> None:
    with pytest.raises(BadParam):
        parse_stream(raw)


def test_labels_in_both_forms() -> None:
    assert parse_label("user/-/label/World") == "World"
    assert parse_label("World") == "World"
    with pytest.raises(BadParam):
        parse_label("user/-/state/com.google/read")
