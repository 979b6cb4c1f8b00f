"""Filter rules (mute, keep) and saved searches, applied in streams and unread counts."""

from __future__ import annotations

import time

import pytest
from tests.readers.conftest import NOW, add_articles, add_source, add_user

from tidings.errors import InputError
from tidings.operations import filters, reading
from tidings.store import Store
from tidings.store.streams import StreamQuery


def _unread(store: Store, user: int, **kw: object) -> set[int]:
    query = StreamQuery(unread_only=True, limit=10_000, **kw)  # type: ignore[arg-type]
    return set(reading.stream_ids(store, user, query)[0])


def test_mute_and_keep_rules(store: Store) -> None:
    sport, news = add_source(store, "Sport"), add_source(store, "News")
    user = add_user(store, "alice")
    football = add_articles(store, sport, 3, title="Football match")
    tennis = add_articles(store, sport, 2, start=10, title="Tennis final")
    politics = add_articles(store, news, 2, start=20, title="Election night")
    filters.add_rule(store, user, action="mute", field="title", kind="keyword",
                     pattern="FOOTBALL")
    assert _unread(store, user) == set(tennis + politics)
    # keep only tennis in Sport: news is out of the rule's scope
    filters.add_rule(store, user, action="keep", field="any", kind="regex",
                     pattern=r"\btennis\b", source_id=sport)
    later_tennis = add_articles(store, sport, 1, start=30, title="Tennis semi")
    later_golf = add_articles(store, sport, 1, start=31, title="Golf open")
    assert _unread(store, user) == set(tennis + politics + later_tennis)
    counts = reading.unread_counts(store, user)
    assert counts.total == 5
    assert later_golf[0] not in _unread(store, user)
    other = add_user(store, "bob")  # rules are per reader
    assert set(football) <= _unread(store, other)


def test_muted_by_source_name_and_author(store: Store) -> None:
    noisy = add_source(store, "Noisy Wire")
    user = add_user(store, "alice")
    ids = add_articles(store, noisy, 2)
    filters.add_rule(store, user, action="mute", field="source", kind="keyword",
                     pattern="noisy")
    assert _unread(store, user) == set()
    reading.set_read(store, user, ids, read=False)  # a reader can still unread one
    assert _unread(store, user) == set(ids)


def test_bad_rules_are_one_line_errors(store: Store) -> None:
    user = add_user(store, "alice")
    with pytest.raises(InputError, match=r"^bad regular expression: .*") as caught:
        filters.add_rule(store, user, action="mute", field="title", kind="regex",
                         pattern="(unclosed")
    assert "\n" not in str(caught.value)
    with pytest.raises(InputError, match="action"):
        filters.add_rule(store, user, action="hide", field="title", kind="keyword", pattern="x")
    with pytest.raises(InputError, match="characters"):
        filters.add_rule(store, user, action="mute", field="title", kind="keyword",
                         pattern="x" * 201)
    assert filters.list_rules(store, user) == []


def test_catastrophic_regex_is_cut_short(store: Store, caplog: pytest.LogCaptureFixture
                                         ) -> None:
    src = add_source(store, "News")
    user = add_user(store, "alice")
    [victim] = add_articles(store, src, 1, title="a" * 40 + "!")
    started = time.monotonic()
    filters.add_rule(store, user, action="mute", field="title", kind="regex",
                     pattern=r"^(a|aa)+$")
    assert time.monotonic() - started < 5  # unguarded, this pattern runs for minutes
    assert _unread(store, user) == {victim}  # a timed-out match keeps the article
    assert "took too long" in caplog.text


def test_saved_search_is_a_stream(store: Store) -> None:
    src, other = add_source(store, "News"), add_source(store, "Other")
    user = add_user(store, "alice")
    storms = add_articles(store, src, 3, title="Storm warning")
    add_articles(store, src, 2, start=10, title="Budget vote")
    add_articles(store, other, 2, start=20, title="Storm chasers")
    reading.set_read(store, user, [storms[0]])
    found = filters.add_saved_search(store, user, "Storms", "storm")
    query = StreamQuery(kind="search", ref=found.id, limit=100)
    ids, _ = reading.stream_ids(store, user, query)
    assert len(ids) == 5 and set(storms) <= set(ids)
    assert reading.saved_search_unread(store, user, found.id)[0] == 4
    reading.mark_all_read(store, user, query, now=NOW)
    assert reading.saved_search_unread(store, user, found.id)[0] == 0
    assert len(_unread(store, user)) == 2  # the budget articles
    bob = add_user(store, "bob")
    with pytest.raises(Exception, match="no saved search"):
        reading.stream_ids(store, bob, query)
