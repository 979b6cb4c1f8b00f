"""RSS 0.9x/2.0 (``<rss>``) and RSS 0.90/1.0 (RDF) documents to :class:`ParsedFeed`."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree

from tidings.models import Entry, ParsedFeed
from tidings.parse.dates import parse_date
from tidings.parse.elements import (
    all_of,
    children,
    fallback_title,
    media_image,
    text_of,
    ttl_seconds,
    websub_links,
)
from tidings.parse.entries import lang, make_entry, plain
from tidings.parse.safexml import (
    NS_CONTENT,
    NS_DC,
    NS_RDF,
    NS_RSS090,
    NS_RSS10,
    XML_BASE,
    XML_LANG,
)


def _rss_item(item: etree._Element, ns: str, base: str | None, feed_lang: str | None,
              has_base: bool) -> Entry:
    f = children(item)
    guid_el = f.get(f"{ns}guid")
    guid = text_of(guid_el) or item.get(f"{{{NS_RDF}}}about") or None
    link = text_of(f.get(f"{ns}link")) or None
    if not link and guid_el is not None and guid_el.get("isPermaLink", "true") != "false" \
            and guid and guid.startswith(("http://", "https://")):
        link = guid
    content = text_of(f.get(f"{{{NS_CONTENT}}}encoded"))
    description = text_of(f.get(f"{ns}description"))
    author = text_of(f.get(f"{{{NS_DC}}}creator")) or text_of(f.get(f"{ns}author"))
    published = parse_date(text_of(f.get(f"{ns}pubDate")) or text_of(f.get(f"{{{NS_DC}}}date")))
    categories = [text_of(c) for c in all_of(f, f"{ns}category") + all_of(f, f"{{{NS_DC}}}subject")]
    title = text_of(f.get(f"{ns}title")) or fallback_title(f)
    if has_base or XML_BASE in item.attrib:  # xml:base here or above, resolved by lxml
        base = item.base or base
    return make_entry(guid=guid, link=link, title=title, author=author,
                      published=published, updated=None, content_html=content,
                      summary_html=description, base=base, image=media_image(f),
                      language=lang(item.get(XML_LANG)) or feed_lang, categories=categories)


def parse_rss(root: etree._Element, url: str | None) -> ParsedFeed:
    """An ``<rss>`` document (0.91, 0.92, 2.0); items found even outside ``<channel>``."""
    ns_uri = etree.QName(root).namespace  # Userland's http://backend.userland.com/rss2
    ns = f"{{{ns_uri}}}" if ns_uri else ""
    channel = root.find(f"{ns}channel")
    if channel is None:
        channel = root
    f = children(channel)
    site = text_of(f.get(f"{ns}link")) or None
    feed_lang = lang(text_of(f.get(f"{ns}language")) or text_of(f.get(f"{{{NS_DC}}}language")))
    items = all_of(f, f"{ns}item") or channel.findall(f".//{ns}item") or root.findall(f"{ns}item")
    base = url or site
    has_base = XML_BASE in root.attrib or XML_BASE in channel.attrib
    entries = [_rss_item(item, ns, base, feed_lang, has_base) for item in items]
    version = root.get("version", "2.0").strip()
    fmt = "rss20" if version.startswith("2") else "rss" + version.replace(".", "")
    hubs, self_url = websub_links(f, url)
    return ParsedFeed(title=plain(text_of(f.get(f"{ns}title"))) or None,
                      site_url=urljoin(url, site) if url and site else site, language=feed_lang,
                      entries=entries, ttl_seconds=ttl_seconds(f, ns), format=fmt, hubs=hubs,
                      self_url=self_url)


def parse_rdf(root: etree._Element, url: str | None) -> ParsedFeed:
    """An ``<rdf:RDF>`` document: RSS 1.0, or Netscape's RSS 0.90."""
    ns_uri = NS_RSS10 if root.find(f"{{{NS_RSS10}}}channel") is not None \
        or root.find(f"{{{NS_RSS10}}}item") is not None else NS_RSS090
    ns = f"{{{ns_uri}}}"
    channel = root.find(f"{ns}channel")
    f = children(channel) if channel is not None else {}
    site = text_of(f.get(f"{ns}link")) or None
    feed_lang = lang(text_of(f.get(f"{{{NS_DC}}}language")))
    base = url or site
    has_base = XML_BASE in root.attrib or (channel is not None and XML_BASE in channel.attrib)
    entries = [_rss_item(item, ns, base, feed_lang, has_base) for item in root.iter(f"{ns}item")]
    hubs, self_url = websub_links(f, url)
    return ParsedFeed(title=plain(text_of(f.get(f"{ns}title"))) or None, site_url=site,
                      language=feed_lang, entries=entries, ttl_seconds=ttl_seconds(f),
                      format="rss10" if ns_uri == NS_RSS10 else "rss090", hubs=hubs,
                      self_url=self_url)
