"""The HTML pages: each declared view with a ``page_path``, rendered with Jinja2 and cached."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.errors import BadParam, NotFoundError
from tidings.web import describe, params
from tidings.web.site import Site
from tidings.web.views import VIEWS, View

HTML = "text/html; charset=utf-8"


def base_url(site: Site, request: Request) -> str:
    """The site's address for canonical URLs: ``TIDINGS_PUBLIC_URL``, else the address this
    request reached (pages are cached per host)."""
    return site.settings.public_base or str(request.base_url).rstrip("/")


def error_page(site: Site, request: Request, status: int, message: str,
               headers: Mapping[str, str] | None = None) -> Response:
    meta = describe.error(status, message, base_url(site, request), request.url.path)
    body = site.render("error.html", request, status=status, message=message, meta=meta)
    return HTMLResponse(body, status_code=status,
                        headers={"cache-control": "no-store", **(headers or {})})


def page_handler(site: Site, view: View) -> Callable[[Request], Awaitable[Response]]:
    """The page of ``view``: its parameters (a missing required one shows the empty page),
    its data, its view model rendered into its template. An article page counts a read."""
    assert view.template is not None and view.page is not None
    template, model, describer = view.template, view.page, view.describe
    tz = site.settings.tz
    counts_reads = view.name == "article"

    async def handler(request: Request) -> Response:
        try:
            args = params.parse(view.params, request, tz, strict=False)
        except NotFoundError as exc:
            return error_page(site, request, 404, str(exc))
        except BadParam as exc:
            return error_page(site, request, 400, str(exc))

        def render(now: datetime) -> tuple[bytes, str]:
            found = view.data(site.data, args, now)
            context = model(site, request, args, found, now).context()
            if describer is not None:
                context["meta"] = describer(found, args, base_url(site, request), site.gettext)
            return site.render(template, request, **context), HTML

        try:
            response, _ = await site.cache.serve(request, render)
        except NotFoundError as exc:
            return error_page(site, request, 404, str(exc))
        if counts_reads and request.method == "GET" and response.status_code in (200, 304):
            client = request.client.host if request.client else ""
            site.reads.note(args["article_id"], client, request.headers.get("user-agent"))
        return response

    return handler


def routes(site: Site) -> list[BaseRoute]:
    return [Route(view.page_path, page_handler(site, view), methods=["GET", "HEAD"])
            for view in VIEWS if view.page_path is not None]
