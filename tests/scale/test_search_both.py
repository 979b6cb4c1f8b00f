"""Search answers the same questions on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

from datetime import UTC, datetime

from tidings.models import Entry, Feed, NewArticle, Source
from tidings.store import Store

NOW = datetime(2026, 2, 15, 11, 0, tzinfo=UTC)

DOCS = [
    ("en", "Parliament elections postponed", "The elections were postponed after the storm."),
    ("de", "Hochwasser in Köln", "Die Feuerwehr meldet steigende Pegel am Rhein."),
    ("ja", "東京で大雨", "東京都心では記録的な大雨となり、交通機関が乱れました。"),
    ("zh", "北京发布暴雨预警", "北京市气象台发布暴雨蓝色预警信号。"),
    ("en", "Football final tonight", "The league final kicks off at eight."),
]


def _fill(store: Store) -> dict[str, int]:
    source = store.sources.add(Source(None, "Wire"), NOW)
    feed = store.feeds.add(Feed(None, source.id, "https://wire.example/rss"), NOW)
    assert source.id is not None
    rows = [NewArticle.from_entry(Entry(key=f"k{i}", guid=None, url=None, title=title,
                               content_text=text, language=lang), feed_id=feed.id,
                         source_id=source.id, now=NOW)
            for i, (lang, title, text) in enumerate(DOCS)]
    with store.db.write() as conn:
        ids = store.articles.insert_many(conn, rows)
    store.search_index.run()  # the index stage, as the worker runs it after storing
    return {title: i for (_, title, _), i in zip(DOCS, ids, strict=True)}


def _titles(store: Store, q: str, **kw: object) -> list[str]:
    hits, total = store.search.search(q, **kw)  # type: ignore[arg-type]
    assert total == len(hits)
    return [h.article.title for h in hits]


def test_words_stems_and_cjk_are_found_on_both_databases(store: Store) -> None:
    _fill(store)
    assert _titles(store, "elections") == ["Parliament elections postponed"]
    assert _titles(store, "Feuerwehr") == ["Hochwasser in Köln"]
    assert _titles(store, "köln") == ["Hochwasser in Köln"]
    # CJK words inside a sentence without spaces: the substring fallback finds them
    assert _titles(store, "大雨") == ["東京で大雨"]
    assert _titles(store, "暴雨") == ["北京发布暴雨预警"]
    assert _titles(store, "交通機関") == ["東京で大雨"]
    assert _titles(store, "earthquake") == []
    assert _titles(store, "final league") == ["Football final tonight"]


def test_search_follows_edits(store: Store) -> None:
    ids = _fill(store)
    store.articles.update(ids["Football final tonight"], title="Cup final moved to Sunday")
    assert _titles(store, "Sunday") == ["Cup final moved to Sunday"]
    assert _titles(store, "tonight") == []


def test_a_word_finds_its_other_forms(store: Store) -> None:
    _fill(store)
    assert _titles(store, "election") == ["Parliament elections postponed"]
    assert _titles(store, "postpone") == ["Parliament elections postponed"]
