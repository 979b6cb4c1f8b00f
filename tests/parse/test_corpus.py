"""Feed titles in every shape of the corpus, links under xml:base, and encodings guessed.

The corpus (``corpus/``, listed with its expected titles in ``corpus/expected.json``) was
written for this project; ``tidings bench feeds`` scores the same files against feedparser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tidings.benchmarks.feeds import command as bench_feeds
from tidings.parse.encoding import redecode
from tidings.parse.feed import parse_feed

CORPUS = Path(__file__).resolve().parent / "corpus"
FEEDS: list[dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text("utf-8"))["feeds"]


@pytest.mark.parametrize("feed", FEEDS, ids=[f["file"] for f in FEEDS])
def test_every_title_is_read(feed: dict[str, Any]) -> None:
    data = (CORPUS / feed["file"]).read_bytes()
    parsed = parse_feed(data, "https://corpus.test/feed", charset=feed["charset"])
    assert [e.title for e in parsed.entries] == feed["titles"], feed["shapes"]


def test_xml_base_resolves_rss_links_and_content() -> None:
    parsed = parse_feed((CORPUS / "rss20_xml_base.xml").read_bytes(), "https://corpus.test/feed")
    first, second = parsed.entries
    assert first.url == "https://base.test/news/story-1.html"
    assert first.content_html is not None
    assert 'href="https://base.test/news/more/1.html"' in first.content_html
    assert second.url == "https://other.test/sub/story-2.html"


def test_xml_base_resolves_atom_links() -> None:
    parsed = parse_feed((CORPUS / "atom10_xml_base.xml").read_bytes(), "https://corpus.test/feed")
    first, second = parsed.entries
    assert first.url == "https://feedbase.test/2026/first.html"
    assert second.url == "https://feedbase.test/blog/second.html"


def test_media_title_items_keep_their_media_image() -> None:
    parsed = parse_feed((CORPUS / "atom10_media_title.xml").read_bytes(), None)
    assert parsed.entries[0].image_url == "https://corpus.test/v/1.jpg"


def test_a_valid_declaration_wins_over_a_guess() -> None:
    # iso-8859-2 and windows-1250 differ on ą, ś, ź: the declared one is used
    data = (CORPUS / "declared_iso_8859_2.xml").read_bytes()
    assert redecode(data) is None
    assert "Źródła" in parse_feed(data, None).entries[1].title


def test_utf8_with_a_stray_windows_1252_byte_keeps_its_utf8() -> None:
    title = "Zürich’s “new” tram — opens"
    data = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>{title}</title><link>https://x.test/1</link></item>"
            f"<item><title>Caf\x00 closes</title><link>https://x.test/2</link></item>"
            f"</channel></rss>").encode().replace(b"\x00", b"\xe9")  # é in windows-1252
    parsed = parse_feed(data, None)
    assert [e.title for e in parsed.entries] == [title, "Café closes"]


def test_bench_feeds_reports_both_parsers_on_the_same_corpus() -> None:
    result = CliRunner().invoke(bench_feeds, ["--rounds", "1", "--ordinary-feeds", "1",
                                              "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    entries = sum(len(f["titles"]) for f in FEEDS)
    assert report["corpus_entries"] == entries and report["corpus_feeds"] == len(FEEDS)
    assert report["tidings_titles_read"] == entries  # the regression check itself
    assert report["tidings_title_share"] >= report["feedparser_title_share"]
    for name in ("tidings", "feedparser"):
        assert report[f"{name}_corpus_entries_per_s"] > 0
        assert report[f"{name}_ordinary_entries_per_s"] > 0
