"""One article page in, one typed result out: trafilatura wrapped so nothing escapes as None.

Bad input (binary, broken encodings, enormous or script-only pages) gives a result whose
``error`` is one line; the caller keeps what it had. trafilatura's process-wide caches are
reset every ``CACHE_RESET_EVERY`` calls so a long-running server does not grow without end.
"""

from __future__ import annotations

import codecs
import html as html_lib
import logging
import re
import threading
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import lxml.etree
import lxml.html
from lxml.etree import SubElement
from lxml.html import HtmlElement

from tidings.errors import one_line
from tidings.extract.attribution import agency_in_byline, credit_prefix, detect_attribution
from tidings.extract.cleanup import clean_body, continuation_paragraphs
from tidings.extract.language import choose_language, declared_language
from tidings.extract.metadata import PageMetadata, extract_metadata

log = logging.getLogger(__name__)

MAX_HTML_BYTES = 8 * 1024 * 1024
CACHE_RESET_EVERY = 500
SHORT_TEXT_CHARS = 500  # below this the precise pass may have missed the article: try harder
CONTINUATIONS = True  # append the rest of an article split into sibling chunks
FALLBACK_RATIO = 3  # ...and take the balanced pass only when it gives this many times more

_BINARY_MAGIC = (
    (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"), (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"), (b"RIFF", "a RIFF media file"),
    (b"OggS", "an Ogg media file"), (b"ID3", "an MP3 file"), (b"\x00\x00\x00", "binary data"),
    (b"wOFF", "a web font"), (b"\x7fELF", "an executable"),
)
_MARKUP = re.compile(r"<\s*(?:html|head|body|div|p|article|main|section|span|a|h[1-6]|meta|title|"
                     r"!doctype|table|br|img|ul|li)\b", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_DEBRIS = [
    (re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"), ""),  # empty or stray markdown images
    (re.compile(r"[ \t]*\|[ \t]*$", re.MULTILINE), ""),  # trailing table bars
    (re.compile(r"[ \t]+\n"), "\n"),
    (re.compile(r"\n{3,}"), "\n\n"),
]

# elements no extractor keeps text from (trafilatura drops them later anyway): removed before
# extraction so every pass walks a smaller tree
PRESTRIP_TAGS: tuple[str, ...] = (
    "head", "script", "style", "svg", "noscript", "template", "nav", "footer", "aside", "menu",
    "iframe", "embed", "object", "video", "audio", "canvas", "button", "input", "select",
    "textarea", "map", "applet", "fieldset", "dialog",
)
# the parser trafilatura itself uses: no comments or processing instructions in the tree
_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True,
                               remove_pis=True)
_calls = 0
_calls_lock = threading.Lock()


@dataclass(slots=True)
class ExtractResult:
    """What a page gave. ``error`` is one line when there is no usable article."""

    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    image_url: str | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    attribution: str | None = None
    content_text: str | None = None
    content_html: str | None = None
    description: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        return data


def clean_debris(text: str) -> str:
    """Remove layout debris that text dumps and extractors leave: ``![]()``, trailing ``|``."""
    for pattern, repl in _DEBRIS:
        text = pattern.sub(repl, text)
    return text.strip()


def _binary_kind(data: bytes) -> str | None:
    head = data[:16]
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    sample = data[:4096]
    if sample.count(b"\x00") > 8:
        return "binary data"
    return None


def decode_html(data: bytes) -> str:
    """Bytes → text: BOM, then the declared charset, then UTF-8, then charset detection.

    Raises ValueError with a one-line reason when no decoding gives readable text.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    candidates = []
    if declared:
        candidates.append(declared.group(1).decode("ascii", "ignore").lower())
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        text = data.decode(best.encoding, errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") > max(20, len(text) // 100):
        raise ValueError("the page's text encoding is broken")
    return text


def apply_charset(data: bytes, charset: str | None) -> bytes | str:
    """Decode with the charset an HTTP header named, when it works; else leave the bytes be
    (the page's own declaration and detection take over)."""
    if not charset or _binary_kind(data):
        return data
    try:
        return data.decode(charset.strip().strip('"').lower())
    except (LookupError, UnicodeDecodeError):
        return data


def parse_html(html: bytes | str) -> HtmlElement:
    """Parse a page into an lxml tree, refusing what is not an HTML page (ValueError)."""
    if isinstance(html, bytes):
        if len(html) > MAX_HTML_BYTES:
            raise ValueError(f"the page is too large ({len(html) // 1024} KiB, "
                             f"limit {MAX_HTML_BYTES // 1024} KiB)")
        kind = _binary_kind(html)
        if kind:
            raise ValueError(f"not an HTML page: {kind}")
        text = decode_html(html)
    else:
        if len(html) > MAX_HTML_BYTES:
            raise ValueError(f"the page is too large ({len(html) // 1024} K characters)")
        text = html
    if text.count("\x00") > 8:
        raise ValueError("not an HTML page: binary data")
    if text.count("\ufffd") > max(20, len(text) // 100):
        raise ValueError("the page's text encoding is broken")
    text = text.lstrip("\ufeff")
    # lxml refuses str input that carries an XML encoding declaration
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise ValueError("the page is empty")
    if not _MARKUP.search(text[:65536]):
        raise ValueError("not an HTML page: no markup")
    try:
        tree = lxml.html.document_fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ValueError(f"not an HTML page: {exc}") from None
    if tree is None or (tree.find(".//body") is None and len(tree) == 0):
        raise ValueError("not an HTML page")
    return tree


def _visible_text_length(tree: HtmlElement) -> int:
    body = tree.find(".//body")
    if body is None:
        return 0
    total = 0
    for el in body.iter():
        if el.tag in {"script", "style", "noscript", "template"} or not isinstance(el.tag, str):
            continue
        total += len((el.text or "").strip())
        parent = el.getparent()
        if parent is not None and parent.tag not in {"script", "style", "noscript", "template"}:
            total += len((el.tail or "").strip())
    return total


def _maybe_reset_caches() -> None:
    global _calls
    with _calls_lock:
        _calls += 1
        due = _calls % CACHE_RESET_EVERY == 0
    if due:
        reset_caches()


def reset_caches() -> None:
    """Release trafilatura's, htmldate's and courlan's process-wide caches."""
    from trafilatura.meta import reset_caches as trafilatura_reset

    trafilatura_reset()


def _run_trafilatura(tree: HtmlElement, url: str | None, **options: Any) -> Any:
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return trafilatura.bare_extraction(
                tree, url=url, include_comments=False, with_metadata=False, **options)
        except (ValueError, TypeError, AttributeError, lxml.etree.LxmlError) as exc:
            log.debug("trafilatura failed", extra={
                "url": url, "error": f"{type(exc).__name__}: {one_line(exc)}"})
            return None


def extract_body(tree: HtmlElement, url: str | None, title: str | None = None
                 ) -> tuple[str, str] | None:
    """The article body as (text, simplified HTML), or None when there is none."""
    from trafilatura.htmlprocessing import convert_to_html
    from trafilatura.xml import xmltotxt

    doc = _run_trafilatura(tree, url, favor_precision=True)
    text = (doc.text or "") if doc is not None else ""
    if len(text) < SHORT_TEXT_CHARS:
        # the precise pass found little: the balanced pass (with its recall escalation) may
        # find the article where the strict rules pruned it; take it only when it is much more
        second = _run_trafilatura(tree, url)
        if second is not None and len(second.text or "") > FALLBACK_RATIO * max(1, len(text)):
            doc, text = second, second.text or ""
    if doc is None or doc.body is None or not text.strip():
        return None
    changed = clean_body(doc.body, title)
    if CONTINUATIONS:
        for para in continuation_paragraphs(tree, text):
            SubElement(doc.body, "p").text = para
            changed += 1
    if changed:
        text = xmltotxt(doc.body, False)
        if not text.strip():
            return None
    html = lxml.html.tostring(convert_to_html(doc.body), encoding="unicode")
    return clean_debris(text), html


def _prefer_declared_body(body: tuple[str, str] | None, declared: str | None
                          ) -> tuple[str, str] | None:
    """JSON-LD ``articleBody`` as the last link of the chain: only when extraction found
    nothing or very little and the site's own declaration holds much more (script-rendered
    pages). It is not preferred otherwise: on the benchmark it was often a teaser."""
    if not declared:
        return body
    text = clean_debris(declared)
    have = len(body[0]) if body else 0
    if have >= SHORT_TEXT_CHARS or len(text) < max(SHORT_TEXT_CHARS, FALLBACK_RATIO * have):
        return body
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    return "\n".join(paragraphs), "".join(f"<p>{html_lib.escape(p)}</p>" for p in paragraphs)


def extract_article(html: bytes | str, url: str | None = None) -> ExtractResult:
    """Extract the article, its metadata and its credited agency from one page."""
    try:
        tree = parse_html(html)
    except ValueError as exc:
        _maybe_reset_caches()
        return ExtractResult(error=str(exc))
    return extract_from_tree(tree, url)


def extract_from_tree(tree: HtmlElement, url: str | None = None) -> ExtractResult:
    """``extract_article`` on a page already parsed by ``parse_html`` (the tree is changed:
    elements no extractor reads are stripped)."""
    _maybe_reset_caches()
    try:
        meta = extract_metadata(tree, url)
    except Exception as exc:  # a metadata bug must never cost the article itself
        log.warning("metadata extraction failed", extra={
            "url": url, "error": f"{type(exc).__name__}: {one_line(exc)}"})
        meta = PageMetadata(canonical_url=url)
    has_scripts = tree.find(".//script") is not None
    declared = declared_language(tree)  # <meta> declarations go with <head> below
    # metadata is read: drop what no extractor reads, so trafilatura walks a smaller tree
    lxml.etree.strip_elements(tree, *PRESTRIP_TAGS, with_tail=False)
    body = extract_body(tree, url, meta.title)  # trafilatura works on its own copy
    body = _prefer_declared_body(body, meta.article_body)
    result = ExtractResult(
        title=meta.title, author=meta.author, published_at=meta.published_at,
        image_url=meta.image_url, site_name=meta.site_name, canonical_url=meta.canonical_url,
        description=meta.description,
    )
    if body is None:
        if _visible_text_length(tree) == 0:
            result.error = "the page is only scripts" if has_scripts else "the page has no text"
        else:
            result.error = "no article text found on the page"
        result.language = choose_language(declared, meta.description)
        result.attribution = detect_attribution(meta.title, meta.description)
        return result
    result.content_text, result.content_html = body
    if result.title:
        stripped, agency = credit_prefix(result.title)
        result.title = stripped
        result.attribution = agency
    result.attribution = (result.attribution or detect_attribution(meta.title, result.content_text)
                          or agency_in_byline(meta.byline or result.author))
    result.language = choose_language(declared, result.content_text)
    return result
