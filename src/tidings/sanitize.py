"""HTML from feeds is untrusted: nh3 cleans it, always as the last step before storing.

``sanitize_html`` keeps ordinary article markup (paragraphs, links, images, lists, tables,
quotes, figures) and drops scripts, styles, event handlers and ``javascript:`` URLs.
Relative links are made absolute first, because nh3 does not know the page's address.
``html_to_text`` is a fast plain-text rendering of already sanitized HTML.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urljoin

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "small",
    "source", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "video", "audio",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "srcset"},
    "source": {"src", "srcset", "type", "media"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
#: built once: ``nh3.clean`` rebuilds its rules on every call, which cost more than cleaning
#: a 300-word article (24 of 32 µs, docs/benchmarks.md); the cleaner is safe across threads
_CLEANER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                       link_rel="noopener noreferrer nofollow", strip_comments=True)

_URL_ATTR = re.compile(r"""(\s(?:href|src|poster|cite)\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
_ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def _may_have_url(html: str) -> bool:
    """Whether :data:`_URL_ATTR` could match: no ``=`` (plain paragraphs) is a 50 ns answer,
    where lower-casing a 2 KB body to look for the names cost 7 µs per item."""
    if "=" not in html:
        return False
    low = html.lower()
    return "href" in low or "src" in low or "poster" in low or "cite" in low


def _absolutize(html: str, base_url: str) -> str:
    def repl(match: re.Match[str]) -> str:
        value = match.group(3).strip()
        if not value or _ABSOLUTE.match(value) or value.startswith("#"):
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{urljoin(base_url, html_lib.unescape(value))}" \
               f"{match.group(2)}"

    return _URL_ATTR.sub(repl, html)


def sanitize_html(html: str | None, base_url: str | None = None) -> str:
    """Clean ``html`` for storing and showing; relative links resolved against ``base_url``."""
    if not html:
        return ""
    if base_url and _may_have_url(html):
        html = _absolutize(html, base_url)
    return _CLEANER.clean(html).strip()


_BLOCK = re.compile(
    r"<\s*(?:br|/p|/div|/h[1-6]|/li|/tr|/blockquote|/figure|/figcaption|/pre|/table|hr|/dt|/dd"
    r"|/ul|/ol)\b[^>]*>",
    re.I,
)
_DROP = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.I | re.S)
#: whether _DROP has work; ASCII-only case folding, as ``str.lower`` never makes these letters
_DROP_HINT = re.compile(r"<(?:script|style|template)", re.I | re.A)
_TAG = re.compile(r"<[^>]*>")
# runs of two or more blanks, or one blank that is not a plain space
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]{2,}|[\t\r\f\v\u00a0]")


def html_to_text(html: str | None) -> str:
    """Plain text of HTML: block ends become line breaks, entities decoded, spaces collapsed."""
    if not html:
        return ""
    text = html
    if _DROP_HINT.search(text):  # one scan, not a lower-cased copy and three more
        text = _DROP.sub(" ", text)
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub("", text)
    if "&" in text:
        text = html_lib.unescape(text)
    if "  " in text or "\t" in text or "\r" in text or "\xa0" in text or "\f" in text \
            or "\v" in text:
        text = _SPACES.sub(" ", text)  # the regex is slow, so only when there is work
    return "\n".join([line for line in map(str.strip, text.split("\n")) if line])
