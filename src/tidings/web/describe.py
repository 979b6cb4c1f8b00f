"""Each page's :class:`~tidings.web.seo.PageMeta`, from the same data its template shows.

A describer takes the view's data, its parameters, the site's base URL and the translator;
``web/views.py`` names one per page view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from tidings.web import seo
from tidings.web.seo import PageMeta

Gettext = Callable[..., str]
Describer = Callable[[Any, dict[str, Any], str, Gettext], PageMeta]


def front(found: Any, args: dict[str, Any], base: str, _: Gettext) -> PageMeta:
    description = _("Top stories and the latest news from every outlet, gathered by event.")
    stories = found["stories"]
    return PageMeta(title=seo.SITE_NAME, description=description, canonical=base + "/",
                    image=seo.absolute(next((s["image_url"] for s in stories if s["image_url"]),
                                            None), base),
                    json_ld=seo.website(base, description))


def article(found: Any, args: dict[str, Any], base: str, _: Gettext) -> PageMeta:
    a = found["article"]
    canonical = f"{base}/articles/{a['id']}"
    outlet = a["source"]["name"] if a.get("source") else seo.SITE_NAME
    description = seo.shorten(a.get("summary") or a.get("content_text")) or a["title"]
    return PageMeta(title=f"{a['title']} · {outlet}", description=description,
                    canonical=canonical, og_type="article",
                    image=seo.absolute(a.get("image_url"), base),
                    json_ld=seo.news_article(a, canonical, base))


def story(found: Any, args: dict[str, Any], base: str, _: Gettext) -> PageMeta:
    s = found["story"]
    outlets = ", ".join(src["name"] for src in s["sources"][:4])
    first = found.get("first_report") or {}
    lead = seo.shorten(first.get("summary") or first.get("content_text"), 110)
    description = seo.shorten(_("{n} reports from {outlets}.", n=len(found["timeline"]),
                                outlets=outlets) + (" " + lead if lead else ""))
    return PageMeta(title=s["title"], description=description,
                    canonical=f"{base}/stories/{s['id']}",
                    image=seo.absolute(s.get("image_url"), base),
                    json_ld=seo.item_list(s["title"], ((f"/articles/{a['id']}", a["title"])
                                                       for a in found["timeline"]), base))


def source(found: Any, args: dict[str, Any], base: str, _: Gettext) -> PageMeta:
    s = found["source"]
    return PageMeta(title=s["name"], description=_("Latest from {name}", name=s["name"]),
                    canonical=_paged(base, f"/sources/{s['id']}", args),
                    json_ld=seo.item_list(s["name"], ((f"/articles/{i['id']}", i["title"])
                                                      for i in found["items"]), base))


def search(found: Any, args: dict[str, Any], base: str, _: Gettext) -> PageMeta:
    """Search results are not a page to index (endless, and thin): ``noindex``."""
    q = args.get("q") or ""
    title = _("Search results for “{q}”", q=q) if q else _("Search")
    query = f"?{urlencode({'q': q})}" if q else ""
    return PageMeta(title=title, description=title, canonical=f"{base}/search{query}",
                    noindex=True)


def error(status: int, message: str, base: str, path: str) -> PageMeta:
    return PageMeta(title=str(status), description=seo.shorten(message) or str(status),
                    canonical=base + path, noindex=True)


def _paged(base: str, path: str, args: dict[str, Any]) -> str:
    return base + path + (f"?{urlencode({'offset': args['offset']})}" if args.get("offset")
                          else "")


def topics(found: Any, args: dict[str, Any], base: str, _: Gettext) -> PageMeta:
    names = ", ".join(t["name"] for t in found["topics"][:8])
    return PageMeta(title=_("Topics"),
                    description=seo.shorten(_("People, organizations and places in the news")
                                            + (f": {names}" if names else "")),
                    canonical=_paged(base, "/topics", args),
                    json_ld=seo.item_list(_("Topics"), ((t["url"], t["name"])
                                                        for t in found["topics"]), base))


def topic(found: Any, args: dict[str, Any], base: str, _: Gettext) -> PageMeta:
    t = found["topic"]
    latest = "; ".join(s["title"] for s in found["stories"][:3])
    description = seo.shorten(_("{n} stories about {name}", n=t["story_count"], name=t["name"])
                              + (f": {latest}" if latest else ""))
    return PageMeta(title=t["name"], description=description,
                    canonical=_paged(base, t["url"], args),
                    image=seo.absolute(next((s["image_url"] for s in found["stories"]
                                             if s["image_url"]), None), base),
                    json_ld=seo.item_list(t["name"], ((f"/stories/{s['id']}", s["title"])
                                                      for s in found["stories"]), base))


def section(found: Any, args: dict[str, Any], base: str, _: Gettext) -> PageMeta:
    title = _(found["section"].capitalize())
    return PageMeta(title=title, description=_("Latest in {section}", section=title),
                    canonical=_paged(base, f"/sections/{found['section']}", args),
                    json_ld=seo.item_list(title, ((f"/articles/{i['id']}", i["title"])
                                                  for i in found["items"]), base))
