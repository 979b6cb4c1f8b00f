"""The address guard: forbidden addresses are refused before any connection is made.

Nothing here connects anywhere but 127.0.0.1: private names are answered by a stub resolver,
and requests that would leave the machine go to httpx2.MockTransport.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable

import httpx2
import pytest

from tidings.config import Settings
from tidings.errors import BlockedAddressError, FetchError
from tidings.fetch.http import Fetcher
from tidings.fetch.netguard import AddressGuard, literal_address, refusal_reason

PUBLIC = "93.184.215.14"


def stub_resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> Iterable[str]:
        if host not in table:
            raise FetchError(f"cannot resolve {host}")
        return table[host]
    return resolve


def never_called(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError(f"a request was sent to {request.url}")


@pytest.fixture
def strict(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings.from_dict({"home": str(tmp_path), "allow_private": False})


def fetch(settings: Settings, url: str, *, resolver=None, handler=never_called):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        async with Fetcher(settings, transport=httpx2.MockTransport(handler),
                           resolver=resolver or stub_resolver({})) as fetcher:
            return await fetcher.get(url)
    return asyncio.run(go())


@pytest.mark.parametrize("spelling", [
    "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "[::1]",
    "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "0.0.0.0", "0", "10.1.2.3", "172.16.0.1",
    "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.251", "[fe80::1]", "[fc00::1]",
    "240.0.0.1", "255.255.255.255", "[2002:7f00:1::]", "[64:ff9b::a00:1]",
])
def test_forbidden_literal_spellings_are_refused(strict: Settings, spelling: str) -> None:
    with pytest.raises(BlockedAddressError):
        fetch(strict, f"http://{spelling}:8080/feed")


@pytest.mark.parametrize("answers", [["10.0.0.5"], ["192.168.0.10"], [PUBLIC, "127.0.0.1"],
                                     ["::1"], ["fd12:3456::1"], ["169.254.1.1"]])
def test_names_resolving_to_forbidden_addresses_are_refused(strict: Settings,
                                                            answers: list[str]) -> None:
    resolver = stub_resolver({"intranet.example": answers})
    with pytest.raises(BlockedAddressError) as info:
        fetch(strict, "https://intranet.example/feed", resolver=resolver)
    assert "\n" not in str(info.value)


def test_public_names_are_allowed(strict: Settings) -> None:
    resolver = stub_resolver({"news.example": [PUBLIC]})
    response = fetch(strict, "https://news.example/feed", resolver=resolver,
                     handler=lambda r: httpx2.Response(200, content=b"ok"))
    assert response.content == b"ok"


def test_every_redirect_hop_is_checked(strict: Settings) -> None:
    resolver = stub_resolver({"news.example": [PUBLIC], "internal.example": ["10.9.8.7"]})
    seen: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(str(request.url))
        if request.url.host == "news.example":
            return httpx2.Response(302, headers={"Location": "http://internal.example/admin"})
        raise AssertionError("the private hop must not be requested")

    with pytest.raises(BlockedAddressError):
        fetch(strict, "https://news.example/feed", resolver=resolver, handler=handler)
    assert seen == ["https://news.example/feed"]

    def to_loopback(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(301, headers={"Location": "http://2130706433/"})

    with pytest.raises(BlockedAddressError):
        fetch(strict, "https://news.example/feed", resolver=resolver, handler=to_loopback)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://news.example/feed",
                                 "gopher://news.example/", "javascript:alert(1)"])
def test_only_http_and_https(strict: Settings, url: str) -> None:
    with pytest.raises(BlockedAddressError):
        fetch(strict, url)


def test_allow_private_lets_loopback_through(settings: Settings) -> None:
    response = fetch(settings, "http://127.1/feed",
                     handler=lambda r: httpx2.Response(200, content=b"x"))
    assert response.status == 200


def test_connection_goes_to_the_checked_address(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    """The real transport connects to the resolved address, keeping the name in Host."""
    feed_server.add("/feed", b"hello")
    resolver = stub_resolver({"feeds.test": ["127.0.0.1"]})

    async def go() -> bytes:
        async with Fetcher(settings, resolver=resolver) as fetcher:
            return (await fetcher.get(f"http://feeds.test:{feed_server.port}/feed")).content

    assert asyncio.run(go()) == b"hello"
    assert feed_server.requests("/feed")[0].headers["host"] == f"feeds.test:{feed_server.port}"


def test_real_transport_refuses_at_connect_time(strict: Settings) -> None:
    """Without an injected transport the connection layer itself runs the guard."""
    resolver = stub_resolver({"rebind.example": ["127.0.0.1"]})

    async def go() -> None:
        async with Fetcher(strict, resolver=resolver) as fetcher:
            await fetcher.get("http://rebind.example/")

    with pytest.raises(BlockedAddressError):
        asyncio.run(go())


def test_guard_resolves_once_per_host() -> None:
    calls: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return [PUBLIC]

    guard = AddressGuard(Settings.from_dict({"home": "/tmp"}), resolver)

    async def go() -> None:
        await guard.addresses("news.example", 443)
        await guard.addresses("news.example", 443)

    asyncio.run(go())
    assert calls == ["news.example"]


def test_refusal_reasons() -> None:
    assert refusal_reason(ipaddress.ip_address(PUBLIC)) is None
    assert refusal_reason(ipaddress.ip_address("2606:4700::1111")) is None
    assert refusal_reason(ipaddress.ip_address("::ffff:10.0.0.1")) == "private"
    assert literal_address("news.example") is None
    assert literal_address("1.2.3") == ipaddress.ip_address("1.2.0.3")
