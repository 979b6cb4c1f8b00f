"""The reader's own pages: ``/reader`` (lists and articles), its actions, and ``/settings``."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from tidings.web.reader.actions import ReaderActions
from tidings.web.reader.pages import ReaderPages
from tidings.web.reader.settings import SettingsPages
from tidings.web.sessions import Gate
from tidings.web.site import Site


def routes(gate: Gate, site: Site) -> list[BaseRoute]:
    pages, actions, settings = (ReaderPages(gate, site), ReaderActions(gate, site),
                                SettingsPages(gate, site))
    read, post = ["GET", "HEAD"], ["POST"]
    return [
        Route("/reader", pages.index, methods=read),
        Route("/reader/articles/{article_id:int}", pages.article, methods=read),
        Route("/reader/state", actions.state, methods=post),
        Route("/reader/mark-all-read", actions.mark_all_read, methods=post),
        Route("/reader/undo", actions.undo, methods=post),
        Route("/settings", settings.show, methods=read),
        Route("/settings/{action}", settings.act, methods=post),
    ]
