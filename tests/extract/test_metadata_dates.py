"""The date resolver on small synthetic pages: one test per class of page, not per site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import lxml.html

from tidings.extract.metadata import extract_metadata, parse_datetime


def _date(html: str, url: str = "https://news.example/story") -> str | None:
    meta = extract_metadata(lxml.html.fromstring(html), url)
    return meta.published_at.isoformat() if meta.published_at else None


def test_json_ld_published_wins_over_modified_and_meta() -> None:
    page = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "X"},
     {"@type": "NewsArticle", "headline": "H", "datePublished": "2021-03-08T11:15:28+01:00",
      "dateModified": "2021-03-14T20:10:50+01:00"}]}</script>
    <meta property="article:modified_time" content="2021-03-14T20:10:50+01:00">
    </head><body><h1>H</h1></body></html>"""
    assert _date(page) == "2021-03-08T11:15:28+01:00"


def test_time_marked_as_published_before_other_time_elements() -> None:
    page = """<html><body><h1>H</h1>
    <time datetime="2020-09-26T10:40:52+02:00">comment</time>
    <time itemprop="datePublished" datetime="2020-09-20T08:00:00+02:00">20.9.2020</time>
    </body></html>"""
    assert _date(page) == "2020-09-20T08:00:00+02:00"


def test_utc_stamp_is_read_in_the_sites_zone() -> None:
    # 23:00 UTC on a German site is midnight of the next day there
    page = """<html lang="de"><head>
    <meta property="article:published_time" content="2022-11-06T23:00:00.000Z">
    </head><body><h1>H</h1></body></html>"""
    assert _date(page, "https://magazin.example.de/artikel")[:10] == "2022-11-07"
    assert _date(page, "https://magazin.example.com/artikel")[:10] == "2022-11-07"  # lang="de"
    # an Argentine site: 00:25 UTC is the evening before
    page_ar = page.replace("2022-11-06T23:00:00.000Z", "2022-05-04T00:25:56Z")
    page_ar = page_ar.replace('lang="de"', 'lang="es"')
    assert _date(page_ar, "https://diario.example.com.ar/nota")[:10] == "2022-05-03"
    # no hint where the site is: the UTC day stays
    page_en = page.replace('lang="de"', 'lang="en"')
    assert _date(page_en, "https://news.example.com/a")[:10] == "2022-11-06"


def test_wall_clock_time_without_offset_keeps_its_day() -> None:
    page = """<html lang="de"><head>
    <meta property="article:published_time" content="2022-01-06T23:29:34">
    </head><body><h1>H</h1></body></html>"""
    assert _date(page, "https://magazin.example.de/a")[:10] == "2022-01-06"


def test_future_and_prehistoric_dates_are_no_candidates() -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert parse_datetime(tomorrow) is None
    assert parse_datetime("1987-05-01") is None
    page = f"""<html><head><meta property="article:published_time" content="{tomorrow}">
    <meta name="date" content="2020-02-12"></head><body><h1>H</h1></body></html>"""
    assert _date(page, "https://x.example/a")[:10] == "2020-02-12"


def test_a_bare_month_found_in_the_text_is_no_publication_date() -> None:
    # "März 2020" or a copyright year is all htmldate's extensive search can find here
    page = """<html><body><h1>Unser Angebot</h1><p>Preise gültig ab März 2020.</p>
    <footer>© 2020 Beispiel GmbH</footer></body></html>"""
    assert _date(page, "https://shop.example.de/angebot") is None


def test_url_day_aligns_a_stamp_one_day_off() -> None:
    page = """<html><head><meta property="article:published_time"
    content="2019-11-19T01:19:00+00:00"></head><body><h1>H</h1></body></html>"""
    assert _date(page, "https://x.example/2019/11/18/story")[:10] == "2019-11-18"


