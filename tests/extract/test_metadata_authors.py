"""The author resolver on small synthetic pages: one test per class of page, not per site."""

from __future__ import annotations

import lxml.html

from tidings.extract.metadata import clean_author, extract_metadata


def _author(html: str, url: str = "https://blog.example.org/post") -> str | None:
    return extract_metadata(lxml.html.fromstring(html), url).author


def _page(head: str = "", body: str = "") -> str:
    return (f"<html><head>{head}</head><body><h1>A headline of some length</h1>{body}"
            "<p>Body text.</p></body></html>")


def test_json_ld_author_by_reference_in_a_graph() -> None:
    head = """<script type="application/ld+json">{"@context": "https://schema.org",
    "@graph": [{"@type": "Article", "headline": "H", "datePublished": "2020-02-01",
                "author": {"@id": "https://blog.example.org/#/schema/person/1"}},
               {"@type": "Person", "@id": "https://blog.example.org/#/schema/person/1",
                "name": "Doris Schuppe"}]}</script>"""
    assert _author(_page(head, "<p class='sig'>Doris Schuppe</p>")) == "Doris Schuppe"


def test_json_ld_author_arrays_and_names_in_any_case() -> None:
    head = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H",
    "author": [{"@type": "Person", "name": "Jessica DeFino"},
               {"@type": "Person", "name": "mobasir hassan"}]}</script>"""
    shown = "<p>Jessica DeFino and mobasir hassan, 3 May</p>"
    assert _author(_page(head, shown)) == "Jessica DeFino, mobasir hassan"


def test_written_by_label_pair() -> None:
    head = """<meta name="twitter:label1" content="Verfasst von">
    <meta name="twitter:data1" content="Karoline Herr">"""
    assert _author(_page(head, "<p>Karoline Herr · 3 Min.</p>")) == "Karoline Herr"


def test_a_declared_author_the_page_never_shows_is_not_taken() -> None:
    # a template's default (the site owner, the first editor) that no reader sees
    head = """<script type="application/ld+json">{"@type": "Article", "headline": "H",
    "author": {"@type": "Person", "name": "Rüdiger Beispiel"}}</script>"""
    assert _author(_page(head)) is None
    # a login name the page shows spaced as a real name: the visible form is kept
    login = head.replace("Rüdiger Beispiel", "arianschlichenmayer")
    byline = "<span class='byline'>Von Arian Schlichenmayer</span>"
    assert _author(_page(login, byline)) == "Arian Schlichenmayer"


def test_one_word_author_counts_only_when_the_page_shows_it() -> None:
    ld = """<script type="application/ld+json">{"@type": "BlogPosting", "headline": "H",
    "author": {"@type": "Person", "name": "gizzmo"}}</script>"""
    assert _author(_page(ld, "<p class='meta'>Posted on 3 May by gizzmo</p>")) == "gizzmo"
    assert _author(_page(ld)) is None  # a login name the page never shows
    # free text never yields a one-word author
    assert clean_author("Sky", None) is None


def test_site_placeholders_and_organisations_are_not_authors() -> None:
    for value in ["Redaktion", "admin", "Unknown", "wegewerk GmbH", "Example News",
                  "Bundesministerium für Wirtschaft", "Foto: Jane Doe"]:
        assert clean_author(value, "Example News", declared=True) is None, value


def test_byline_text_stops_before_the_date() -> None:
    assert clean_author("VON MORITZ GATHMANN am 21. April 2020") == "Moritz Gathmann"
    assert clean_author("Text von Christian Seiler Illustration von Markus Roost") == \
        "Christian Seiler"


def test_byline_class_words_and_vcard() -> None:
    body = """<div class="header-info__author"><a href="/p/o">Ophélie Ostermann</a></div>"""
    assert _author(_page(body=body)) == "Ophélie Ostermann"
    vcard = """<span class="author vcard"><a class="url fn n" href="/author/g">gizzmo</a></span>"""
    assert _author(_page(body=vcard)) == "gizzmo"


def test_commenters_are_not_the_author() -> None:
    body = """<ol class="commentlist"><li><div class="comment-author vcard">
    <b class="fn">Karl Kommentar</b> sagt:</div><p>Toll!</p></li></ol>"""
    assert _author(_page(body=body)) is None


def test_byline_block_anywhere_in_the_article() -> None:
    body = """<div class="c"><p>Intro paragraph that is long enough to be text.</p>
    <p class="bodytext">Von Claudia Lindner 27.1.2022 - Bei der Erinnerung an …</p></div>"""
    assert _author(_page(body=body)) == "Claudia Lindner"
    # a name in running text after "von" is not a byline
    running = "<p>Die Rede von Olaf Scholz wurde am Montag viel diskutiert, auch in Berlin.</p>"
    assert _author(_page(body=running)) is None


def test_declared_author_never_shown_yields_to_the_visible_byline() -> None:
    ld = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H",
    "author": {"@type": "Person", "name": "Kevin Rebong"}}</script>"""
    body = "<span class='single-header-byline'>By David Jeans</span>"
    assert _author(_page(ld, body)) == "David Jeans"
    shown = body + "<p class='credit'>Additional reporting by Kevin Rebong.</p>"
    assert _author(_page(ld, shown)) == "Kevin Rebong"


