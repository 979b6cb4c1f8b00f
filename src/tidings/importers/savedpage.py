"""Reading a saved page: its main article and its "latest"/"most read" list, before storing.

Works on saved HTML pages and on plain-text dumps of a page (such as ``shared/seed/*.txt``).
Both are reduced to lines: a list row is a headline line followed by its view count and time
label, often glued together in dumps ("11611:25", "294Yesterday, 22:40"). Everything before
the first row is the main article (headline, then body). Relative labels resolve against
``now`` in the site's zone. :mod:`tidings.importers.pages` stores what this finds.
"""

from __future__ import annotations

import html as html_lib
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html

from tidings.errors import ParseError, TidingsError
from tidings.extract.article import clean_debris, decode_html, extract_from_tree, parse_html
from tidings.extract.attribution import credit_prefix, detect_attribution
from tidings.extract.language import detect_language
from tidings.extract.timelabels import CountAndTime, parse_count, split_count_and_time

UNKNOWN_OUTLET = "Imported pages"
MAX_PAGE_BYTES = 20 * 1024 * 1024
_MAX_META_LINE = 80
# inline elements whose text runs on within a line; every other element starts a new line
_INLINE = {"b", "i", "em", "strong", "u", "small", "sup", "sub", "abbr", "mark", "span",
           "font", "bdi", "bdo", "s", "q", "cite", "var", "code", "kbd", "wbr"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "select", "option",
         "button", "iframe", "object"}
_BODY_LINE = 200  # a line this long is article text, not a list row
_SENTENCE_END = re.compile(r"[.!?…:;»”\"')]\s*$")


@dataclass(slots=True)
class ListEntry:
    title: str
    views: int | None
    published_at: datetime  # aware UTC
    label: str
    url: str | None = None


@dataclass(slots=True)
class PageContent:
    """What a page holds, before storing."""

    title: str | None = None
    text: str | None = None
    html: str | None = None
    attribution: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    image_url: str | None = None
    language: str | None = None
    site_name: str | None = None
    url: str | None = None
    views: int | None = None
    entries: list[ListEntry] = field(default_factory=list)


# --- lines and list rows ---------------------------------------------------------------

@dataclass(slots=True)
class _Line:
    text: str
    meta: CountAndTime | None = None
    count: int | None = None  # a line holding only a number


def _classify(raw_lines: list[str], now: datetime, tz: ZoneInfo) -> list[_Line]:
    out = []
    for raw in raw_lines:
        text = " ".join(raw.split())
        if not text:
            continue
        line = _Line(text)
        if len(text) <= _MAX_META_LINE:
            line.count = parse_count(text)
            if line.count is None:
                line.meta = split_count_and_time(text, now, tz)
        out.append(line)
    return out


