"""The API's and pages' query parameters: any value gives a clear answer, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tidings.config import Settings
from tidings.models import Source
from tidings.store import Store
from tidings.store.schema import articles
from tidings.web.app import create_app

from .conftest import FUZZ, tried
from .strategies import HOSTILE_TEXT

PATHS = ["/api/articles", "/api/search", "/api/stories", "/api/latest", "/api/sources",
         "/search", "/", "/feed.xml", "/feed.json"]
ID_PATHS = ["/api/articles/{}", "/api/stories/{}", "/articles/{}", "/stories/{}", "/sources/{}"]
NAMES = st.sampled_from(["limit", "offset", "q", "source", "lang", "since", "until", "page",
                         "format", "x"])
VALUES = st.one_of(
    st.integers(-2**70, 2**70).map(str), st.floats().map(str), st.text(max_size=80),
    HOSTILE_TEXT, st.sampled_from(["", " ", "1e3", "0x10", "١٢", "NaN", "-0", "20 ", "+5",
                                   "2026-02-15", "2026-02-30T25:00", "%", "\x00"]))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from tidings.store import open_store

    home = tmp_path_factory.mktemp("fuzz-home")
    settings = Settings.from_dict({"home": str(home), "secret_key": "k" * 40})
    store: Store = open_store(f"sqlite:///{home / 'fuzz.db'}")
    now = datetime.now(UTC)
    sid = store.sources.add(Source(None, "Src"), now).id
    with store.db.write() as conn:
        for i in range(5):
            conn.execute(articles.insert().values(
                source_id=sid, entry_key=f"k{i}", title=f"Title {i} <b>x</b>",
                published_at=now - timedelta(hours=i), fetched_at=now,
                content_text="searchable words here", content_html="<p>body</p>"))
    store.search_index.run()  # the index stage, as the worker runs it after storing
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as c:
        yield c
    store.close()


def _check(response, path: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, (path, response.status_code, response.text[:200])
    if response.status_code >= 400 and path.startswith("/api"):
        body = response.json()
        assert set(body) == {"error"} and body["error"]["status"] == response.status_code
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]


@FUZZ
@given(path=st.sampled_from(PATHS),
       query=st.lists(st.tuples(NAMES, VALUES), max_size=4))
def test_query_parameters_never_cause_a_500(client: TestClient, path: str,
                                            query: list[tuple[str, str]]) -> None:
    tried("api query")
    qs = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query)
    _check(client.get(f"{path}?{qs}" if qs else path), path)


@FUZZ
@given(template=st.sampled_from(ID_PATHS),
       ident=st.one_of(st.integers(-2**70, 2**70).map(str), st.text(min_size=1, max_size=30),
                       HOSTILE_TEXT))
def test_ids_never_cause_a_500(client: TestClient, template: str, ident: str) -> None:
    tried("api ids")
    path = template.format(quote(ident, safe=""))
    _check(client.get(path), path)


def test_limits_follow_the_contract(client: TestClient) -> None:
    assert client.get("/api/articles?limit=100").status_code == 200
    assert client.get("/api/articles?limit=100000").status_code == 400
    assert client.get("/api/articles?limit=-1").status_code in (400, 422)
    assert client.get("/api/articles?offset=abc").status_code in (400, 422)
