"""Images inside an article body, sent through the image proxy when it is on.

The lead image alone is not enough: an ``<img>`` in ``content_html`` that still points at the
publisher lets the publisher see the reader, and the ``img-src 'self'`` CSP blocks it anyway.
Every ``<img src>`` becomes the signed proxy path (the same ``SiteData.image_url`` as lead
images); ``srcset`` is dropped (its candidates would each need signing, one picture is
enough), and the ``<source>`` tags of a ``<picture>`` go too, so the browser falls back to the
proxied ``<img>``. The caller sanitizes the result again, last.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable

import lxml.etree
import lxml.html

_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True)


def proxy_body_images(html: str, to_proxy: Callable[[str], str | None]) -> str:
    """``html`` with every image source replaced by ``to_proxy(src)``; a source it cannot
    proxy (None) is removed. Text without ``<img`` is returned as is (no parse)."""
    if "<img" not in html.lower():
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div", parser=_PARSER)
    changed = False
    for source in list(root.iter("source")):
        parent = source.getparent()
        if parent is not None and parent.tag == "picture":
            source.drop_tag()  # keeps what libxml2 nested in it (it does not know <source> is void)
            changed = True
    for img in root.iter("img"):
        if img.attrib.pop("srcset", None) is not None:
            changed = True
        src = img.get("src")
        if src is None:
            continue
        proxied = to_proxy(src.strip())
        if proxied is None:
            del img.attrib["src"]
        else:
            img.set("src", proxied)
        changed = True
    if not changed:
        return html
    inner = [html_lib.escape(root.text or "", quote=False)]  # .text is unescaped
    inner.extend(lxml.etree.tostring(child, encoding="unicode", method="html")
                 for child in root)
    return "".join(inner)