def test_lead_ins_credentials_and_admin_logins_are_not_names() -> None:
    assert clean_author("| BY: Beachbody", "The Beachbody Blog", declared=True) is None
    assert clean_author("Rachael Link, MS, RD", None, declared=True) == "Rachael Link"
    assert clean_author("jdadmin", None, declared=True) is None
    assert clean_author("By", None, declared=True) is None
    assert clean_author("Autor: Klausmartin Friedrich Tags: Büssing, Leipzig") == \
        "Klausmartin Friedrich"


def test_byline_ends_at_a_role_in_parentheses_or_a_weekday() -> None:
    assert clean_author("Redaktion: Eberhard Fuhr (Pressesprecher des EJW)") == "Eberhard Fuhr"
    assert clean_author("Von Anna Beispiel Donnerstag, 4. November 2021") == "Anna Beispiel"
    assert clean_author("Autor Nikolai Huke") == "Nikolai Huke"
    body = "<p class='news__meta'>Autoren Jelko Djuren und Jutta Klaukien</p>"
    assert _author(_page(body=body)) == "Jelko Djuren, Jutta Klaukien"


def test_byline_pieces_are_not_glued() -> None:
    body = """<div class="meta-line">By<a href="/a/alex">Alex Bozarjian</a>Thursday,
    November 9, 2023</div>"""
    assert _author(_page(body=body)) == "Alex Bozarjian"


def test_name_linking_to_an_author_page() -> None:
    body = """<div class="teaser_text_meta"><a href="/autor/frank_g">Gunter Frank</a>
    / 22.04.2020 / 06:15</div>"""
    assert _author(_page(body=body)) == "Gunter Frank"
    # the same link in the page's navigation or in comments names no author of this article
    nav = """<nav><a href="/author/jane-doe">Jane Doe</a></nav>
    <div class="comments"><a href="/author/john-roe">John Roe</a></div>"""
    assert _author(_page(body=nav)) is None


def test_value_after_a_label_of_its_own() -> None:
    for body in ("""<div><h5 class="title-inline">Datum: </h5>03.11.2021 <br>
                    <h5 class="title-inline">Autor: </h5>Peter Maahn</div>""",
                 """<div><span class="label">Author:</span> Peter Maahn<br>
                    <span class="label">Source:</span> Wire</div>""",
                 """<a href="mailto:x"><b>Von:</b> <br> <br> Peter Maahn</a>"""):
        assert _author(_page(body=body)) == "Peter Maahn", body
    # a label followed by something that is no person
    assert _author(_page(body="<span>Autor:</span> Redaktion<br>")) is None