def _rows(lines: list[_Line], now: datetime, tz: ZoneInfo
          ) -> list[tuple[int, int, ListEntry]]:
    """(first line, last line, entry) for every headline followed by its count and time."""
    rows: list[tuple[int, int, ListEntry]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.meta is not None or line.count is not None:
            i += 1
            continue
        j = i + 1
        count: int | None = None
        if j < len(lines) and lines[j].count is not None and j + 1 < len(lines) \
                and lines[j + 1].meta is not None:
            count, j = lines[j].count, j + 1  # headline / count / time
        if j < len(lines) and lines[j].meta is not None:
            meta = lines[j].meta
            assert meta is not None
            end = j
            views = meta.views if meta.views is not None else count
            if views is None and end + 1 < len(lines) and lines[end + 1].count is not None:
                views, end = lines[end + 1].count, end + 1  # headline / time / count
            entry = ListEntry(title=line.text, views=views, label=meta.label,
                              published_at=meta.when.astimezone(UTC))
            rows.append((i, end, entry))
            i = end + 1
            continue
        i += 1
    rows = sorted(rows + _inline_rows(lines, rows, now, tz), key=lambda r: r[0])
    # a list whose rows mostly carry counts: read count-less glued rows again with one
    # ("52 hours ago" there is 5 views, 2 hours ago)
    with_views = sum(r[2].views is not None for r in rows)
    if rows and with_views * 2 > len(rows):
        for _first, last, entry in rows:
            if entry.views is None:
                again = split_count_and_time(lines[last].text, now, tz, require_count=True)
                if again is not None and again.views is not None:
                    entry.views, entry.label = again.views, again.label
                    entry.published_at = again.when.astimezone(UTC)
    return rows


def _inline_split(text: str, now: datetime, tz: ZoneInfo) -> tuple[str, CountAndTime] | None:
    """ "Headline (video)11611:25" → ("Headline (video)", 116 at 11:25): the row on one line."""
    if len(text) > 250:
        return None
    for p in range(8, len(text)):
        before, first = text[p - 1], text[p]
        if before.isdigit() or not (first.isdigit() or (first.isalpha() and before == " ")):
            continue
        suffix = text[p:]
        if len(suffix) > 40:
            continue
        meta = split_count_and_time(suffix, now, tz)
        title = text[:p].rstrip(" ·|•–—-")
        if meta is not None and len(title.split()) >= 3:
            return title, meta
    return None


def _inline_rows(lines: list[_Line], rows: list[tuple[int, int, ListEntry]], now: datetime,
                 tz: ZoneInfo) -> list[tuple[int, int, ListEntry]]:
    """Rows written on one line each; only runs of two or more count (a list, not a title
    that happens to end in a time)."""
    taken = {i for first, last, _e in rows for i in range(first, last + 1)}
    found: list[tuple[int, int, ListEntry]] = []
    for i, line in enumerate(lines):
        if i in taken or line.meta is not None or line.count is not None:
            continue
        split = _inline_split(line.text, now, tz)
        if split is not None:
            title, meta = split
            found.append((i, i, ListEntry(title=title, views=meta.views, label=meta.label,
                                          published_at=meta.when.astimezone(UTC))))
    runs: list[tuple[int, int, ListEntry]] = []
    for k, row in enumerate(found):
        prev_adjacent = k > 0 and found[k - 1][0] == row[0] - 1
        next_adjacent = k + 1 < len(found) and found[k + 1][0] == row[0] + 1
        if prev_adjacent or next_adjacent:
            runs.append(row)
    return runs


def _is_heading(text: str) -> bool:
    """A short section label such as "Latest" or "Most read" (no sentence punctuation)."""
    return len(text.split()) <= 5 and not _SENTENCE_END.search(text)


def _is_prose(lines: list[str]) -> bool:
    """Sentences rather than data: some words in all, and a line that reads like a sentence."""
    words = [len(line.split()) for line in lines]
    return sum(words) >= 12 and max(words, default=0) >= 8


def parse_text_dump(text: str, now: datetime, tz: ZoneInfo) -> PageContent:
    """A text dump: headline, body, then the list (headline + count/time per row)."""
    lines = _classify(text.splitlines(), now, tz)
    rows = _rows(lines, now, tz)
    header: ListEntry | None = None
    if rows and rows[0][0] == 0:
        # "Headline / 15.02.2026, 10:00 / long body ...": the first row is the article's own
        # headline and dateline when body text follows it before the next row
        body_end = rows[1][0] if len(rows) > 1 else len(lines)
        if any(len(ln.text) >= _BODY_LINE for ln in lines[rows[0][1] + 1:body_end]):
            header, lines = rows[0][2], [lines[0], *lines[rows[0][1] + 1:]]
            rows = [(a - rows[0][1], b - rows[0][1], e) for a, b, e in rows[1:]]
    article_end = rows[0][0] if rows else len(lines)
    head = [ln.text for ln in lines[:article_end]]
    page = PageContent(entries=[r[2] for r in rows])
    if header is not None:
        page.published_at, page.views = header.published_at, header.views
    if not head:
        return page
    if len(head) > 2 and _is_heading(head[-1]):
        head = head[:-1]  # "Latest", "Most read" above the list
    title, agency = credit_prefix(clean_debris(head[0]))
    body = [clean_debris(x) for x in head[1:]]
    body = [b for b in body if b]
    if not _is_prose(body):
        # a headline alone is no article (probably the list's label), nor are lines of data
        return page
    page.title = title
    page.text = "\n\n".join(body)
    page.html = "".join(f"<p>{html_lib.escape(p)}</p>" for p in body)
    page.attribution = agency or detect_attribution(title, page.text)
    page.language = detect_language(page.text)
    return page


def _page_lines(tree: lxml.html.HtmlElement) -> tuple[list[str], dict[str, str]]:
    """The page as lines of text, and each link's text → its address."""
    lines: list[str] = []
    current: list[str] = []
    links: dict[str, str] = {}

    def flush() -> None:
        if current:
            lines.append("".join(current))
            current.clear()

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag.lower() in _SKIP:
            return
        inline = tag.lower() in _INLINE
        if not inline:
            flush()
        if el.text:
            current.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if not inline:
            flush()
        if tag == "a" and el.get("href"):
            text = " ".join(el.text_content().split())
            if text:
                links.setdefault(text, el.get("href"))

    body = tree.find(".//body")
    walk(body if body is not None else tree)
    flush()
    return lines, links


def parse_html_page(data: bytes, now: datetime, tz: ZoneInfo) -> PageContent:
    """A saved HTML page: the article through tidings' extractor, the list from its lines."""
    try:
        tree = parse_html(data)
    except ValueError:
        return PageContent()  # what extract_article gives for a page it cannot parse
    # the lines first: extracting strips elements from the tree
    raw_lines, links = _page_lines(tree)
    result = extract_from_tree(tree, None)
    page = PageContent(
        title=result.title, text=result.content_text, html=result.content_html,
        attribution=result.attribution, author=result.author,
        published_at=result.published_at, image_url=result.image_url,
        language=result.language, site_name=result.site_name, url=result.canonical_url,
    )
    if not result.ok:
        page.text = page.html = None
    rows = _rows(_classify(raw_lines, now, tz), now, tz)
    article_text = " ".join((page.text or "").split())
    entries = []
    for _first, _last, entry in rows:
        if entry.title == page.title or (len(entry.title) > 30 and entry.title in article_text):
            continue
        href = links.get(entry.title)
        if href:
            absolute = urljoin(page.url or "", href)
            entry.url = absolute if urlsplit(absolute).scheme in {"http", "https"} else None
        entries.append(entry)
    # a single row is more likely a byline with a date than a list
    page.entries = entries if len(entries) >= 2 else []
    return page


# --- storing ---------------------------------------------------------------------------

def read_page_file(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TidingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":
        # inflate at most one byte past the cap: a small gzip bomb must not fill memory
        # (fixed with the security work, issue 6; gzip.decompress had no limit)
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            data = inflater.decompress(data, MAX_PAGE_BYTES + 1)
        except zlib.error as exc:
            raise ParseError(f"{path.name}: broken gzip data ({exc})") from None
    if len(data) > MAX_PAGE_BYTES:
        raise ParseError(f"{path.name}: too large for a page ({len(data) // 1_048_576} MiB)")
    return data


def _looks_like_html(data: bytes, path: Path) -> bool:
    if path.suffix.lower() in {".html", ".htm", ".xhtml"}:
        return True
    head = data[:2048].lstrip().lower()
    return (head.startswith((b"<!doctype html", b"<html", b"<?xml"))
            or b"<body" in data[:65536].lower())


def parse_page(data: bytes, path: Path, now: datetime, tz: ZoneInfo) -> PageContent:
    if _looks_like_html(data, path):
        return parse_html_page(data, now, tz)
    if b"\x00" in data[:4096]:
        raise ParseError(f"{path.name}: not a page (binary data)")
    try:
        text = decode_html(data)
    except ValueError as exc:
        raise ParseError(f"{path.name}: {exc}") from None
    return parse_text_dump(text, now, tz)
