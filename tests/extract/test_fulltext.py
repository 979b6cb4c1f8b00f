"""The full-text stage against a loopback server: which entries are fetched, what is kept,
what is recorded on failure, and attribution for every article."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tidings.config import Settings
from tidings.extract.stage import run_pending
from tidings.models import NewArticle, Source
from tidings.store import Store
from tidings.store.schema import articles

PAGES = Path(__file__).parents[1] / "data" / "pages"
NOW = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)
LONG = ("The regional council met on Tuesday to discuss the new harbour budget. " * 10).strip()


def _source(store: Store, mode: str) -> int:
    source = store.sources.add(Source(id=None, name=f"Outlet {mode}", fulltext=mode), NOW)
    assert source.id is not None
    return source.id


def _add(store: Store, source_id: int, key: str, *, url: str | None, title: str = "A title",
         text: str = "Short teaser.", **extra: Any) -> int:
    row = NewArticle(source_id=source_id, entry_key=key, url=url, canonical_url=url,
                     title=title, published_at=NOW, fetched_at=NOW, content_text=text,
                     content_html=f"<p>{text}</p>", **extra)
    with store.db.write() as conn:
        return store.articles.insert_many(conn, [row])[0]


def _state(store: Store, article_id: int) -> dict[str, Any]:
    with store.db.read() as conn:
        row = conn.execute(sa.select(articles).where(articles.c.id == article_id)).mappings().one()
    return dict(row)


def test_short_entries_get_the_page(store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/news/harbour", (PAGES / "wire_story.html").read_bytes(),
                          content_type="text/html; charset=utf-8")
    auto = _source(store, "auto")
    short = _add(store, auto, "a", url=url, author="Feed Author")
    long_ = _add(store, auto, "b", url=feed_server.url("/never-fetched"),
                 text=LONG + " Officials spoke, AFP reported.")
    handled = run_pending(store, settings)
    assert handled == 2
    got = _state(store, short)
    assert got["extract_state"] == "done" and got["extract_error"] is None
    assert "Dock workers" in got["content_text"] and "Economists said" in got["content_text"]
    assert "<script" not in got["content_html"] and "<p>" in got["content_html"]
    assert got["author"] == "Feed Author"  # the feed's own value wins
    assert got["image_url"] == "https://courier.example/img/harbour-lead.jpg"  # filled in
    assert got["language"] == "en"
    assert got["attribution"] == "Reuters"
    skipped = _state(store, long_)
    assert skipped["extract_state"] == "skipped" and skipped["content_text"].startswith(LONG)
    assert skipped["attribution"] == "AFP"  # set without fetching
    assert feed_server.count("/never-fetched") == 0
    assert run_pending(store, settings) == 0  # nothing left


def test_failures_keep_feed_content(store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    auto = _source(store, "auto")
    pdf = feed_server.add("/doc.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20,
                          content_type="application/pdf")
    scripts = feed_server.add("/app", (PAGES / "only_scripts.html").read_bytes(),
                              content_type="text/html")
    binary_html = feed_server.add("/fake", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
                                  content_type="text/html")
    missing = feed_server.url("/gone")
    big = feed_server.add("/big", b"<html><body>" + b"<p>word word</p>" * 40_000 + b"</body>",
                          content_type="text/html")
    ids = {name: _add(store, auto, name, url=url, text=f"Teaser {name}.")
           for name, url in [("pdf", pdf), ("scripts", scripts), ("binary", binary_html),
                             ("missing", missing), ("big", big)]}
    run_pending(store, settings.replace(max_body_bytes=200_000))
    errors = {}
    for name, article_id in ids.items():
        got = _state(store, article_id)
        assert got["extract_state"] == "failed", name
        assert got["content_text"] == f"Teaser {name}."  # feed content kept
        assert got["extract_error"] and "\n" not in got["extract_error"]
        errors[name] = got["extract_error"]
    assert "not an HTML page" in errors["pdf"]
    assert "only scripts" in errors["scripts"]
    assert "PNG" in errors["binary"]
    assert "404" in errors["missing"]
    assert "larger than" in errors["big"]


def test_modes_and_less_text(store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    tiny = feed_server.add("/tiny", "<html><body><article><p>Only a line here, nothing more to "
                           "read on this page at all today.</p></article></body></html>",
                           content_type="text/html")
    page = feed_server.add("/page", (PAGES / "wire_story.html").read_bytes(),
                           content_type="text/html")
    never = _add(store, _source(store, "never"), "n", url=page)
    always = _add(store, _source(store, "always"), "a", url=tiny, text=LONG)
    no_url = _add(store, _source(store, "auto"), "u", url=None,
                  title="Reuters: Markets slide on rate fears")
    run_pending(store, settings)
    assert _state(store, never)["extract_state"] == "skipped"
    assert feed_server.count("/page") == 0
    got = _state(store, always)
    assert feed_server.count("/tiny") == 1
    assert got["extract_state"] == "done" and got["content_text"] == LONG  # page gave less
    no = _state(store, no_url)
    assert no["extract_state"] == "skipped" and no["attribution"] == "Reuters"


def test_limit(store: Store, settings: Settings) -> None:
    auto = _source(store, "never")
    for i in range(5):
        _add(store, auto, f"k{i}", url=None)
    seen: list[tuple[int, int]] = []
    assert run_pending(store, settings, limit=3,
                       progress=lambda done, total: seen.append((done, total))) == 3
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert run_pending(store, settings) == 2


def test_http_charset_is_honoured(store: Store, settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    para = ("Des milliers de personnes ont célébré la fête samedi soir à Genève, où les "
            "concerts ont duré jusqu'à l'aube sur les quais du lac et près de la gare. ")
    page = f"<html><body><article><h1>Fête à Genève</h1><p>{para * 4}</p></article></body></html>"
    url = feed_server.add("/fete", page.encode("iso-8859-1"),
                          content_type="text/html; charset=ISO-8859-1")
    article = _add(store, _source(store, "auto"), "f", url=url)
    run_pending(store, settings)
    got = _state(store, article)
    assert got["extract_state"] == "done"
    assert "célébré la fête samedi soir à Genève" in got["content_text"]
    assert got["language"] == "fr"
