"""Request parameters: query and body alike, newsboat's unescaped bodies, stream arguments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tidings.errors import BadParam
from tidings.web.formargs import MAX_FIELDS, FormArgs, read_args
from tidings.web.greader.args import (
    MAX_CONTENTS,
    continuation,
    edit_token,
    seconds,
    stream_args,
    stream_from,
)
from tidings.web.greader.streams import FeedStream, LabelStream, State, StateStream
from tidings.web.greader.tokens import header_token, request_token


async def echo(request: Request) -> Response:
    try:
        args = await read_args(request)
    except BadParam as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    token = request_token(request, edit_token(args))
    return JSONResponse({"pairs": [list(p) for p in args.pairs], "token": token})


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])]))


def test_newsboat_body_unescaped_with_a_newline_after_the_token(client: TestClient) -> None:
    # what newsboat 2.21 posts to edit-tag (recorded from a run): not escaped, no content type
    body = (b"i=tag:google.com,2005:reader/item/0000000000000003"
            b"&a=user/-/state/com.google/read&r=user/-/state/com.google/kept-unread"
            b"&ac=edit&T=0123abcd\n")
    answer = client.post("/echo", content=body).json()
    assert answer["pairs"] == [["i", "tag:google.com,2005:reader/item/0000000000000003"],
                               ["a", "user/-/state/com.google/read"],
                               ["r", "user/-/state/com.google/kept-unread"],
                               ["ac", "edit"], ["T", "0123abcd\n"]]
    assert answer["token"] == "0123abcd"  # a write without the header signs in with T, trimmed


def test_query_and_body_together_repeats_kept_and_multipart(client: TestClient) -> None:
    answer = client.post("/echo?api&items&i=1", data={"i": ["2", "3"], "api_key": "k"}).json()
    assert answer["pairs"] == [["api", ""], ["items", ""], ["i", "1"], ["i", "2"], ["i", "3"],
                               ["api_key", "k"]]
    multipart = client.post("/echo?api", files={"api_key": (None, "abc")})
    assert multipart.json()["pairs"] == [["api", ""], ["api_key", "abc"]]
    uploaded = client.post("/echo?api", files={"f": ("f.txt", b"x")})
    assert uploaded.status_code == 400  # no client uploads files: refused, not stored


def test_header_wins_and_get_never_signs_in_with_t(client: TestClient) -> None:
    assert client.get("/echo?T=abc").json()["token"] is None
    headers = {"Authorization": "GoogleLogin auth=feedface"}
    assert client.post("/echo", data={"T": "other"}, headers=headers).json()["token"] \
        == "feedface"


def test_too_many_fields_is_a_400(client: TestClient) -> None:
    body = "&".join(f"i={n}" for n in range(MAX_FIELDS + 5))
    response = client.post("/echo", content=body.encode(),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400


@pytest.mark.parametrize(("header", "token"), [
    ("GoogleLogin auth=abc123", "abc123"),
    ("googlelogin   auth=\"abc123\"", "abc123"),
    ("GoogleLogin auth=alice/0a1b", "alice/0a1b"),
    ("Bearer abc123", None),
    ("GoogleLogin auth=", None),
    ("GoogleLogin auth=a b", None),
    ("GoogleLogin auth=abc'; DROP", None),
    (None, None),
])
def test_authorization_header(header: str | None, token: str | None) -> None:
    assert header_token(header) == token


def args(**fields: str) -> FormArgs:
    return FormArgs(tuple(fields.items()))


def test_stream_arguments() -> None:
    parsed = stream_args(args(n="50", r="o", ot="1700000000", nt="1700003600",
                              xt="user/-/state/com.google/read", c="abc-12"),
                         StateStream(State.READING_LIST), most=MAX_CONTENTS)
    assert parsed.count == 50 and parsed.oldest_first and parsed.unread_only
    assert parsed.newer_than == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert parsed.older_than == datetime(2023, 11, 14, 23, 13, 20, tzinfo=UTC)
    assert parsed.continuation == "abc-12"
    # milliseconds and microseconds are told apart by size and kept to the microsecond
    for sent in ("1700000000123", "1700000000123000"):
        exact = stream_args(args(ot=sent), StateStream(State.READING_LIST), most=10)
        assert exact.newer_than == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    starred = stream_args(args(it="user/-/state/com.google/starred", r="n"),
                          FeedStream(feed_id=1), most=MAX_CONTENTS)
    assert starred.starred_only and not starred.oldest_first and starred.count == 20
    assert stream_args(args(it="user/-/state/com.google/read"), FeedStream(feed_id=1),
                       most=10).read_only
    assert stream_args(args(n="100000"), FeedStream(feed_id=1), most=10).count == 10
    assert stream_args(args(n="0"), FeedStream(feed_id=1), most=10).count == 1


@pytest.mark.parametrize("fields", [
    {"n": "ten"}, {"n": "-1"}, {"ot": "yesterday"}, {"xt": "user/-/label/x"},
    {"it": "feed/1"}, {"c": "a b"}, {"c": '"quoted"'}, {"nt": "1" * 30},
])
def test_bad_stream_arguments(fields: dict[str, str]) -> None:
    with pytest.raises(BadParam):
        stream_args(args(**fields), FeedStream(feed_id=1), most=10)


def test_times_in_seconds_milliseconds_or_microseconds_mean_the_same() -> None:
    expected = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert seconds("1700000000", "ts") == seconds("1700000000000", "ts") \
        == seconds("1700000000000000", "ts") == seconds("1700000000.5", "ts") == expected
    assert continuation("  ") is None


def test_stream_from_path_then_s_then_the_reading_list() -> None:
    assert stream_from(args(s="feed/3"), "user/-/label/A") == LabelStream("A")
    assert stream_from(args(s="feed/3")) == FeedStream(feed_id=3)
    assert stream_from(args()) == StateStream(State.READING_LIST)
