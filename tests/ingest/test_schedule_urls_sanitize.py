"""Pure functions: the poll schedule, canonical URLs and the sanitizer."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tidings.config import Settings
from tidings.fetch import schedule
from tidings.fetch.urls import canonicalize
from tidings.sanitize import html_to_text, sanitize_html

NOW = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)
S = Settings.from_dict({"home": "/tmp/x"})


def hours_ago(*hours: float) -> list[datetime]:
    return [NOW - timedelta(hours=h) for h in hours]


def interval(**kwargs) -> int:  # type: ignore[no-untyped-def]
    return schedule.next_check(NOW, S, rng=random.Random(1), **kwargs)[1]


def test_cadence_follows_the_feed() -> None:
    busy = interval(entry_times=hours_ago(*range(0, 168, 1)))  # one an hour
    daily = interval(entry_times=hours_ago(0, 24, 48, 72, 96, 120, 144))
    quiet = interval(entry_times=hours_ago(500, 900))
    assert busy == 3600
    assert daily == 86400
    assert quiet == S.max_poll_interval
    assert S.min_poll_interval <= busy < daily <= quiet <= S.max_poll_interval


def test_hints_lengthen_but_clamps_hold() -> None:
    times = hours_ago(*range(0, 168, 1))
    assert interval(entry_times=times, ttl_seconds=7200) == 7200
    assert interval(entry_times=times, max_age=5400) == 5400
    assert interval(entry_times=times, retry_after=9000) == 9000
    assert interval(entry_times=times, ttl_seconds=10 ** 9) == S.max_poll_interval
    flood = hours_ago(*[i / 100 for i in range(5000)])
    assert interval(entry_times=flood) == S.min_poll_interval
    assert interval(fixed_interval=900) == 900


def test_jitter_stays_within_ten_percent_and_the_maximum() -> None:
    rng = random.Random(7)
    for _ in range(200):
        when, base = schedule.next_check(NOW, S, entry_times=hours_ago(1, 30, 60), rng=rng)
        delay = (when - NOW).total_seconds()
        assert base <= delay <= min(base * 1.1, S.max_poll_interval) + 1


def test_backoff_grows_and_is_clamped() -> None:
    delays = [(schedule.backoff(NOW, S, n, rng=random.Random(0)) - NOW).total_seconds()
              for n in range(1, 12)]
    assert delays == sorted(delays)
    assert delays[0] >= S.min_poll_interval and delays[-1] <= S.max_poll_interval
    retry = schedule.backoff(NOW, S, 1, retry_after=7200, rng=random.Random(0))
    assert (retry - NOW).total_seconds() >= 7200
    assert schedule.should_disable(S.max_feed_errors, S)
    assert not schedule.should_disable(S.max_feed_errors - 1, S)


def test_cache_control() -> None:
    assert schedule.cache_max_age("public, max-age=600") == 600
    assert schedule.cache_max_age("s-maxage=900, max-age=60") == 900
    assert schedule.cache_max_age("no-cache, max-age=600") is None
    assert schedule.cache_max_age(None) is None


@pytest.mark.parametrize("raw, canonical", [
    ("https://Example.COM:443/a/b?utm_source=x&id=3&utm_medium=y#frag",
     "https://example.com/a/b?id=3"),
    ("http://example.com:80", "http://example.com/"),
    ("http://example.com:8080/x?fbclid=1&gclid=2", "http://example.com:8080/x"),
    ("https://example.com/x?b=2&a=1", "https://example.com/x?b=2&a=1"),
    ("https://example.com/x?mc_cid=1&mc_eid=2&ref=home", "https://example.com/x?ref=home"),
    ("https://EXAMPLE.com./path/", "https://example.com/path/"),
    ("mailto:someone@example.com", "mailto:someone@example.com"),
    ("not a url", "not a url"),
])
def test_canonicalize(raw: str, canonical: str) -> None:
    assert canonicalize(raw) == canonical


def test_sanitizer_removes_active_content() -> None:
    dirty = ('<p onclick="x()">Hi <a href="javascript:alert(1)">a</a>'
             '<a href="/rel">b</a><script>evil()</script><style>p{}</style>'
             '<iframe src="https://evil.example"></iframe><img src="x.png" onerror="y()"></p>')
    clean = sanitize_html(dirty, "https://site.example/dir/page")
    for bad in ("onclick", "javascript:", "<script", "evil()", "<iframe", "onerror", "<style"):
        assert bad not in clean
    assert 'href="https://site.example/rel"' in clean
    assert 'src="https://site.example/dir/x.png"' in clean
    assert sanitize_html(None) == ""


def test_html_to_text() -> None:
    assert html_to_text("<p>One &amp; two</p><p>Three<br>four</p>") == "One & two\nThree\nfour"
    assert html_to_text("<ul><li>a</li><li>b</li></ul>") == "a\nb"
    assert html_to_text("") == ""
