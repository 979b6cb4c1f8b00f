"""Hostile-ish inputs: random bytes, and real formats with hostile, broken or odd parts."""

from __future__ import annotations

import json

from hypothesis import strategies as st

HOSTILE_TEXT = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "]]>", "<![CDATA[",
    "&amp;&lt;&#0;&#xD800;&#1114112;", "\u0000", "\ufeff", "\u202e", "𝕏" * 3, "\r\n\r\n",
    "javascript:alert(1)", "%00%ff", "&nbsp;" * 5, "<!--", "<?xml", "<!DOCTYPE x [",
    "&undefined;", "\U0010ffff", "A" * 5000, "日本語のテキスト", "ä" * 10,
])
TEXT = st.one_of(st.text(max_size=300), HOSTILE_TEXT,
                 st.lists(HOSTILE_TEXT, max_size=4).map("".join))
DATES = st.one_of(st.sampled_from([
    "Mon, 02 Jan 2006 15:04:05 GMT", "2006-01-02T15:04:05Z", "2006-13-45T99:99:99+25:00",
    "yesterday", "", "0", "-1", "9999-12-31T23:59:59Z", "0001-01-01", "Tue, 31 Feb 2026",
    "1e308", "2026-02-15T12:00:00.123456789+05:45",
]), st.text(max_size=40))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def rss(draw: st.DrawFn) -> bytes:
    items = []
    for _ in range(draw(st.integers(0, 5))):
        raw = draw(st.booleans())
        title = draw(TEXT)
        body = draw(TEXT)
        items.append(
            "<item>"
            f"<title>{title if raw else _esc(title)}</title>"
            f"<link>{_esc(draw(st.one_of(st.just('http://x.example/a'), TEXT)))}</link>"
            f"<guid>{_esc(draw(TEXT))}</guid>"
            f"<pubDate>{_esc(draw(DATES))}</pubDate>"
            f"<description>{body if raw else _esc(body)}</description>"
            + (f"<content:encoded><![CDATA[{body}]]></content:encoded>"
               if draw(st.booleans()) else "")
            + "</item>")
    doc = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
           f"<title>{_esc(draw(TEXT))}</title><ttl>{_esc(draw(TEXT))}</ttl>"
           + "".join(items) + "</channel></rss>")
    data = doc.encode("utf-8", "surrogatepass")
    return _mutate(draw, data)


@st.composite
def atom(draw: st.DrawFn) -> bytes:
    entries = "".join(
        "<entry>"
        f"<title type=\"{draw(st.sampled_from(['text', 'html', 'xhtml', 'x']))}\">"
        f"{_esc(draw(TEXT))}</title>"
        f"<link href=\"{_esc(draw(TEXT))}\"/><id>{_esc(draw(TEXT))}</id>"
        f"<updated>{_esc(draw(DATES))}</updated>"
        f"<content type=\"html\">{_esc(draw(TEXT))}</content></entry>"
        for _ in range(draw(st.integers(0, 4))))
    doc = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
           f"<title>{_esc(draw(TEXT))}</title>{entries}</feed>")
    return _mutate(draw, doc.encode("utf-8", "surrogatepass"))


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20)


@st.composite
def json_feed(draw: st.DrawFn) -> bytes:
    item = st.fixed_dictionaries({}, optional={
        "id": JSON_VALUES, "url": JSON_VALUES, "title": JSON_VALUES,
        "content_html": JSON_VALUES, "content_text": JSON_VALUES,
        "date_published": st.one_of(DATES, JSON_VALUES), "authors": JSON_VALUES,
        "image": JSON_VALUES})
    doc = {"version": draw(st.sampled_from(["https://jsonfeed.org/version/1.1", "x", 1])),
           "title": draw(JSON_VALUES),
           "items": draw(st.one_of(st.lists(item, max_size=4), JSON_VALUES))}
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    return _mutate(draw, text.encode("utf-8", "surrogatepass"))


def _mutate(draw: st.DrawFn, data: bytes) -> bytes:
    """Sometimes cut, flip or splice the document, as a broken server or proxy would."""
    how = draw(st.sampled_from(["none", "none", "truncate", "flip", "splice", "encoding"]))
    if how == "truncate" and data:
        return data[:draw(st.integers(0, len(data)))]
    if how == "flip" and data:
        i = draw(st.integers(0, len(data) - 1))
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    if how == "splice":
        i = draw(st.integers(0, len(data)))
        return data[:i] + draw(st.binary(max_size=64)) + data[i:]
    if how == "encoding":
        return data.replace(b'encoding="utf-8"', draw(st.sampled_from(
            [b'encoding="latin-1"', b'encoding="utf-16"', b'encoding="bogus"',
             b'encoding="shift_jis"'])))
    return data


FEEDS = st.one_of(rss(), atom(), json_feed(), st.binary(max_size=2000))


@st.composite
def html_page(draw: st.DrawFn) -> bytes:
    paragraphs = "".join(f"<p>{draw(TEXT)}</p>" for _ in range(draw(st.integers(0, 8))))
    meta = "".join(
        f'<meta property="{draw(st.sampled_from(["og:title", "og:image", "article:published_time", "og:url"]))}" '  # noqa: E501
        f'content="{_esc(draw(TEXT))}">' for _ in range(draw(st.integers(0, 3))))
    doc = (f"<!doctype html><html lang=\"{_esc(draw(TEXT))[:10]}\"><head>"
           f"<title>{draw(TEXT)}</title>{meta}</head><body><article><h1>{draw(TEXT)}</h1>"
           f"{paragraphs}</article><ul>"
           + "".join(f"<li><a href=\"{_esc(draw(TEXT))}\">{draw(TEXT)}</a> "
                     f"{draw(st.integers(0, 10**9))} {draw(DATES)}</li>"
                     for _ in range(draw(st.integers(0, 5))))
           + "</ul></body></html>")
    return _mutate(draw, doc.encode("utf-8", "surrogatepass"))


@st.composite
def text_dump(draw: st.DrawFn) -> str:
    lines = [draw(TEXT) for _ in range(draw(st.integers(0, 6)))]
    for _ in range(draw(st.integers(0, 6))):
        lines.append(draw(TEXT))
        lines.append(f"{draw(st.integers(-5, 10**7))} "
                     + draw(st.sampled_from(["11:25", "Yesterday, 22:40", "13.02.2026, 00:18",
                                             "99:99", "Ieri, 25:61", "31.02.2026, 00:00"])))
    return "\n".join(lines)
