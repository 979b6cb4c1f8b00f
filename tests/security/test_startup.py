"""The app refuses to start without its security layer, and every route answers with it."""

from __future__ import annotations

import importlib
import sys

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

import tidings.web
from tidings.config import Settings
from tidings.store import Store
from tidings.web import security
from tidings.web.app import create_app

from .test_headers_limits import assert_secure


def test_create_app_raises_when_security_cannot_be_installed(
        monkeypatch: pytest.MonkeyPatch, sec_settings: Settings, accounts: Store) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("security layer broken")

    monkeypatch.setattr(security, "install", broken)
    with pytest.raises(RuntimeError, match="security layer broken"):
        create_app(sec_settings, accounts)


@pytest.mark.parametrize("module", ["security", "admin"])
def test_a_broken_module_stops_the_app_at_import(monkeypatch: pytest.MonkeyPatch,
                                                 module: str) -> None:
    # None in sys.modules makes the import fail, as a missing or broken module would
    monkeypatch.setitem(sys.modules, f"tidings.web.{module}", None)
    monkeypatch.delattr(tidings.web, module)
    monkeypatch.delitem(sys.modules, "tidings.web.app")
    with pytest.raises(ImportError):
        importlib.import_module("tidings.web.app")


def _sample_path(route: Route) -> str:
    path = route.path
    for name in route.param_convertors:
        path = path.replace(f"{{{name}:int}}", "1").replace(f"{{{name}:path}}", "x")
        path = path.replace(f"{{{name}}}", "x")
    return path


def test_every_route_answers_with_the_security_headers(sec_settings: Settings,
                                                       accounts: Store) -> None:
    app = create_app(sec_settings, accounts)
    paths = {"/static/site.css"}
    for route in app.routes:
        if isinstance(route, Route):
            paths.add(_sample_path(route))
        else:
            assert isinstance(route, Mount)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in sorted(paths):
            # the event stream never ends a GET (tests/web/test_events.py reads its headers)
            for _ in range(0 if path == security.EVENTS_PATH else 2):
                # the second GET of a cacheable page is a fast-path hit
                assert_secure(client.get(path, follow_redirects=False))
            assert_secure(client.head(path, follow_redirects=False))
            assert_secure(client.put(path, follow_redirects=False))
