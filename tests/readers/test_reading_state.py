"""Read/unread and stars per user, on SQLite and PostgreSQL: marks plus exceptions give the
same answers as a plain set of read ids, and stay small."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from tests.readers.conftest import NOW, add_articles, add_source, add_user

from tidings.operations import reading
from tidings.store import Store
from tidings.store.streams import StreamQuery


def _unread(store: Store, user: int, **kw: object) -> list[int]:
    ids, _ = reading.stream_ids(store, user, StreamQuery(unread_only=True, limit=10_000, **kw))  # type: ignore[arg-type]
    return ids


def test_new_reader_follows_public_sources_with_a_short_backlog(store: Store) -> None:
    news = add_source(store, "News")
    old = add_articles(store, news, 3, fetched=NOW - timedelta(days=10))
    fresh = add_articles(store, news, 2, start=3)
    mine = add_source(store, "Mine", public=False)
    add_articles(store, mine, 2, start=10)
    alice = add_user(store, "alice")
    assert [s.source_id for s in store.subscriptions.list(alice)] == [news]
    assert sorted(_unread(store, alice)) == fresh
    items = reading.items_by_ids(store, alice, old + fresh)
    assert [i.is_read for i in items] == [True, True, True, False, False]


def test_read_unread_and_marks_agree_with_a_plain_set(store: Store) -> None:
    """Random marking in both directions, compared with the obvious model after each step."""
    a, b = add_source(store, "A"), add_source(store, "B")
    user = add_user(store, "alice")
    ids = add_articles(store, a, 40) + add_articles(store, b, 40, start=100)
    unread = set(ids)
    rng = random.Random(7)
    for step in range(25):
        chosen = rng.sample(ids, rng.randint(1, 12))
        read = rng.random() < 0.7
        reading.set_read(store, user, chosen, read)
        unread = unread - set(chosen) if read else unread | set(chosen)
        if step == 10:  # everything in A read at once, then some of it unread again
            reading.mark_all_read(store, user, StreamQuery(kind="source", ref=a), now=NOW)
            unread -= {i for i in ids if i <= max(ids[:40])}
        assert set(_unread(store, user)) == unread, step
    counts = reading.unread_counts(store, user)
    assert counts.total == len(unread)
    assert {c.source_id: c.count for c in counts.sources if c.count} == {
        s: n for s, n in ((a, len(unread & set(ids[:40]))), (b, len(unread & set(ids[40:]))))
        if n}


def test_reading_in_order_keeps_state_to_one_mark(store: Store) -> None:
    src = add_source(store, "News")
    user = add_user(store, "alice")
    ids = add_articles(store, src, 200)
    for start in range(0, 200, 20):
        reading.set_read(store, user, ids[start:start + 20])
    assert _unread(store, user) == []
    assert store.read_state.state_rows(user) == 0  # all folded into read_through
    reading.set_read(store, user, [ids[5]], read=False)  # unread works below the mark
    assert _unread(store, user) == [ids[5]]
    assert store.read_state.state_rows(user) == 1


def test_mark_all_read_and_undo(store: Store) -> None:
    a, b = add_source(store, "A"), add_source(store, "B")
    user = add_user(store, "alice")
    ids_a = add_articles(store, a, 10)
    # B's first five arrived ten minutes before the rest
    ids_b = (add_articles(store, b, 5, start=50, fetched=NOW - timedelta(minutes=10))
             + add_articles(store, b, 5, start=55))
    reading.set_read(store, user, ids_a[:3])
    reading.set_read(store, user, ids_a[:3], read=False)
    reading.set_read(store, user, [ids_a[7]])
    before = sorted(_unread(store, user))
    undo = reading.mark_all_read(store, user, now=NOW)
    assert _unread(store, user) == []
    assert reading.undo_mark_all(store, user, undo)
    assert sorted(_unread(store, user)) == before
    assert not reading.undo_mark_all(store, user, undo)  # once
    # older than a time: only what arrived (was stored) before it, whatever its date
    cut = NOW - timedelta(minutes=5)
    undo = reading.mark_all_read(store, user, StreamQuery(kind="source", ref=b), before=cut)
    assert sorted(_unread(store, user)) == sorted(
        [i for i in before if i in ids_a] + ids_b[-5:])
    assert reading.undo_mark_all(store, user, undo)
    assert sorted(_unread(store, user)) == before


def test_two_readers_never_share_state(store: Store) -> None:
    src = add_source(store, "News")
    alice, bob = add_user(store, "alice"), add_user(store, "bob")
    ids = add_articles(store, src, 5)
    reading.set_read(store, alice, ids[:2])
    reading.set_starred(store, alice, [ids[4]], now=NOW)
    reading.mark_all_read(store, bob, now=NOW)
    assert sorted(_unread(store, alice)) == ids[2:]
    assert _unread(store, bob) == []
    starred, _ = reading.stream_ids(store, alice, StreamQuery(kind="starred"))
    assert starred == [ids[4]]
    assert reading.stream_ids(store, bob, StreamQuery(kind="starred"))[0] == []
    [item] = reading.items_by_ids(store, alice, [ids[4]])
    assert item.is_starred and not item.is_read
    reading.set_starred(store, alice, [ids[4]], False)
    assert reading.stream_ids(store, alice, StreamQuery(kind="starred"))[0] == []


def test_private_articles_are_skipped_for_others(store: Store) -> None:
    alice, bob = add_user(store, "alice"), add_user(store, "bob")
    mine = add_source(store, "Mine", public=False)
    store.subscriptions.follow(alice, mine, NOW - timedelta(days=5))
    ids = add_articles(store, mine, 3)
    assert [i.article.id for i in reading.items_by_ids(store, alice, ids)] == ids
    assert reading.items_by_ids(store, bob, ids) == []
    assert reading.set_read(store, bob, ids) == []
    assert reading.set_starred(store, bob, ids, now=NOW) == []
    assert sorted(_unread(store, alice)) == ids


def test_reading_one_copy_reads_the_others(store: Store) -> None:
    a, b, c = add_source(store, "A"), add_source(store, "B"), add_source(store, "C")
    user = add_user(store, "alice")
    [orig] = add_articles(store, a, 1)
    [copy1] = add_articles(store, b, 1, start=10)
    [copy2] = add_articles(store, c, 1, start=20)
    [other] = add_articles(store, c, 1, start=30)
    for copy in (copy1, copy2):
        store.articles.update(copy, duplicate_of=orig)
    assert sorted(reading.set_read(store, user, [copy2])) == [orig, copy1, copy2]
    assert _unread(store, user) == [other]
    reading.set_read(store, user, [orig, copy1, copy2], read=False)
    from tidings.operations import accounts
    accounts.set_prefs(store, user, mark_duplicates_read=False)
    assert reading.set_read(store, user, [copy2]) == [copy2]


def test_streams_page_with_continuation_and_filters(store: Store) -> None:
    src = add_source(store, "News")
    other = add_source(store, "Other")
    user = add_user(store, "alice")
    ids = (add_articles(store, src, 5, fetched=NOW - timedelta(minutes=5))
           + add_articles(store, src, 2, start=5))  # the last two arrived five minutes later
    add_articles(store, other, 3, start=50)
    seen: list[int] = []
    query = StreamQuery(kind="source", ref=src, limit=3)
    while True:
        items, more = reading.stream(store, user, query)
        seen += [i.article.id or 0 for i in items]
        if more is None:
            break
        query = StreamQuery(kind="source", ref=src, limit=3, continuation=more)
    assert seen == ids[::-1]
    oldest, _ = reading.stream_ids(store, user, StreamQuery(kind="source", ref=src,
                                                             oldest_first=True, limit=2))
    assert oldest == ids[:2]
    reading.set_read(store, user, ids[:4])
    read, _ = reading.stream_ids(store, user, StreamQuery(kind="read", limit=100))
    assert sorted(read) == ids[:4]
    newer = reading.stream_ids(store, user, StreamQuery(  # by arrival, not by date
        kind="source", ref=src, newer_than=NOW - timedelta(minutes=2), limit=100))[0]
    assert newer == ids[-2:][::-1]


def test_counts_match_the_pages_of_every_kind_of_stream(store: Store) -> None:
    """A stream's total (Fever's total_items) is what paging through it yields, whichever
    joins its query needs: read and starred rows, a folder, another reader's state."""
    from tidings.operations import subscriptions as subs

    a, b = add_source(store, "A"), add_source(store, "B")
    alice, bob = add_user(store, "alice"), add_user(store, "bob")
    ids_a, ids_b = add_articles(store, a, 12), add_articles(store, b, 9, start=50)
    subs.set_folder(store, alice, b, "Later")
    folder = next(s.folder_id for s in store.subscriptions.list(alice) if s.source_id == b)
    assert folder is not None
    reading.set_read(store, alice, ids_a[:5] + ids_b[2:4])
    reading.set_read(store, alice, [ids_a[1]], read=False)
    reading.set_starred(store, alice, [ids_a[0], ids_b[8]], now=NOW)
    reading.set_read(store, bob, ids_a + ids_b)  # bob's state changes nothing of alice's
    reading.set_starred(store, bob, ids_a, now=NOW)
    for query in (StreamQuery(), StreamQuery(unread_only=True), StreamQuery(kind="read"),
                  StreamQuery(kind="starred"), StreamQuery(kind="source", ref=a),
                  StreamQuery(kind="folder", ref=folder),
                  StreamQuery(kind="folder", ref=folder, unread_only=True)):
        every: list[int] = []
        page = replace(query, limit=4)
        while True:
            found, more = reading.stream_ids(store, alice, page)
            every += found
            if more is None:
                break
            page = replace(page, continuation=more)
        assert reading.count(store, alice, query) == len(every) == len(set(every)), query
    assert reading.count(store, alice, StreamQuery()) == 21
    assert reading.count(store, alice, StreamQuery(kind="read")) == 6
    assert reading.count(store, alice, StreamQuery(kind="starred")) == 2
