"""What every handler needs, built once per application: data, cache, read counter, templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request

from tidings import __version__
from tidings.config import Settings
from tidings.store import Store
from tidings.web.cache import PageCache
from tidings.web.data import SiteData
from tidings.web.i18n import format_count, translator
from tidings.web.reads import ReadCounter

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


class Site:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.data = SiteData(settings, store)
        self.cache = PageCache(store.meta, ttl=settings.page_cache_seconds, tz=settings.tz)
        self.data.memo = self.cache.memo
        self.reads = ReadCounter(store.reads, store.meta, settings.tz,
                                 flush_seconds=settings.read_flush_seconds)
        self.gettext = translator(settings.locale)
        self.jinja = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(["html", "xml"]),
            trim_blocks=True, lstrip_blocks=True,
        )
        self.jinja.globals.update(_=self.gettext, lang=self.data.locale, version=__version__)
        self.jinja.filters["count"] = lambda n: format_count(int(n or 0), self.data.locale)

    def latest_html(self, now: datetime, limit: int = 20) -> Markup:
        """The latest list beside articles and stories, rendered once and shared by every
        page that shows it (it is the same on all of them until content or the day changes)."""
        def build() -> Markup:
            macro = self.jinja.get_template("_lists.html").module.latest_list  # type: ignore[attr-defined]
            return Markup(macro(self.data.latest_box(now, limit), self.gettext("Latest")))

        html: Markup = self.data.memo(f"latest_html:{limit}", now, build)
        return html

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """Use another clock for labels, caches and reads (tests; replays of a saved page)."""
        self.cache.clock = clock
        self.reads.clock = clock
        self.cache.clear()

    def render(self, name: str, request: Request | None = None, **context: Any) -> bytes:
        template = self.jinja.get_template(name)
        query = "" if request is None else request.query_params.get("q", "")
        return template.render(site_query=query, **context).encode()
