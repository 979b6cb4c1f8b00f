"""``tidings bench feeds``: feed titles read, tidings vs feedparser, and parse speed.

Two measurements in one run, each on both parsers:

- **titles**: the regression corpus in ``tests/parse/corpus/`` (feeds written for this project
  in the less common shapes: dc:title and media:title only, Atom 0.3 modes, xhtml titles,
  undeclared legacy encodings; ``expected.json`` lists each feed's titles). An entry counts as
  read when a parsed entry's title, as plain text with whitespace collapsed, equals the expected
  one. feedparser's HTML titles are turned into text with the same function as tidings'.
  The corpus is self-written, so the share is a regression check, not an estimate for the web.
- **speed**: entries per second on that corpus, and on ordinary feeds (the synthetic RSS 2.0
  feeds of ``tidings bench ingest``: 300-word items with ``content:encoded``), best of
  ``--rounds``, by wall clock and by CPU time. tidings' figure includes its sanitizing (nh3)
  and plain-text steps; feedparser's is its own parse with sanitizing off.

The last line with ``--json`` is one JSON object (keys in :func:`run`).
"""

from __future__ import annotations

import json
import time
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

import tidings
from tidings.benchmarks._synthetic import synthetic_feed
from tidings.console import print_json, progress
from tidings.errors import ParseError, TidingsError
from tidings.parse.feed import parse_feed
from tidings.sanitize import html_to_text

BASE_URL = "https://corpus.test/feed"

#: (file name, bytes, HTTP charset or None, expected titles)
CorpusFeed = tuple[str, bytes, str | None, list[str]]


def default_corpus_dir() -> Path:
    """``tests/parse/corpus`` of the repository this package runs from."""
    return Path(tidings.__file__).resolve().parents[2] / "tests" / "parse" / "corpus"


def load_corpus(folder: Path) -> list[CorpusFeed]:
    """Every feed listed in ``folder/expected.json``, with its bytes."""
    listing = folder / "expected.json"
    if not listing.is_file():
        raise TidingsError(f"no expected.json in {folder}")
    feeds = json.loads(listing.read_text("utf-8"))["feeds"]
    return [(f["file"], (folder / f["file"]).read_bytes(), f.get("charset"), list(f["titles"]))
            for f in feeds]


def _norm(text: str) -> str:
    return " ".join(text.split())


def tidings_titles(data: bytes, charset: str | None) -> list[str]:
    """Titles tidings reads from one document (none when it is no feed to tidings)."""
    try:
        return [e.title for e in parse_feed(data, BASE_URL, charset=charset).entries]
    except ParseError:
        return []


def feedparser_titles(data: bytes, charset: str | None) -> list[str]:
    """Titles feedparser reads, HTML ones turned into plain text."""
    import feedparser

    headers = {"content-location": BASE_URL}
    if charset:
        headers["content-type"] = f"application/xml; charset={charset}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = feedparser.parse(data, response_headers=headers, sanitize_html=False)
    titles = []
    for entry in parsed.entries:
        title = entry.get("title", "")
        kind = (entry.get("title_detail") or {}).get("type", "")
        titles.append(html_to_text(title) if "html" in kind and title else title)
    return titles


def score_titles(expected: list[str], got: list[str]) -> int:
    """How many expected titles appear among the parsed ones (as a multiset)."""
    have = Counter(_norm(t) for t in got)
    hits = 0
    for title in expected:
        if have[_norm(title)] > 0:
            have[_norm(title)] -= 1
            hits += 1
    return hits


def _rate(fn: Callable[[], int], rounds: int) -> tuple[float, float]:
    """Entries per second of ``fn`` (it returns how many it parsed), best of ``rounds``.

    Twice: by the wall clock, and by this process's CPU time, which depends much less on
    what else the machine is running.
    """
    best_wall = best_cpu = float("inf")
    entries = 0
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        entries = fn()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return (round(entries / best_wall, 1) if best_wall > 0 else 0.0,
            round(entries / best_cpu, 1) if best_cpu > 0 else 0.0)


def run(corpus: list[CorpusFeed], rounds: int, ordinary_feeds: int) -> dict[str, Any]:
    """Both measurements; the JSON object ``--json`` prints."""
    sides: dict[str, Callable[[bytes, str | None], list[str]]] = {
        "tidings": tidings_titles, "feedparser": feedparser_titles}
    total = sum(len(titles) for _n, _d, _c, titles in corpus)
    result: dict[str, Any] = {"corpus_feeds": len(corpus), "corpus_entries": total}
    misses: dict[str, list[dict[str, Any]]] = {}
    for name, fn in sides.items():
        read = 0
        misses[name] = []
        for file_name, data, charset, expected in corpus:
            got = fn(data, charset)
            hits = score_titles(expected, got)
            read += hits
            if hits < len(expected):
                misses[name].append({"file": file_name, "read": hits, "of": len(expected),
                                     "got": [_norm(t) for t in got][:3]})
        result[f"{name}_titles_read"] = read
        result[f"{name}_title_share"] = round(read / total, 4) if total else 0.0

    now = datetime(2026, 3, 1, tzinfo=UTC)
    ordinary = [synthetic_feed(n, 50, 300, now) for n in range(ordinary_feeds)]

    def corpus_pass(fn: Callable[[bytes, str | None], list[str]]) -> Callable[[], int]:
        return lambda: sum(len(fn(data, charset)) for _n, data, charset, _t in corpus)

    def ordinary_pass(fn: Callable[[bytes, str | None], list[str]]) -> Callable[[], int]:
        return lambda: sum(len(fn(data, None)) for data in ordinary)

    for name, fn in sides.items():
        progress(f"feeds bench: timing {name}")
        for kind, timed in (("corpus", corpus_pass(fn)), ("ordinary", ordinary_pass(fn))):
            wall, cpu = _rate(timed, rounds)
            result[f"{name}_{kind}_entries_per_s"] = wall
            result[f"{name}_{kind}_cpu_entries_per_s"] = cpu
    result["ordinary_entries"] = 50 * ordinary_feeds
    result["misses"] = misses
    return result


@click.command("feeds")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder with expected.json and the feeds "
              "(default: tests/parse/corpus of the repository).")
@click.option("--rounds", default=3, show_default=True, help="Timed rounds; the best counts.")
@click.option("--ordinary-feeds", default=10, show_default=True,
              help="Synthetic 50-item RSS 2.0 feeds timed as ordinary feeds.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
def command(corpus_dir: Path | None, rounds: int, ordinary_feeds: int, as_json: bool) -> None:
    """Feed titles read on the corpus, and entries/s: tidings vs feedparser in one run."""
    if rounds < 1 or ordinary_feeds < 1:
        raise click.BadParameter("--rounds and --ordinary-feeds must be positive")
    corpus = load_corpus(corpus_dir or default_corpus_dir())
    result = run(corpus, rounds, ordinary_feeds)
    if as_json:
        print_json(result)
        return
    for name in ("tidings", "feedparser"):
        click.echo(f"{name:>10}: titles {result[f'{name}_titles_read']}/"
                   f"{result['corpus_entries']} ({result[f'{name}_title_share']:.1%}), "
                   f"corpus {result[f'{name}_corpus_entries_per_s']:,.0f} entries/s, "
                   f"ordinary {result[f'{name}_ordinary_entries_per_s']:,.0f} entries/s")
        for miss in result["misses"][name]:
            click.echo(f"{'':>12}missed {miss['of'] - miss['read']} of {miss['of']} in "
                       f"{miss['file']}: {miss['got']}")
