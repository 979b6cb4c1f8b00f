"""Every view declared once: its parameters, its data function and its template (Datasette's
rule: one dict, two renderings).

``api.routes`` mounts each view that has an ``api_path`` as JSON, ``pages.routes`` each view
that has a ``page_path`` as HTML, and ``openapi.spec`` describes the API from the same
declarations, so a page, its ``/api/…`` twin and the spec take the same parameters with the
same limits. A page gets a small view model (a dataclass) whose fields are its template's
context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from tidings.parse.sections import SECTIONS
from tidings.web import describe, params, topicdata
from tidings.web.data import SiteData
from tidings.web.describe import Describer
from tidings.web.params import Param
from tidings.web.site import Site

Args = dict[str, Any]


# -- view models -----------------------------------------------------------------------------

class PageModel:
    """A page's template context, as typed fields."""

    def context(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class FrontPage(PageModel):
    page: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ArticlePage(PageModel):
    page: dict[str, Any]
    latest_html: Markup


@dataclass(frozen=True, slots=True)
class StoryPage(PageModel):
    page: dict[str, Any]
    latest_html: Markup


@dataclass(frozen=True, slots=True)
class ListPage(PageModel):
    """A paged list: an outlet's articles, topics, a topic's stories, a section's articles."""

    page: dict[str, Any]
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class SearchFilters:
    source: int | None
    language: str
    since: str
    until: str


@dataclass(frozen=True, slots=True)
class SearchPage(PageModel):
    page: dict[str, Any]
    q: str
    sources: list[dict[str, Any]]
    filters: SearchFilters
    limit: int
    offset: int


# -- the declaration -------------------------------------------------------------------------

DataFunction = Callable[[SiteData, Args, datetime], Any]
PageFunction = Callable[[Site, Request, Args, Any, datetime], PageModel]


@dataclass(frozen=True, slots=True)
class View:
    name: str
    summary: str
    params: tuple[Param, ...]
    #: the one data function: JSON-ready dicts for the API and the page alike
    data: DataFunction
    api_path: str | None = None
    #: the share of the data the API answers with (the whole of it by default)
    api: Callable[[Any], Any] = lambda found: found
    #: OpenAPI schema of the API's answer
    schema: dict[str, Any] | None = None
    page_path: str | None = None
    template: str | None = None
    page: PageFunction | None = None
    #: what machines read about the page (description, canonical URL, JSON-LD)
    describe: Describer | None = None


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def list_of(key: str, item: str) -> dict[str, Any]:
    return {"type": "object", "required": [key, "total"],
            "properties": {key: {"type": "array", "items": ref(item)},
                           "total": {"type": "integer"}}}


def _search(d: SiteData, a: Args, now: datetime) -> dict[str, Any]:
    if not a["q"]:  # the page's empty form (the API requires q)
        return {"articles": [], "total": 0, "query": ""}
    return d.search(now, a["q"], limit=a["limit"], offset=a["offset"], source_id=a["source"],
                    language=a["language"], since=a["since"], until=a["until"])


def _search_page(site: Site, request: Request, a: Args, found: Any, now: datetime
                 ) -> SearchPage:
    query = request.query_params
    return SearchPage(page=found, q=a["q"] or "", sources=site.data.sources()["sources"],
                      filters=SearchFilters(source=a["source"], language=a["language"] or "",
                                            since=query.get("since", ""),
                                            until=query.get("until", "")),
                      limit=a["limit"], offset=a["offset"])


def _list_page(site: Site, request: Request, a: Args, found: Any, now: datetime) -> ListPage:
    return ListPage(found, a["limit"], a["offset"])


#: topics named on the front page
FRONT_TOPICS = 12

VIEWS: tuple[View, ...] = (
    View("front", "The front page", (),
         lambda d, a, now: d.front_page(now) | {
             "sections": topicdata.sections(d, now),
             "topics": topicdata.topics(d, now, limit=FRONT_TOPICS, offset=0)["topics"]},
         page_path="/", template="front.html",
         page=lambda site, r, a, found, now: FrontPage(found), describe=describe.front),
    View("latest", "Every article, newest first, with its time label",
         (*params.PAGING, params.SOURCE),
         lambda d, a, now: d.latest(now, limit=a["limit"], offset=a["offset"],
                                    source_id=a["source"]),
         api_path="/api/latest", schema=list_of("items", "LatestItem")),
    View("articles", "Articles, newest first (or by relevance with q)",
         (*params.PAGING, params.Q, params.SOURCE),
         lambda d, a, now: d.articles(now, limit=a["limit"], offset=a["offset"], q=a["q"],
                                      source_id=a["source"]),
         api_path="/api/articles", schema=list_of("articles", "Article")),
    View("article", "One article", (params.ident("article_id"),),
         lambda d, a, now: d.article(a["article_id"], now),
         api_path="/api/articles/{article_id:int}", api=lambda found: found["article"],
         schema=ref("Article"),
         page_path="/articles/{article_id:int}", template="article.html",
         page=lambda site, r, a, found, now: ArticlePage(found, site.latest_html(now)),
         describe=describe.article),
    View("stories", "Stories by score", params.PAGING,
         lambda d, a, now: d.stories(now, limit=a["limit"], offset=a["offset"]),
         api_path="/api/stories", schema=list_of("stories", "Story")),
    View("story", "One story (a merged story's id answers with the surviving story)",
         (params.ident("story_id"), params.REPORT_LANGUAGE),
         lambda d, a, now: d.story(a["story_id"], now, a["language"]),
         api_path="/api/stories/{story_id:int}", api=lambda found: found["story"],
         schema=ref("Story"),
         page_path="/stories/{story_id:int}", template="story.html",
         page=lambda site, r, a, found, now: StoryPage(found, site.latest_html(now, 10)),
         describe=describe.story),
    View("search", "Full-text search, by relevance", params.SEARCH, _search,
         api_path="/api/search", schema=list_of("articles", "Article"),
         page_path="/search", template="search.html", page=_search_page,
         describe=describe.search),
    View("sources", "Outlets", (), lambda d, a, now: d.sources(),
         api_path="/api/sources", schema=list_of("sources", "Source")),
    View("source", "One outlet, its feeds' health and recent articles",
         (params.ident("source_id"), *params.PAGING),
         lambda d, a, now: d.source(a["source_id"], now, limit=a["limit"], offset=a["offset"]),
         api_path="/api/sources/{source_id:int}", schema={"type": "object"},
         page_path="/sources/{source_id:int}", template="source.html",
         page=_list_page,
         describe=describe.source),
    View("topics", "Topics: names of people, organizations and places that recur across "
         "stories, most stories first", params.PAGING,
         lambda d, a, now: topicdata.topics(d, now, limit=a["limit"], offset=a["offset"]),
         api_path="/api/topics", schema=list_of("topics", "Topic"),
         page_path="/topics", template="topics.html", page=_list_page,
         describe=describe.topics),
    View("topic", "One topic and its stories, the newest report first",
         (params.segment("slug"), *params.PAGING),
         lambda d, a, now: topicdata.topic(d, a["slug"], now, limit=a["limit"],
                                           offset=a["offset"]),
         api_path="/api/topics/{slug}", schema=ref("TopicStories"),
         page_path="/topics/{slug}", template="topic.html", page=_list_page,
         describe=describe.topic),
    View("section", "A section's articles, newest first (sections: "
         + ", ".join(SECTIONS) + ")", (params.segment("name", SECTIONS), *params.PAGING),
         lambda d, a, now: topicdata.section(d, a["name"], now, limit=a["limit"],
                                             offset=a["offset"]),
         api_path="/api/sections/{name}", schema=ref("SectionItems"),
         page_path="/sections/{name}", template="section.html", page=_list_page,
         describe=describe.section),
    View("most-read", "Most read articles (24 h)", params.SHORT_PAGING,
         lambda d, a, now: d.most_read(now, limit=a["limit"]),
         api_path="/api/most-read", schema=list_of("items", "LatestItem")),
    View("trending", "Trending articles (decayed read velocity)", params.SHORT_PAGING,
         lambda d, a, now: d.trending(now, limit=a["limit"]),
         api_path="/api/trending", schema=list_of("items", "LatestItem")),
)