def test_a_static_page_stamp_counts_only_when_shown() -> None:
    ld = """<script type="application/ld+json">{"@context": "https://schema.org",
    "@graph": [{"@type": "WebPage", "name": "Über uns",
                "datePublished": "2019-01-10T10:44:43+01:00"}]}</script>"""
    hidden = f"<html><head>{ld}</head><body><h1>Über uns</h1><p>Wir sind …</p></body></html>"
    assert _date(hidden, "https://verein.example.de/ueber-uns") is None
    shown = hidden.replace("<p>Wir", "<p>10. Januar 2019 – Wir")
    assert _date(shown, "https://verein.example.de/ueber-uns")[:10] == "2019-01-10"
    # the URL naming that month is agreement enough
    assert _date(hidden, "https://blog.example.de/2019/01/123/")[:10] == "2019-01-10"


def test_day_shown_formats() -> None:
    from datetime import date

    from tidings.extract.metadata.shown import day_shown

    day = date(2022, 1, 27)
    for text in ["am 27.01.2022 um", "27. januar 2022", "january 27, 2022", "le 27 janvier 2022",
                 "27 de enero de 2022", "2022-01-27", "2022年1月27日", "27/01/22"]:
        assert day_shown(day, text), text
    assert not day_shown(day, "27.02.2022 und 2021-01-27")


def test_htmldate_guesses_count_only_when_the_page_shows_the_day() -> None:
    # a day only an image path or unknown markup carries is no publication date readers see
    hidden = """<html><body><h1>Our product range</h1>
    <img src="/uploads/2021/08/02/pic.jpg"><p>Text without any date.</p></body></html>"""
    assert _date(hidden, "https://shop.example.de/range") is None
    shown = hidden.replace("Text without", "2. August 2021 – Text without")
    assert _date(shown, "https://shop.example.de/range")[:10] == "2021-08-02"


def test_declarations_disagree_the_one_the_byline_shows_wins() -> None:
    # JSON-LD says the 4th, the meta tag the 6th, and the byline under the headline the 6th
    page = """<html lang="de"><head><script type="application/ld+json">
    {"@type": "Article", "headline": "H", "datePublished": "2022-01-04T07:29:00Z"}</script>
    <meta property="article:published_time" content="2022-01-06T08:29:34+01:00">
    </head><body><h1>Vanlife in Schweden</h1><p class="meta">06.01.2022</p>
    <p>Text.</p></body></html>"""
    assert _date(page, "https://magazin.example.de/a")[:10] == "2022-01-06"


def test_declarations_disagree_without_a_shown_day_keep_the_order_of_trust() -> None:
    page = """<html><head><script type="application/ld+json">
    {"@type": "Article", "headline": "H", "datePublished": "2022-01-04T07:29:00+01:00"}</script>
    <meta property="article:published_time" content="2022-01-06T08:29:34+01:00">
    </head><body><h1>H</h1><p>Text.</p></body></html>"""
    assert _date(page)[:10] == "2022-01-04"


def test_localized_byline_dates_under_the_headline() -> None:
    for shown, lang in (("12. März 2019", "de"), ("12 mars 2019", "fr"),
                        ("12 марта 2019", "ru"), ("Von Anna Muster | 12. 3. 2019", "de"),
                        ("12 | 03 | 2019", "de"), ("March 12, 2019", "en"),
                        ("2019年3月12日", "ja"), ("3/12/2019", "en-US")):
        page = f"""<html lang="{lang}"><body><nav>Home</nav><h1>Ein Titel</h1>
        <div class="byline"><span>{shown}</span></div><p>Text.</p></body></html>"""
        assert _date(page, "https://example.org/a")[:10] == "2019-03-12", shown


def test_headline_day_reads_bylines_not_sentences() -> None:
    from tidings.extract.metadata.shown import headline_day

    sentence = ("die stadt bietet vom 9.1. bis 10.2.2023 die möglichkeit, teil der regionalen "
                "energiewende zu werden")
    assert headline_day(["menü", "ein titel", sentence], (1, 2)) is None
    # a dateline inside the headline when nothing follows it
    parts = ["news", "rückkehr der zuschauer", "02.02.2022 • verband", sentence]
    assert str(headline_day(parts, (1, 3))) == "2022-02-02"
    # the headline repeated in a ticker before the article: the <h1>'s own place counts
    parts = ["ein titel", "28.01.2022", "ein titel", "von anna muster, 02.02.2022"]
    assert str(headline_day(parts, (2, 3))) == "2022-02-02"
