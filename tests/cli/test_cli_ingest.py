"""The ingestion commands end to end: add, fetch, import, export-opml, sources, demo."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tidings.cli import main
from tidings.store import open_store

FEED = ("<rss version='2.0'><channel><title>Loopback News</title>"
        "<link>https://loopback.example/</link>{items}</channel></rss>")


def items(*guids: str) -> str:
    return FEED.format(items="".join(f"<item><guid>{g}</guid><title>Story {g}</title>"
                                     f"<description>Text {g}</description></item>"
                                     for g in guids))


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def last_json(self) -> dict:  # type: ignore[type-arg]
        return dict(json.loads(self.out.strip().splitlines()[-1]))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def run(home: Path):  # type: ignore[no-untyped-def]
    def invoke(*args: str, private: bool = True) -> Result:
        env = {"TIDINGS_HOME": str(home), "TIDINGS_ALLOW_PRIVATE": "1" if private else "0",
               "TIDINGS_DATABASE_URL": ""}
        runner = CliRunner()
        with runner.isolation(env=env) as (out, err, _):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            return Result(code, out.getvalue().decode(), err.getvalue().decode())
    return invoke


def test_add_feed_then_again(run, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed", items("1", "2", "3"))
    first = run("add", url, "--category", "World")
    assert first.code == 0, first.err
    assert "Loopback News" in first.out and "3 articles" in first.out
    again = run("add", url)
    assert again.code == 0 and "already subscribed" in again.out
    listed = run("sources", "list", "--json").last_json
    assert listed["total"] == 1
    source = listed["sources"][0]
    assert source["category"] == "World" and source["articles"] == 3
    assert source["url"] == "https://loopback.example/"


def test_add_page_discovers_feed(run, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.add("/rss.xml", items("a"))
    page = feed_server.add("/", "<html><head><link rel='alternate' type='application/rss+xml' "
                                "href='/rss.xml'></head><body></body></html>",
                           content_type="text/html")
    result = run("add", page, "--name", "My Outlet", "--json")
    assert result.code == 0, result.err
    data = result.last_json
    assert data["feed_url"] == feed_server.url("/rss.xml") and data["source"] == "My Outlet"
    assert data["new_articles"] == 1 and data["already_subscribed"] is False


@pytest.mark.parametrize("path, body, status, content_type, reason", [
    ("/missing", None, 404, None, "404"),
    ("/page", "<html><body>nothing here</body></html>", 200, "text/html", "no feed found"),
    ("/bad", "this is not xml {", 200, "text/plain", "not a feed"),
])
def test_add_nothing_subscribable_is_one_line(run, feed_server, path, body, status,  # type: ignore[no-untyped-def]
                                              content_type, reason) -> None:
    url = feed_server.url(path)
    if body is not None:
        feed_server.add(path, body, status=status, content_type=content_type)
    result = run("add", url)
    assert result.code != 0
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and "Traceback" not in result.err
    assert result.out == ""


def test_add_loopback_refused_without_allow_private(run, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed", items("1"))
    result = run("add", url, private=False)
    assert result.code == 1 and "loopback" in result.err and feed_server.count() == 0


def test_fetch_json_shape_and_304s(run, feed_server, home: Path) -> None:  # type: ignore[no-untyped-def]
    good = feed_server.add("/good", items("1", "2"), etag='"v1"')
    assert run("add", good).code == 0
    bad = feed_server.add("/bad", items("x"))
    assert run("add", bad).code == 0
    feed_server.add("/bad", b"gone", status=410)
    result = run("fetch", "--json", "--fetch-only")
    assert result.code == 0, result.err
    data = result.last_json
    assert list(data) == ["feeds", "new_articles", "not_modified", "errors"]
    assert data["feeds"] == 2 and data["new_articles"] == 0 and data["not_modified"] == 1
    assert data["errors"] == [{"feed_url": bad, "error": f"HTTP 410 Gone from {bad}"}]
    human = run("fetch")
    assert human.code == 0 and "2 feeds" in human.out and "410" in human.err


def test_import_opml_and_export_round_trip(run, tmp_path: Path, feed_server) -> None:  # type: ignore[no-untyped-def]
    opml = tmp_path / "subs.opml"
    opml.write_text(f"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="World">
    <outline type="rss" text="Alpha" xmlUrl="{feed_server.url('/alpha')}" htmlUrl="https://alpha.example/"/>
    <outline type="rss" text="Beta &amp; Co" xmlUrl="{feed_server.url('/beta')}"/>
  </outline>
  <outline type="rss" text="Gamma" xmlUrl="{feed_server.url('/gamma')}" category="/Tech/Gadgets"/>
  <outline type="rss" text="Delta" xmlUrl="{feed_server.url('/delta')}"/>
</body></opml>""")
    result = run("import", str(opml))
    assert result.code == 0, result.err
    assert "imported 4 feeds" in result.out
    assert "0 feeds" in run("import", str(opml)).out
    exported = run("export-opml")
    assert exported.code == 0
    again = tmp_path / "again.opml"
    again.write_text(exported.out)
    # a fresh store gets the same subscriptions and categories back
    other_home = tmp_path / "other"
    from tidings.importers.opml import parse_opml

    original = {(o.url, o.title, o.category) for o in parse_opml(opml.read_bytes())}
    round_tripped = {(o.url, o.title, o.category) for o in parse_opml(again.read_bytes())}
    assert round_tripped == original
    store = open_store(f"sqlite:///{other_home}/t.db")
    try:
        from datetime import UTC, datetime

        from tidings.importers.opml import import_opml

        report = import_opml(store, again.read_bytes(), now=datetime.now(UTC))
        assert len(report.added) == 4
        assert sorted((s.name, s.category) for s in store.sources.list()) == [
            ("Alpha", "World"), ("Beta & Co", "World"), ("Delta", None), ("Gamma", "Gadgets")]
    finally:
        store.close()


