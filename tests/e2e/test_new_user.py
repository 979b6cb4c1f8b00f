"""tidings as a new user meets it: the real ``tidings`` command, run as subprocesses, against
invented outlets on a loopback server; then ``tidings serve`` and its pages, API and feeds.

One module-scoped session does the subscribing and fetching (each step's result is kept),
a second one serves the store; each test checks one promise against those results.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fixtures_server import FixtureServer

from .outlets import DUMP, DUMP_NOW, OWN, OWN_TITLE, WIRE_TITLE, Outlets, article_page

ZONE = "Europe/Rome"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
EXTRACT_KEYS = {"input", "title", "author", "published_at", "image_url", "language",
                "site_name", "canonical_url", "attribution", "content_text", "content_html",
                "error"}
SOURCE_KEYS = {"id", "name", "url"}
ARTICLE_KEYS = {"id", "url", "title", "source", "published_at", "fetched_at", "language",
                "summary", "content_html", "content_text", "image_url", "author",
                "attribution", "views", "story_id", "duplicate_of"}
STORY_KEYS = {"id", "title", "article_ids", "sources", "first_published_at",
              "last_published_at", "views", "score"}
LATEST_KEYS = {"id", "title", "url", "views", "published_at", "time_label"}


def tidings_command() -> list[str]:
    """The installed ``tidings`` script of this interpreter's environment, else the PATH's."""
    beside = Path(sys.executable).parent / "tidings"
    found = str(beside) if beside.exists() else shutil.which("tidings")
    return [found] if found else [sys.executable, "-c", "from tidings.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Session:
    outlets: Outlets
    home: Path
    env: dict[str, str]
    results: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    def run(self, name: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*tidings_command(), *args], env=self.env, capture_output=True,
                              text=True, timeout=timeout, cwd=self.home)
        self.results[name] = done
        return done

    def last_json(self, name: str) -> Any:
        lines = self.results[name].stdout.strip().splitlines()
        assert lines, self.results[name].stderr
        return json.loads(lines[-1])


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    home = tmp_path_factory.mktemp("tidings-home")
    server = FixtureServer().start()
    outlets = Outlets(server, datetime.now(UTC).replace(microsecond=0))
    outlets.serve()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    env.update(TIDINGS_HOME=str(home), TIDINGS_ALLOW_PRIVATE="1", TIDINGS_TIMEZONE=ZONE,
               # cached answers show view counts up to TIDINGS_PAGE_CACHE_SECONDS late (by
               # design); short intervals keep the reads check quick
               TIDINGS_READ_FLUSH_SECONDS="0.3", TIDINGS_PAGE_CACHE_SECONDS="1")
    s = Session(outlets, home, env)
    try:
        url = outlets.url
        s.run("add_page", "add", url("/saltmarsh/"))
        s.run("add_atom", "add", url("/kestrel/atom.xml"))
        s.run("add_atom_again", "add", url("/kestrel/atom.xml"))
        s.run("add_json", "add", url("/porthaven/feed.json"))
        s.run("add_sitemap", "add", url("/fenwick/news-sitemap.xml"))
        s.run("add_moorland", "add", url("/moorland/feed.xml"))
        s.run("add_404", "add", url("/gone/feed.xml"))
        s.run("add_nofeed", "add", url("/nofeed/"))
        (home / "subs.opml").write_text(outlets.opml(), "utf-8")
        s.run("import_opml", "import", str(home / "subs.opml"))
        (home / "glassworks.txt").write_text(DUMP, "utf-8")
        s.run("import_dump", "import", str(home / "glassworks.txt"), "--now", DUMP_NOW)
        outlets.break_moorland()
        outlets.saltmarsh_feed(with_bridge=True)  # a new report lands between two fetches
        s.run("fetch", "fetch", "--json", timeout=120)
        s.run("export", "export-opml")
        page = home / "saved-article.html"
        page.write_text(article_page("Saltmarsh Tribune", OWN_TITLE, OWN, outlets.own_at,
                                     "Ruth Calloway"), "utf-8")
        s.run("extract", "extract", str(page), str(home / "missing.html"), "--json")
        yield s
    finally:
        server.close()


# ------------------------------------------------------------------ the command line


def test_add_discovers_the_feed_a_page_advertises(session: Session) -> None:
    done = session.results["add_page"]
    assert done.returncode == 0, done.stderr
    assert session.outlets.server.count("/saltmarsh/rss.xml") >= 1
    assert session.outlets.server.count("/saltmarsh/comments.xml") == 0  # comment feed skipped


def test_adding_feeds_of_every_kind_and_twice_is_fine(session: Session) -> None:
    for name in ("add_atom", "add_atom_again", "add_json", "add_sitemap", "add_moorland"):
        done = session.results[name]
        assert done.returncode == 0, (name, done.stderr)
        assert "Traceback" not in done.stderr
    assert "already subscribed" in session.results["add_atom_again"].stdout
    assert "Fenwick Ledger" in session.results["add_sitemap"].stdout  # the publication's name


@pytest.mark.parametrize("name", ["add_404", "add_nofeed"])
def test_add_without_a_feed_fails_with_one_line(session: Session, name: str) -> None:
    done = session.results[name]
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].strip(), done.stderr


def test_fetch_json_lists_the_broken_feed_while_the_others_land(session: Session) -> None:
    done = session.results["fetch"]
    assert done.returncode == 0, done.stderr
    report = session.last_json("fetch")
    assert set(report) == {"feeds", "new_articles", "not_modified", "errors"}
    assert report["feeds"] == 6  # five added by hand (one of them twice) and one from OPML
    broken = session.outlets.url("/moorland/feed.xml")
    assert [e["feed_url"] for e in report["errors"]] == [broken]
    assert set(report["errors"][0]) == {"feed_url", "error"}
    assert report["errors"][0]["error"] and "\n" not in report["errors"][0]["error"]
    # the new Saltmarsh report and the OPML-only outlet's item
    assert report["new_articles"] == 2
    assert isinstance(report["not_modified"], int)


def test_import_opml_and_export_round_trip(session: Session) -> None:
    assert session.results["import_opml"].returncode == 0, session.results["import_opml"].stderr
    done = session.results["export"]
    assert done.returncode == 0, done.stderr
    exported = done.stdout
    assert "<opml" in exported
    for path in ("/saltmarsh/rss.xml", "/kestrel/atom.xml", "/porthaven/feed.json",
                 "/fenwick/news-sitemap.xml", "/moorland/feed.xml", "/harrow/feed.xml"):
        assert session.outlets.url(path) in exported, path
    assert exported.count(session.outlets.url("/kestrel/atom.xml")) == 1
    assert "Regional" in exported  # the category came along


def test_import_of_a_text_dump(session: Session) -> None:
    done = session.results["import_dump"]
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_extract_json_has_exactly_the_contract_keys(session: Session) -> None:
    done = session.results["extract"]
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert len(lines) == 2
    ok, missing = lines
    assert set(ok) == EXTRACT_KEYS and set(missing) == EXTRACT_KEYS
    assert ok["error"] is None and ok["title"] == OWN_TITLE
    assert "crack in a steel support girder" in ok["content_text"]
    for debris in ("Most read", "Celebrity chef", "Cookie settings", "Weather"):
        assert debris not in ok["content_text"]
    assert missing["error"] and "\n" not in missing["error"]
    assert missing["input"].endswith("missing.html")


# ------------------------------------------------------------------ tidings serve


@dataclass
class Site:
    port: int
    proc: subprocess.Popen[str]
    session: Session

    def get(self, path: str, *, agent: str = BROWSER,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request("GET", path, headers={"User-Agent": agent, **(headers or {})})
            response = conn.getresponse()
            return (response.status, {k.lower(): v for k, v in response.getheaders()},
                    response.read())
        finally:
            conn.close()

    def json(self, path: str, status: int = 200) -> Any:
        got, headers, body = self.get(path)
        assert got == status, (path, got, body[:300])
        assert headers["content-type"].startswith("application/json")
        return json.loads(body)

    def articles(self) -> list[dict[str, Any]]:
        return list(self.json("/api/articles?limit=100")["articles"])

    def article_titled(self, title: str, outlet: str) -> dict[str, Any]:
        found = [a for a in self.articles()
                 if a["title"] == title and a["source"]["name"] == outlet]
        assert len(found) == 1, (title, outlet, [(a["title"], a["source"]["name"])
                                                 for a in self.articles()])
        return found[0]


@pytest.fixture(scope="module")
def site(session: Session) -> Iterator[Site]:
    port = free_port()
    proc = subprocess.Popen([*tidings_command(), "serve", "--port", str(port)],
                            env=session.env, cwd=session.home, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    served = Site(port, proc, session)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if served.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "tidings serve did not become ready"
            time.sleep(0.2)
        yield served
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_api_articles_shape_and_paging(site: Site) -> None:
    page = site.json("/api/articles?limit=100")
    assert set(page) >= {"articles", "total"}
    total = page["total"]
    assert total == len(page["articles"]) and total >= 10
    for article in page["articles"]:
        assert set(article) >= ARTICLE_KEYS  # the contract's keys; more may be added
        assert set(article["source"]) == SOURCE_KEYS
        assert isinstance(article["id"], int)
        assert datetime.fromisoformat(article["published_at"]).utcoffset() is not None
    second = site.json("/api/articles?limit=2&offset=1")
    assert second["total"] == total and len(second["articles"]) == 2
    assert [a["id"] for a in second["articles"]] == [a["id"] for a in page["articles"][1:3]]
    status, headers, body = site.get("/api/articles?limit=1000000")
    assert status == 400 and headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert set(error) >= {"status", "message"} and error["status"] == 400
    for bad in ("/api/articles?limit=abc", "/api/latest?limit=1000000",
                "/api/stories?offset=-1"):
        status, headers, body = site.get(bad)
        assert status in (400, 422), (bad, status)
        assert json.loads(body)["error"]["status"] == status
    porthaven = site.article_titled("Fishing quota talks stall in Porthaven", "Porthaven Digest")
    only = site.json(f"/api/articles?limit=100&source={porthaven['source']['id']}")
    assert only["total"] == 2
    assert {a["source"]["name"] for a in only["articles"]} == {"Porthaven Digest"}


def test_api_article_by_id_and_unknown_id(site: Site) -> None:
    first = site.articles()[0]
    one = site.json(f"/api/articles/{first['id']}")
    assert set(one) >= ARTICLE_KEYS and one["id"] == first["id"]
    missing = site.json("/api/articles/987654321", status=404)
    assert missing["error"]["status"] == 404 and missing["error"]["message"]


def test_full_text_was_fetched_for_short_summaries(site: Site) -> None:
    own = site.article_titled(OWN_TITLE, "Saltmarsh Tribune")
    assert "structural survey" in own["content_text"]  # only on the article page
    assert "Most read" not in own["content_text"] and "Celebrity chef" not in own["content_text"]
    library = site.article_titled("Fenwick library extends its opening hours", "Fenwick Ledger")
    assert "repair cafe" in library["content_text"]  # from a news sitemap, then its page


def test_one_event_is_one_story_and_the_wire_copy_is_a_duplicate(site: Site) -> None:
    original = site.article_titled(WIRE_TITLE, "Porthaven Digest")
    copy = site.article_titled(WIRE_TITLE, "Kestrel Evening Standard")
    own = site.article_titled(OWN_TITLE, "Saltmarsh Tribune")
    assert copy["attribution"] == "Reuters" and original["attribution"] == "Reuters"
    assert copy["duplicate_of"] == original["id"] and original["duplicate_of"] is None
    assert own["duplicate_of"] is None
    assert own["story_id"] is not None and own["story_id"] == copy["story_id"]
    stories = site.json("/api/stories?limit=100")
    assert set(stories) >= {"stories"}
    for story in stories["stories"]:
        assert set(story) >= STORY_KEYS
        assert all(set(src) == SOURCE_KEYS for src in story["sources"])
    scores = [story["score"] for story in stories["stories"]]
    assert scores == sorted(scores, reverse=True)
    bridge = [s for s in stories["stories"] if own["id"] in s["article_ids"]]
    assert len(bridge) == 1 and copy["id"] in bridge[0]["article_ids"]
    assert {"Saltmarsh Tribune", "Kestrel Evening Standard"} <= {
        src["name"] for src in bridge[0]["sources"]}
    alone = site.json(f"/api/stories/{bridge[0]['id']}")
    assert alone["id"] == bridge[0]["id"]


def expected_label(published: datetime, now: datetime) -> str:
    zone = ZoneInfo(ZONE)
    local, today = published.astimezone(zone), now.astimezone(zone).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.date() == today - timedelta(days=1):
        return local.strftime("Yesterday, %H:%M")
    return local.strftime("%d.%m.%Y, %H:%M")


def test_latest_is_newest_first_with_seed_style_time_labels(site: Site) -> None:
    items = site.json("/api/latest?limit=100")["items"]
    now = datetime.now(UTC)
    assert items and all(set(item) >= LATEST_KEYS for item in items)
    times = [datetime.fromisoformat(item["published_at"]) for item in items]
    assert times == sorted(times, reverse=True)
    pattern = re.compile(r"^(\d\d:\d\d|Yesterday, \d\d:\d\d|\d\d\.\d\d\.\d{4}, \d\d:\d\d)$")
    for item, when in zip(items, times, strict=True):
        assert pattern.match(item["time_label"]), item["time_label"]
        assert item["time_label"] == expected_label(when, now)
    # the wire copy is listed too, and the text dump's list entries with their counts
    titles = [item["title"] for item in items]
    assert titles.count(WIRE_TITLE) == 2
    counts = {item["title"]: item["views"] for item in items}
    assert counts["Harbour festival draws record crowd"] == 42
    assert counts["Tram line extension opens to passengers"] == 57
    assert counts["Night ferry timetable changes from Monday"] == 12
    night = next(i for i in items if i["title"] == "Night ferry timetable changes from Monday")
    assert night["time_label"] == "03.03.2026, 07:45"


def test_text_dump_article_is_credited(site: Site) -> None:
    found = site.json("/api/articles?limit=100&q=glassworks")["articles"]
    main = [a for a in found if a["title"] == "Glassworks in Ambleford to close after 140 years"]
    assert len(main) == 1 and main[0]["attribution"] == "AFP"
    assert "![]()" not in (main[0]["content_text"] or "")


def test_html_pages_answer(site: Site) -> None:
    own = site.article_titled(OWN_TITLE, "Saltmarsh Tribune")
    for path in ("/", f"/stories/{own['story_id']}", "/search?q=bridge"):
        status, headers, body = site.get(path)
        assert status == 200 and headers["content-type"].startswith("text/html"), path
        assert b"<html" in body.lower()
    status, _, body = site.get("/search?q=girder")
    assert status == 200 and f'href="/articles/{own["id"]}"'.encode() in body
    status, _, body = site.get(f"/articles/{own['id']}", agent=BOT)
    assert status == 200 and b"structural survey" in body
    status, _, body = site.get(f"/sources/{own['source']['id']}")
    assert status == 200 and b"Saltmarsh Tribune" in body
    found = site.json("/api/search?q=girder")
    assert own["id"] in [a["id"] for a in found["articles"]] and found["total"] >= 1


def views(site: Site, article_id: int) -> int:
    return int(site.json(f"/api/articles/{article_id}")["views"])


def test_reads_count_once_per_visitor_and_never_for_bots(site: Site) -> None:
    article = site.article_titled("Lifeboat crew rescues two kayakers off Gull Point",
                                  "Saltmarsh Tribune")
    aid, before = article["id"], views(site, article["id"])
    for agent in (BOT, "curl/8.5.0"):
        assert site.get(f"/articles/{aid}", agent=agent)[0] == 200
    status, _, body = site.get(f"/articles/{aid}")
    assert status == 200 and b"Gull Point" in body
    deadline = time.monotonic() + 15
    while views(site, aid) == before:
        assert time.monotonic() < deadline, "the read was not counted"
        time.sleep(0.3)
    assert views(site, aid) == before + 1  # the browser's read only, not the bot's or curl's
    assert site.get(f"/articles/{aid}")[0] == 200  # the same visitor again
    time.sleep(2.0)  # several read flushes and past the page cache's lifetime
    views(site, aid)  # an aged cache entry is served once while it is rendered again
    time.sleep(0.3)
    assert views(site, aid) == before + 1


def test_outgoing_feeds_and_openapi(site: Site) -> None:
    status, _, body = site.get("/feed.xml")
    assert status == 200 and b"<rss" in body and b"<item>" in body
    status, _, body = site.get("/feed.atom")
    assert status == 200 and b"http://www.w3.org/2005/Atom" in body and b"<entry>" in body
    status, _, body = site.get("/feed.json")
    feed = json.loads(body)
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["items"]
    spec = json.loads(site.get("/openapi.json")[2])
    assert "openapi" in spec and "/api/articles" in spec["paths"]


def test_login_form_and_admin_refused(site: Site) -> None:
    status, _, body = site.get("/login")
    assert status == 200
    form = body.decode()
    assert re.search(r'<form[^>]*method="?post', form, re.I)
    assert re.search(r'name="?username', form) and re.search(r'name="?password', form)
    assert re.search(r'<input[^>]*type="?hidden"?[^>]*name="?[^"\s>]*csrf', form, re.I) or \
        re.search(r'<input[^>]*name="?[^"\s>]*csrf[^>]*type="?hidden', form, re.I)
    status, headers, _ = site.get("/admin")
    assert status in (302, 303, 401, 403)
    if status in (302, 303):
        assert "/login" in headers["location"]


def test_sigterm_stops_the_server_cleanly(site: Site) -> None:
    site.proc.send_signal(signal.SIGTERM)
    assert site.proc.wait(timeout=30) == 0
    _, err = site.proc.communicate()
    assert "Traceback" not in err
