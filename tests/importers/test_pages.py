"""Importing saved pages and text dumps: the seed's acceptance numbers, other locales and
labels, saved HTML pages, idempotent re-imports, and one-line errors for bad files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tidings.config import Settings
from tidings.errors import ParseError
from tidings.importers.pages import import_page
from tidings.importers.savedpage import parse_text_dump
from tidings.store import Store

DATA = Path(__file__).parents[1] / "data" / "pages"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_b110e88a84dc7d3f.txt"
ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 2, 15, 12, 0, tzinfo=ROME)


def _rome(settings: Settings) -> Settings:
    return settings.replace(timezone="Europe/Rome")


def _articles(store: Store) -> list:
    items, _total = store.articles.latest(limit=100)
    return items


def test_seed_acceptance(store: Store, settings: Settings) -> None:
    if not SEED.is_file():
        pytest.skip("shared/seed is not beside the repository")
    report = import_page(store, _rome(settings), SEED, now=NOW)
    assert report.article and report.list_entries == 6
    items = _articles(store)
    credited = [a for a in items if a.attribution == "Reuters"]
    assert len(credited) == 1
    main = credited[0]
    assert main.title == "Israel, Syria in direct contact over border tensions, sources say"
    assert "![]" not in (main.content_text or "") and not main.content_text.rstrip().endswith("|")
    assert main.content_html and "<p>" in main.content_html
    rows = sorted(((a.views, a.published_at.astimezone(ROME).strftime("%d %H:%M"))
                   for a in items if a is not main), key=lambda r: r[1], reverse=True)
    assert sorted(rows) == sorted([(116, "15 11:25"), (294, "14 22:40"), (206, "14 21:12"),
                                   (200, "14 19:46"), (736, "13 00:18"), (737, "13 00:01")])
    assert all(a.attribution is None for a in items if a is not main)
    assert store.sources.get(report.source_id).name == "Imported pages"


def test_reimport_does_not_duplicate(store: Store, settings: Settings, tmp_path: Path) -> None:
    page = tmp_path / "dump.txt"
    page.write_text((DATA / "dump_italian.txt").read_text(encoding="utf-8"), encoding="utf-8")
    first = import_page(store, _rome(settings), page, now=NOW)
    assert first.new == 5 and first.existing == 0
    # a later save of the same page: one count went up
    page.write_text(page.read_text(encoding="utf-8").replace("87Ieri", "99Ieri"), encoding="utf-8")
    second = import_page(store, _rome(settings), page, now=NOW)
    assert second.new == 0 and second.existing == 5 and second.updated == 1
    assert store.articles.count() == 5
    assert "5 already there" in second.summary()


def test_italian_dump(sqlite_store: Store, settings: Settings) -> None:
    report = import_page(sqlite_store, _rome(settings), DATA / "dump_italian.txt", now=NOW)
    assert report.attribution == "ANSA"
    items = {a.title: a for a in _articles(sqlite_store)}
    main = items["Neve in Appennino, strade chiuse e scuole ferme"]
    assert main.attribution == "ANSA" and main.language == "it"
    assert "Più letti" not in main.content_text
    trains = items["Treni in ritardo sulla linea adriatica"]
    assert trains.views == 1204
    assert trains.published_at == datetime(2026, 2, 15, 9, 10, tzinfo=ROME).astimezone(UTC)
    assert items["Il sindaco presenta il nuovo piano per il centro storico"].published_at == \
        datetime(2026, 2, 14, 23, 55, tzinfo=ROME).astimezone(UTC)
    market = items["Mercato immobiliare, prezzi stabili a gennaio"]
    assert market.views == 0
    assert market.published_at == datetime(2026, 2, 15, 9, 0, tzinfo=ROME).astimezone(UTC)
    assert items["Il museo civico riapre dopo i restauri"].views == 502


def test_saved_html_page(sqlite_store: Store, settings: Settings) -> None:
    report = import_page(sqlite_store, _rome(settings), DATA / "wire_story.html", now=NOW)
    assert report.source == "The Coastal Courier"
    assert report.list_entries == 3
    items = {a.title: a for a in _articles(sqlite_store)}
    main = items["Harbour strike halts exports"]
    assert main.attribution == "Reuters"
    assert main.author == "Marta Quill"
    assert main.url == "https://courier.example/news/harbour-strike"
    assert main.image_url == "https://courier.example/img/harbour-lead.jpg"
    assert "Dock workers" in main.content_text and "READ MORE" not in main.content_text
    assert "Storm closes" not in main.content_text and "newsletter" not in main.content_text
    assert "<script" not in (main.content_html or "")
    storm = items["Storm closes the old bridge for the weekend"]
    assert storm.views == 1204 and storm.url == "https://courier.example/news/storm-closes-bridge"
    assert storm.published_at == datetime(2026, 2, 15, 9, 40, tzinfo=ROME).astimezone(UTC)
    assert items["Ferry fares to rise in spring"].published_at == \
        datetime(2026, 1, 18, 7, 30, tzinfo=ROME).astimezone(UTC)


def test_dump_with_headline_count_time_on_separate_lines() -> None:
    text = ("Council approves the harbour budget\nThe council voted on Tuesday to approve the "
            "budget for the harbour works, officials said.\n\nLatest\n"
            "Bridge reopens after repairs\n512\n2 hours ago\n"
            "Schools close early for the holidays\n77\nToday, 09:10\n")
    page = parse_text_dump(text, NOW, ROME)
    assert page.title == "Council approves the harbour budget"
    assert "Latest" not in (page.text or "")
    assert [(e.title, e.views) for e in page.entries] == [
        ("Bridge reopens after repairs", 512), ("Schools close early for the holidays", 77)]
    assert page.entries[0].published_at == datetime(2026, 2, 15, 10, 0, tzinfo=ROME)


def test_glued_relative_label_in_counted_list() -> None:
    # every other row has a count, so "52 hours ago" reads as 5 views, 2 hours ago
    text = ("Headline one\n1211:25\nHeadline two\n52 hours ago\n"
            "Headline three\n3Yesterday, 20:00\n")
    page = parse_text_dump(text, NOW, ROME)
    assert [(e.views, e.published_at.astimezone(ROME).strftime("%d %H:%M"))
            for e in page.entries] == [(12, "15 11:25"), (5, "15 10:00"), (3, "14 20:00")]
    assert page.text is None  # no body before the list: no main article


def test_bad_files_give_one_line_errors(sqlite_store: Store, settings: Settings,
                                        tmp_path: Path) -> None:
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    with pytest.raises(ParseError) as err:
        import_page(sqlite_store, settings, binary, now=NOW)
    assert "\n" not in str(err.value)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ParseError):
        import_page(sqlite_store, settings, empty, now=NOW)


def test_article_with_its_own_dateline_and_time_first_rows() -> None:
    body = ("Ministers from both countries met in Geneva on Saturday and agreed to reopen the "
            "border crossing for goods next month, according to a joint statement, AFP reported. "
            "Talks on passenger traffic will continue in March.")
    text = (f"AFP: Border crossing to reopen for goods\n\n09:3042 views\n{body}\n\n"
            "Most read\nFerry strike called off\n11:25116\n"
            "Tram line extended to the airport\n👁 1,204 · Yesterday, 22:40\n")
    page = parse_text_dump(text, NOW, ROME)
    assert page.title == "Border crossing to reopen for goods"
    assert page.attribution == "AFP" and page.text == body
    assert page.published_at == datetime(2026, 2, 15, 9, 30, tzinfo=ROME)
    assert page.views == 42
    assert [(e.title, e.views, e.published_at.astimezone(ROME).strftime("%d %H:%M"))
            for e in page.entries] == [("Ferry strike called off", 116, "15 11:25"),
                                       ("Tram line extended to the airport", 1204, "14 22:40")]


def test_rows_written_on_one_line_each() -> None:
    text = ("Council approves the harbour budget\nThe council voted on Tuesday to approve the "
            "budget for the harbour works, officials said on Wednesday morning.\n\n"
            "Bad weather, love arch destroyed at Meledugno in Salento (video)11611:25\n"
            "India Orders 288 Anti-Aircraft Missiles from Russia 200 · Yesterday, 19:46\n"
            "Ali Eyal wins the Hammer Museum's Mohn Award73713.02.2026, 00:01\n")
    page = parse_text_dump(text, NOW, ROME)
    assert page.title == "Council approves the harbour budget"
    assert [(e.title, e.views, e.published_at.astimezone(ROME).strftime("%d %H:%M"))
            for e in page.entries] == [
        ("Bad weather, love arch destroyed at Meledugno in Salento (video)", 116, "15 11:25"),
        ("India Orders 288 Anti-Aircraft Missiles from Russia", 200, "14 19:46"),
        ("Ali Eyal wins the Hammer Museum's Mohn Award", 737, "13 00:01")]


def test_a_title_ending_in_a_time_is_not_a_list() -> None:
    text = ("Meeting moved to 10:30\nThe council meeting planned for the morning was moved "
            "to half past ten, the mayor's office said in a statement on Monday.\n")
    page = parse_text_dump(text, NOW, ROME)
    assert page.title == "Meeting moved to 10:30" and page.entries == []