def test_import_errors_are_one_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = run("import", str(tmp_path / "nope.opml"))
    assert missing.code != 0 and len(missing.err.strip().splitlines()) == 1
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><head/></opml>")
    result = run("import", str(broken))
    assert result.code == 1 and "not an OPML file" in result.err
    bad_now = run("import", str(broken), "--now", "yesterday-ish")
    assert bad_now.code == 1 and "--now" in bad_now.err


def test_parse_now_uses_the_configured_zone() -> None:
    from tidings.cli.importing import parse_now
    from tidings.config import Settings

    settings = Settings.from_dict({"home": "/tmp/x", "timezone": "Europe/Bucharest"})
    assert parse_now("2026-02-15T12:00:00", settings).isoformat() == "2026-02-15T10:00:00+00:00"
    assert parse_now("2026-02-15T12:00:00+00:00", settings).hour == 12


def test_sources_commands(run, feed_server) -> None:  # type: ignore[no-untyped-def]
    url = feed_server.add("/feed", items("1"))
    assert run("add", url).code == 0
    assert run("sources", "pause", "1").code == 0
    assert run("sources", "show", "1", "--json").last_json["paused"] is True
    assert run("fetch", "--json").last_json["feeds"] == 0
    assert run("sources", "resume", "Loopback News").code == 0
    edited = run("sources", "edit", "1", "--category", "Tech", "--poll-interval", "900")
    assert edited.code == 0
    shown = run("sources", "show", "1", "--json").last_json
    assert shown["category"] == "Tech" and shown["feeds"][0]["poll_interval"] == 900
    assert "Loopback News" in run("sources", "list").out
    missing = run("sources", "show", "99")
    assert missing.code == 1 and "no source with id 99" in missing.err
    removed = run("sources", "remove", "1")
    assert removed.code == 0 and "1 articles" in removed.out
    assert run("sources", "list", "--json").last_json["total"] == 0


def test_demo_loads_the_sample_offline(run, home: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("demo", "--no-serve", private=False)
    assert result.code == 0, result.err
    assert "60 articles from 6 outlets" in result.out
    store = open_store(f"sqlite:///{home / 'demo' / 'tidings.db'}")
    try:
        sources = {s.name for s in store.sources.list()}
        assert len(sources) == 6 and "Вестник Севера" in sources
        latest, total = store.articles.latest(limit=100)
        assert total == 60
        wire = [a for a in latest if a.content_text and "Reuters reports" in a.content_text]
        assert len({a.source_id for a in wire}) >= 2
        assert store.search_index.queued() == 0  # the demo ends indexed for search
        assert store.search.search("Reuters")[1] >= 2
    finally:
        store.close()
    assert run("demo", "--no-serve").code == 0  # a second run starts fresh


def test_add_all_advertised_feeds(run, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.add("/news.xml", items("n1", "n2"))
    feed_server.add("/sport.xml", items("s1"))
    feed_server.add("/comments.xml", items("c1"))
    page = feed_server.add("/", "<html><head>"
                           "<link rel='alternate' type='application/rss+xml' href='/news.xml'>"
                           "<link rel='alternate' type='application/rss+xml' href='/sport.xml'>"
                           "<link rel='alternate' type='application/rss+xml' title='Comments'"
                           " href='/comments.xml'></head></html>", content_type="text/html")
    first = run("add", page)
    assert first.code == 0 and first.out.count("subscribed to") == 1
    every = run("add", page, "--all")
    assert every.code == 0, every.err
    assert "already subscribed" in every.out and "sport.xml" in every.out
    listed = run("sources", "list", "--json").last_json
    feeds = [f["url"] for s in listed["sources"] for f in s["feeds"]]
    assert sorted(feeds) == [feed_server.url("/news.xml"), feed_server.url("/sport.xml")]


def _searched(home: Path, q: str) -> list[str]:
    store = open_store(f"sqlite:///{home / 'tidings.db'}")
    try:
        assert store.search_index.queued() == 0
        return sorted(hit.article.title for hit in store.search.search(q)[0])
    finally:
        store.close()


@pytest.mark.parametrize("flags", [(), ("--fetch-only",)])
def test_what_fetch_stored_is_searchable_when_it_returns(run, feed_server, home: Path,  # type: ignore[no-untyped-def]
                                                         flags: tuple[str, ...]) -> None:
    url = feed_server.add("/feed", items("7", "8"))
    assert run("add", url, "--fulltext", "never").code == 0
    result = run("fetch", *flags)
    assert result.code == 0, result.err
    assert _searched(home, "story") == ["Story 7", "Story 8"]
    assert "index: 2" in result.out


def test_an_imported_page_is_searchable_when_import_returns(run, home: Path) -> None:  # type: ignore[no-untyped-def]
    page = Path(__file__).parents[1] / "data" / "pages" / "wire_story.html"
    result = run("import", str(page), "--now", "2026-02-15T12:00:00+01:00")
    assert result.code == 0, result.err
    assert _searched(home, "harbour strike") == ["Harbour strike halts exports"]
    assert _searched(home, "ferry fares") == ["Ferry fares to rise in spring"]
