"""The HTML pages: the same data functions as the API, rendered with Jinja2 and cached."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.errors import NotFoundError
from tidings.web import params
from tidings.web.site import Site

HTML = "text/html; charset=utf-8"


def error_page(site: Site, request: Request, status: int, message: str) -> Response:
    body = site.render("error.html", request, status=status, message=message)
    return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})


def routes(site: Site) -> list[BaseRoute]:
    data = site.data
    tz = site.settings.tz
    _ = site.gettext

    async def page(request: Request, build: Callable[[datetime], dict[str, Any]], template: str,
                   ) -> tuple[Response, bool]:
        def render(now: datetime) -> tuple[bytes, str]:
            context = build(now)
            return site.render(template, request, **context), HTML

        return await site.cache.serve(request, render)

    async def guarded(request: Request, build: Callable[[datetime], dict[str, Any]],
                      template: str) -> Response:
        try:
            response, _ = await page(request, build, template)
        except NotFoundError as exc:
            return error_page(site, request, 404, str(exc))
        return response

    def path_id(request: Request, name: str) -> int:
        value = int(request.path_params[name])
        if value > params.MAX_ID:
            raise NotFoundError(f"no {name.removesuffix('_id')} with id {value}")
        return value

    async def front(request: Request) -> Response:
        return await guarded(request, lambda now: {"page": data.front_page(now)}, "front.html")

    async def story(request: Request) -> Response:
        try:
            sid = path_id(request, "story_id")
        except NotFoundError as exc:
            return error_page(site, request, 404, str(exc))
        return await guarded(request, lambda now: {
            "page": data.story(sid, now), "latest_html": site.latest_html(now, 10)},
            "story.html")

    async def article(request: Request) -> Response:
        try:
            aid = path_id(request, "article_id")
            response, _ = await page(request, lambda now: {
                "page": data.article(aid, now), "latest_html": site.latest_html(now)},
                "article.html")
        except NotFoundError as exc:
            return error_page(site, request, 404, str(exc))
        if request.method == "GET" and response.status_code in (200, 304):
            client = request.client.host if request.client else ""
            site.reads.note(aid, client, request.headers.get("user-agent"))
        return response

    async def source(request: Request) -> Response:
        try:
            sid = path_id(request, "source_id")
            limit, offset = params.paging(request.query_params, max_limit=100)
        except NotFoundError as exc:
            return error_page(site, request, 404, str(exc))
        except params.BadParam as exc:
            return error_page(site, request, 400, str(exc))
        return await guarded(request, lambda now: {
            "page": data.source(sid, now, limit=limit, offset=offset),
            "limit": limit, "offset": offset}, "source.html")

    async def search(request: Request) -> Response:
        qp = request.query_params
        try:
            limit, offset = params.paging(qp, max_limit=100)
            q = params.text(qp, "q")
            source_id = params.integer(qp, "source", None, low=1)
            lang = params.language(qp)
            since, until = params.when(qp, "since", tz), params.when(qp, "until", tz, end=True)
        except params.BadParam as exc:
            return error_page(site, request, 400, str(exc))

        def build(now: datetime) -> dict[str, Any]:
            results = (data.search(now, q, limit=limit, offset=offset, source_id=source_id,
                                   language=lang, since=since, until=until)
                       if q else {"articles": [], "total": 0, "query": ""})
            return {"page": results, "q": q or "", "sources": data.sources()["sources"],
                    "filters": {"source": source_id, "language": lang or "",
                                "since": qp.get("since", ""), "until": qp.get("until", "")},
                    "limit": limit, "offset": offset}

        return await guarded(request, build, "search.html")

    def get(path: str, endpoint: Callable[[Request], Any]) -> Route:
        return Route(path, endpoint, methods=["GET", "HEAD"])

    return [
        get("/", front),
        get("/stories/{story_id:int}", story),
        get("/articles/{article_id:int}", article),
        get("/sources/{source_id:int}", source),
        get("/search", search),
    ]
