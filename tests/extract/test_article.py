"""extract_article on hand-written pages: metadata, cleaned body, attribution, bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tidings.extract import ExtractResult, extract_article, reset_caches
from tidings.extract.article import clean_debris
from tidings.extract.metadata import clean_author, clean_title

PAGES = Path(__file__).parents[1] / "data" / "pages"


def test_wire_story_page() -> None:
    result = extract_article((PAGES / "wire_story.html").read_bytes(), None)
    assert result.ok, result.error
    assert result.title == "Harbour strike halts exports"
    assert result.author == "Marta Quill"
    assert result.published_at is not None
    assert result.published_at.isoformat() == "2026-01-20T08:15:00+01:00"
    assert result.canonical_url == "https://courier.example/news/harbour-strike"
    assert result.image_url == "https://courier.example/img/harbour-lead.jpg"
    assert result.site_name == "The Coastal Courier"
    assert result.language == "en"
    assert result.attribution == "Reuters"
    text = result.content_text or ""
    assert text.startswith("ROTTERDAM (Reuters) - Dock workers")  # headline not repeated
    assert "READ MORE" not in text  # teaser dropped
    assert "Most read" not in text and "Storm closes" not in text and "Home" not in text
    assert "Economists said" in text
    assert result.content_html and "<p>" in result.content_html
    assert "READ MORE" not in result.content_html


def test_declared_latin1_page() -> None:
    result = extract_article((PAGES / "latin1_article.html").read_bytes(), "https://x.example/a")
    assert result.ok, result.error
    assert "célébré" in (result.content_text or "")
    assert result.language == "fr"  # no lang attribute: detected from the text
    assert result.attribution == "AFP"


@pytest.mark.parametrize(("data", "reason"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n" * 50, "PDF"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, "PNG"),
    (gzip.compress(b"<html><body><p>hello</p></body></html>", mtime=0), "gzip"),
    (bytes(range(256)) * 40, "binary"),
    (b"", "empty"),
    (b"just some words without any markup at all", "no markup"),
], ids=["pdf", "png", "gzip", "binary", "empty", "no-markup"])
def test_bad_input_gives_one_line_error(data: bytes, reason: str) -> None:
    result = extract_article(data, "https://x.example/")
    assert not result.ok
    assert reason in (result.error or "")
    assert "\n" not in (result.error or "")


def test_broken_encoding() -> None:
    # declared UTF-8, but the bytes are random high-bit garbage
    junk = bytes((i * 37 + 128) % 256 | 0x80 for i in range(20_000))
    page = b"<html><head><meta charset='utf-8'></head><body><p>" + junk + b"</p></body></html>"
    result = extract_article(page, None)
    assert not result.ok and "encoding" in (result.error or "")


def test_only_scripts_page() -> None:
    result = extract_article((PAGES / "only_scripts.html").read_bytes(), None)
    assert not result.ok and result.error == "the page is only scripts"


def test_enormous_page(monkeypatch: pytest.MonkeyPatch) -> None:
    import tidings.extract.article as article

    monkeypatch.setattr(article, "MAX_HTML_BYTES", 100_000)
    page = b"<html><body>" + b"<p>word " * 50_000 + b"</body></html>"
    result = extract_article(page, None)
    assert not result.ok and "too large" in (result.error or "")


def test_result_shape_and_cache_reset() -> None:
    result = extract_article((PAGES / "wire_story.html").read_text(encoding="utf-8"), None)
    data = result.as_dict()
    assert isinstance(data["published_at"], str)
    assert set(data) >= {"title", "author", "content_text", "content_html", "error"}
    reset_caches()  # callable at any time; extraction keeps working afterwards
    assert extract_article((PAGES / "wire_story.html").read_bytes(), None).ok
    assert ExtractResult(error="x").ok is False


def test_helpers() -> None:
    assert clean_debris("![]() Body text here. |\n\n\n\nNext |") == "Body text here.\n\nNext"
    assert clean_title("Storm hits coast | Daily Planet", "Daily Planet", None) == \
        "Storm hits coast"
    assert clean_title("Daily Planet - Storm hits coast", "Daily Planet", None) == \
        "Storm hits coast"
    # one visible headline wins over a generic declared title; several unrelated ones do not
    assert clean_title("Page", None, "Storm hits the northern coast") == \
        "Storm hits the northern coast"
    assert clean_title("Storm hits coast", None, ["Weather", "Sign up today"]) == \
        "Storm hits coast"
    assert clean_title("Storm hits coast - Planet", "Planet", ["Planet"]) == "Storm hits coast"
    assert clean_author("By Jane Doe and John Roe", None) == "Jane Doe, John Roe"
    assert clean_author("https://example.com/jane", None) is None
    assert clean_author("TOM KRISHER, AP Auto Writer", None) == "Tom Krisher"
    assert clean_author("Victor Tangermann, Futurism", None) == "Victor Tangermann"
    for not_a_person in ["admin", "India Post News Weekly", "The Water Coolest", "Sky",
                         "European Space Agency", "humans.txt"]:
        assert clean_author(not_a_person, None) is None, not_a_person
    assert clean_author("Elliot Brownstein Florida Today Published 2:16 AM", "floridatoday") \
        == "Elliot Brownstein"


def test_utc_stamp_moves_to_the_pages_own_day() -> None:
    from datetime import UTC, date, datetime

    from tidings.extract.metadata import align_with_day, url_day

    stamp = datetime(2019, 11, 19, 1, 19, tzinfo=UTC)
    moved = align_with_day(stamp, url_day("https://x.example/2019/11/18/story"))
    assert moved is not None and moved == stamp and moved.date() == date(2019, 11, 18)
    assert align_with_day(stamp, date(2019, 11, 19)) is stamp  # already that day
    assert align_with_day(stamp, date(2019, 11, 25)) is stamp  # too far apart: keep
    assert url_day("https://x.example/news/story") is None


def test_declared_language_overruled_by_clear_text() -> None:
    para = ("Die Stadtverwaltung hat am Dienstag beschlossen, die alte Brücke über den Fluss "
            "im kommenden Frühjahr vollständig zu sanieren. Die Arbeiten sollen etwa ein Jahr "
            "dauern, während dieser Zeit wird der Verkehr über eine Behelfsbrücke geleitet.")
    page = (f'<html lang="en"><head><title>Brücke wird saniert</title></head><body><article>'
            f"<h1>Brücke wird saniert</h1><p>{para}</p><p>{para}</p></article></body></html>")
    assert extract_article(page, None).language == "de"
    english = page.replace(para, "The council decided on Tuesday to repair the old bridge "
                                 "over the river next spring; the works will take a year.")
    assert extract_article(english, None).language == "en"


def test_script_rendered_page_falls_back_to_declared_body() -> None:
    body = " ".join(["The museum reopened on Saturday after two years of restoration work."] * 12)
    page = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
            '"headline": "Museum reopens", "articleBody": "' + body + '"}</script></head>'
            '<body><div id="app"></div><script>render()</script></body></html>')
    result = extract_article(page, "https://museum.example/news/reopens")
    assert result.ok and result.content_text == body and result.title == "Museum reopens"
    assert result.content_html == f"<p>{body}</p>"
