"""The plain-link fast paths (canonical URLs, URL sections) give what urlsplit gives.

Both skip ``urllib.parse.urlsplit`` for the common plain link; these properties compare them
with the urlsplit route on links built from the characters that make urlsplit differ: case,
ports, users, brackets, blanks it deletes, dots, percent signs and non-ASCII.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from tidings.fetch import urls
from tidings.parse import sections

from .conftest import FUZZ, tried

_PIECES = st.sampled_from([
    "a", "B", "z9", "-", ".", "..", "/", "//", "?", "#", "&", "=", ":", "@", "[", "]", "%2F",
    "%", " ", "\t", "\n", "\r", "\xa0", "é", "\\", "utm_source=x", "id=7", "news", "sport",
    "Tech", "8080", "443", "80", "::1", "user:pw@", "xn--p1ai",
])
_LINKS = st.builds(
    lambda scheme, host, rest: scheme + host + rest,
    st.sampled_from(["http://", "https://", "HTTP://", "Https://", "ftp://", "http:/", "", " http://"]),
    st.lists(_PIECES, max_size=6).map("".join),
    st.lists(_PIECES, max_size=10).map("".join),
)


def _canonical_by_urlsplit(url: str) -> str:
    url = url.strip()
    base, _, _fragment = url.partition("#")
    base, has_query, query = base.partition("?")
    return urls._canonical_netloc(url, base, urls._clean_query(query) if has_query else "")


@FUZZ
@given(_LINKS)
@example("https://example.com/news/1?utm_source=rss&id=2#top")
@example("http://example.com")
@example("http://Example.com/a")
@example("http://example.com./a")
@example("http://example.com:80/a")
@example("http://a..b/c")
def test_canonical_fast_path_equals_urlsplit_route(url: str) -> None:
    tried("canonicalize_fast_path")
    assert urls.canonicalize(url) == _canonical_by_urlsplit(url)


@FUZZ
@given(_LINKS)
@example("https://example.com/sport/2026/story?x=1#y")
@example("https://[::1/sport/x")
@example("https://example.com/a b/c")
def test_path_fast_path_equals_urlsplit(url: str) -> None:
    tried("section_path_fast_path")
    try:
        expected: str | type[ValueError] = urlsplit(url).path
    except ValueError:
        expected = ValueError
    try:
        found: str | type[ValueError] = sections._path_of(url)
    except ValueError:
        found = ValueError
    assert found == expected
