"""XML safety: the only way this package turns bytes into an lxml tree.

Entity expansion, DTD loading and network access are off and ``huge_tree`` stays off (lxml's
depth and text-size limits apply), so a "billion laughs" or an external-entity document stays
small and local. HTML entity names that feeds use without declaring them (``&nbsp;``) are
rewritten as numeric references rather than expanded through a DTD.
"""

from __future__ import annotations

import html.entities as html_entities
import re

from lxml import etree

from tidings.errors import ParseError

NS_ATOM = "http://www.w3.org/2005/Atom"
NS_ATOM03 = "http://purl.org/atom/ns#"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_RSS10 = "http://purl.org/rss/1.0/"
NS_RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
NS_CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_SY = "http://purl.org/rss/1.0/modules/syndication/"
NS_MEDIA = "http://search.yahoo.com/mrss/"
NS_XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

#: byte-order marks of UTF-8, UTF-16 LE and UTF-16 BE
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _xml_parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, recover=recover, remove_comments=True,
                           remove_pis=True, strip_cdata=True)


_STRICT = _xml_parser(False)
_RECOVER = _xml_parser(True)

_HTML_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def html_entities_to_numeric(data: bytes) -> bytes:
    """``&nbsp;`` and friends (undeclared in XML, common in feeds) as numeric references."""

    def repl(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        code = html_entities.name2codepoint.get(name.decode("ascii"))
        return b"&#%d;" % code if code is not None else match.group(0)

    return _HTML_ENTITY.sub(repl, data)


def xml_root(data: bytes, url: str | None) -> tuple[etree._Element | None, bool]:
    """The document's root element, and whether it was well-formed.

    Strict parsing first, then lxml's recovery mode; (None, False) when neither finds a root.
    ParseError for hostile nesting, which no later fallback should spend time on.
    """
    numeric = b"<!DOCTYPE" in data[:4096] and b"&" in data
    if numeric:
        # with a DOCTYPE, lxml (DTD not loaded) silently drops undeclared entities such as
        # an RSS 0.91 feed's &eacute; instead of failing, so spell them as numbers up front
        data = html_entities_to_numeric(data)
    for parser, well_formed in ((_STRICT, True), (_RECOVER, False)):
        try:
            root = etree.fromstring(data, parser, base_url=url)
        except etree.XMLSyntaxError as exc:
            if well_formed and not numeric and "not defined" in str(exc) \
                    and not data.startswith(BOMS[1:]):
                # HTML entity names in an XML feed: spell them as numbers and try again
                # (not when done above already: the rewrite would find nothing left)
                fixed = html_entities_to_numeric(data)
                if fixed != data:
                    return xml_root(fixed, url)
            if "Excessive depth" in str(exc):
                # hostile nesting: the lenient fallback would spend seconds per megabyte on it
                # (found by tests/security/test_bombs.py)
                raise ParseError("not a feed: elements nested too deeply") from None
            continue
        except ValueError:  # e.g. an encoding lxml does not know
            return None, False
        if root is not None:
            return root, well_formed
    return None, False


def root_kind(root: etree._Element) -> str | None:
    """"rss", "rdf", "atom", "html", or None for anything else (a sitemap, say)."""
    tag = root.tag if isinstance(root.tag, str) else ""
    try:
        local = etree.QName(root).localname.lower() if tag else ""
        ns = etree.QName(root).namespace if tag else None
    except ValueError:  # a recovered tag such as ":" (found by tests/fuzz)
        return None
    if local == "rss":
        return "rss"
    if local == "rdf" and ns == NS_RDF:
        return "rdf"
    if local == "feed" and ns in (NS_ATOM, NS_ATOM03, None):
        return "atom"
    if local in ("html", "body", "head"):
        return "html"
    return None
