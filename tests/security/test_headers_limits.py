"""Security headers on every response, and the overload, size, URL and time limits."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from tidings.config import Settings
from tidings.store import Store
from tidings.web import security
from tidings.web.app import create_app

REQUIRED = ("content-security-policy", "x-content-type-options", "referrer-policy",
            "x-frame-options", "permissions-policy")


def assert_secure(response: httpx2.Response) -> None:
    for name in REQUIRED:
        assert name in response.headers, f"{name} missing on {response.request.url} " \
                                         f"({response.status_code})"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.fixture
def app_client(sec_settings: Settings, accounts: Store) -> Iterator[TestClient]:
    app = create_app(sec_settings, accounts)

    async def boom(request: Request) -> Response:
        raise RuntimeError("a bug")

    app.router.routes.append(Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/", 200), ("GET", "/healthz", 200), ("GET", "/login", 200),
    ("GET", "/admin", 303), ("GET", "/api/articles", 200), ("GET", "/api/articles/99999", 404),
    ("GET", "/api/articles?limit=abc", 400), ("GET", "/no/such/page", 404),
    ("GET", "/static/site.css", 200), ("GET", "/static/nothing.css", 404),
    ("GET", "/feed.xml", 200), ("DELETE", "/login", 405), ("POST", "/login", 403),
    ("GET", "/boom", 500), ("GET", "/api/stories/abc", 400),
])
def test_headers_on_every_response(app_client: TestClient, method: str, path: str,
                                   status: int) -> None:
    response = app_client.request(method, path, follow_redirects=False)
    assert response.status_code == status
    assert_secure(response)


def test_error_page_shows_no_traceback(app_client: TestClient) -> None:
    response = app_client.get("/boom")
    assert "Traceback" not in response.text and "a bug" not in response.text


def test_csp_allows_only_own_images_behind_the_proxy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plain = security.content_security_policy(Settings.from_dict({"home": str(tmp_path)}))
    proxied = security.content_security_policy(
        Settings.from_dict({"home": str(tmp_path), "image_proxy": True}))
    assert "img-src 'self' data: https:" in plain
    assert "https:" not in proxied


def test_oversized_body_is_refused(app_client: TestClient) -> None:
    big = b"username=" + b"a" * (security.MAX_REQUEST_BYTES + 10)
    response = app_client.post("/login", content=big,
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert_secure(response)


def test_oversized_chunked_body_is_refused(app_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"username="
        for _ in range(40):
            yield b"a" * 65536

    response = app_client.post("/login", content=chunks(),
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_oversized_api_body_answers_json(app_client: TestClient) -> None:
    response = app_client.post("/api/articles", content=b"x" * (security.MAX_REQUEST_BYTES + 1))
    assert response.status_code == 413
    assert response.json() == {"error": {"status": 413, "message": "Request body too large."}}


def test_over_long_url_is_refused(app_client: TestClient) -> None:
    response = app_client.get("/search", params={"q": "x" * (security.MAX_URL_BYTES + 1)})
    assert response.status_code == 414
    assert_secure(response)


@pytest.mark.parametrize("body,kind", [
    (b"--xx\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb", "multipart/form-data"),
    (b"\xff\xfe\x00garbage=%%%", "application/x-www-form-urlencoded"),
    (b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\nx\r\n--b--\r\n",
     "multipart/form-data; boundary=b"),
])
def test_malformed_forms_are_4xx(app_client: TestClient, body: bytes, kind: str) -> None:
    response = app_client.post("/login", content=body, headers={"content-type": kind})
    assert 400 <= response.status_code < 500


# -- the guard alone, around a slow application --------------------------------------------

def _slow_app(delay: float) -> Starlette:
    async def slow(request: Request) -> Response:
        await asyncio.sleep(delay)
        return PlainTextResponse("done")

    return Starlette(routes=[Route("/", slow)])


def test_overload_answers_503_with_retry_after(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_dict({"home": str(tmp_path), "max_concurrent_requests": 4})
    app = _slow_app(1.0)  # long enough that all 20 arrive while 4 are still running
    security.install(app, settings, queue_wait=0.0)

    async def burst() -> list[httpx2.Response]:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
            return list(await asyncio.gather(*(client.get("/") for _ in range(20))))

    responses = asyncio.run(burst())
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 4 and codes.count(503) == 16
    for r in responses:
        assert_secure(r)
        if r.status_code == 503:
            assert int(r.headers["retry-after"]) > 0

    async def after() -> int:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
            return (await client.get("/")).status_code

    assert asyncio.run(after()) == 200  # slots were given back


def test_huge_headers_are_refused(app_client: TestClient) -> None:
    response = app_client.get("/", headers={"x-big": "a" * (security.MAX_HEADER_BYTES + 1)})
    assert response.status_code == 431
    assert_secure(response)


def test_short_bursts_wait_for_a_slot_instead_of_failing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_dict({"home": str(tmp_path), "max_concurrent_requests": 2})
    app = _slow_app(0.05)
    security.install(app, settings, queue_wait=2.0)

    async def burst() -> list[int]:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
            return [r.status_code for r in await asyncio.gather(*(client.get("/")
                                                                  for _ in range(4)))]

    assert asyncio.run(burst()) == [200] * 4


def test_slow_requests_are_cut_off(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_dict({"home": str(tmp_path)})
    app = _slow_app(5.0)
    security.install(app, settings, request_timeout=0.2)
    with TestClient(app) as client:
        response = client.get("/")
    assert response.status_code == 503 and "retry-after" in response.headers


def test_malformed_content_length_is_400(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_dict({"home": str(tmp_path)})
    guard = security.SecurityMiddleware(_slow_app(0), settings)
    sent: list[dict] = []  # type: ignore[type-arg]

    async def receive() -> dict:  # type: ignore[type-arg]
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:  # type: ignore[type-arg]
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "raw_path": b"/",
             "query_string": b"", "headers": [(b"content-length", b"12abc")]}
    asyncio.run(guard(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 400


# -- a real server on loopback: malformed HTTP never reaches a handler ------------------------

@pytest.fixture
def live_server(sec_settings: Settings, accounts: Store,
                serve_app: Callable[[ASGIApp], int]) -> int:
    return serve_app(create_app(sec_settings, accounts))


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(data)
        chunks = []
        while True:
            try:
                chunk = conn.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


@pytest.mark.parametrize("data", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
])
def test_malformed_http_gets_4xx_from_a_real_server(live_server: int, data: bytes) -> None:
    answer = _raw(live_server, data)
    if answer:  # the server may also just close the connection
        status = int(answer.split(b" ", 2)[1])
        assert 400 <= status < 500, answer[:200]
    # and it still serves afterwards
    assert httpx2.get(f"http://127.0.0.1:{live_server}/healthz").status_code == 200
