"""The fetcher cannot be aimed inward.

Every connection in this file goes to 127.0.0.1 at most. Private, link-local and other
forbidden ranges are proven on the address guard itself and with a stub resolver; a "public"
address is only ever a name in the stub, and the network layer below the guard maps it to the
loopback fixture server (and fails the test if asked for anything else).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable
from typing import Any

import httpcore2
import httpx2
import pytest

from tidings.config import Settings
from tidings.errors import BlockedAddressError, FetchError
from tidings.fetch.http import Fetcher
from tidings.fetch.netguard import AddressGuard, GuardedNetworkBackend, refusal_reason

PUBLIC = "93.184.215.14"  # never contacted: the loopback map below stands in for it

LOOPBACK_SPELLINGS = ["localhost", "127.1", "2130706433", "0x7f000001", "[::1]",
                      "[::ffff:127.0.0.1]", "0.0.0.0", "127.0.0.1", "0177.0.0.1", "127.0.1",
                      "LOCALHOST", "localhost.", "[0:0:0:0:0:0:0:1]", "[::]", "0"]
PRIVATE_AND_LINK_LOCAL = ["10.0.0.1", "10.255.255.254", "172.16.0.1", "172.31.255.255",
                          "192.168.0.1", "169.254.169.254", "169.254.0.1", "100.64.0.1",
                          "fc00::1", "fd12:3456::1", "fe80::1", "::ffff:10.0.0.1",
                          "::ffff:169.254.169.254", "2002:a00:1::", "64:ff9b::a9fe:a9fe",
                          "224.0.0.1", "ff02::1", "240.0.0.1", "255.255.255.255", "198.18.0.1"]


@pytest.fixture
def strict(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings.from_dict({"home": str(tmp_path), "allow_private": False})


def stub(table: dict[str, list[str]], calls: list[str] | None = None):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> Iterable[str]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise FetchError(f"cannot resolve {host}")
        return table[host]
    return resolve


class LoopbackMap(httpcore2.AsyncNetworkBackend):
    """Below the guard: connects ``PUBLIC`` to 127.0.0.1 and refuses everything non-loopback."""

    def __init__(self) -> None:
        self.inner = httpcore2.AnyIOBackend()
        self.connected: list[str] = []

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore2.AsyncNetworkStream:
        self.connected.append(host)
        if host == PUBLIC:
            host = "127.0.0.1"
        assert ipaddress.ip_address(host).is_loopback, f"tried to connect to {host}"
        return await self.inner.connect_tcp(host, port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def mapped_fetcher(settings: Settings, resolver) -> tuple[Fetcher, LoopbackMap]:  # type: ignore[no-untyped-def]
    """The production Fetcher, with only the socket layer below its guard replaced."""
    fetcher = Fetcher(settings, resolver=resolver)
    backend = fetcher.client._transport._pool._network_backend  # type: ignore[attr-defined]
    assert isinstance(backend, GuardedNetworkBackend) and backend.guard is fetcher.guard
    below = LoopbackMap()
    backend.inner = below
    return fetcher, below


def get(fetcher: Fetcher, url: str) -> Any:
    async def go() -> Any:
        async with fetcher:
            return await fetcher.get(url)
    return asyncio.run(go())


@pytest.mark.parametrize("spelling", LOOPBACK_SPELLINGS)
def test_loopback_spellings_are_refused_before_connecting(strict: Settings, feed_server,  # type: ignore[no-untyped-def]
                                                          spelling: str) -> None:
    feed_server.add("/feed", b"<rss/>")
    # localhost goes through the (stub) resolver as the system one would answer
    resolver = stub({"localhost": ["127.0.0.1", "::1"], "localhost.": ["127.0.0.1"]})
    with pytest.raises(BlockedAddressError) as info:
        get(Fetcher(strict, resolver=resolver), f"http://{spelling}:{feed_server.port}/feed")
    assert "\n" not in str(info.value)
    assert feed_server.count() == 0


@pytest.mark.parametrize("address", PRIVATE_AND_LINK_LOCAL)
def test_private_and_link_local_ranges_are_refused_by_the_guard(strict: Settings,
                                                                address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is not None
    guard = AddressGuard(strict, stub({}))
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(BlockedAddressError):
        asyncio.run(guard.check_url(f"http://{literal}/"))
    # and a name that resolves to it
    named = AddressGuard(strict, stub({"inside.example": [address]}))
    with pytest.raises(BlockedAddressError):
        asyncio.run(named.check_url("https://inside.example/feed"))


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_pass_the_guard(strict: Settings, address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None


def test_name_resolving_to_private_address_is_refused(strict: Settings) -> None:
    def never(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError(f"request sent to {request.url}")

    resolver = stub({"printer.corp.example": ["192.168.1.20"],
                     "mixed.example": [PUBLIC, "10.1.1.1"]})
    for host in ("printer.corp.example", "mixed.example"):
        fetcher = Fetcher(strict, transport=httpx2.MockTransport(never), resolver=resolver)
        with pytest.raises(BlockedAddressError):
            get(fetcher, f"https://{host}/rss")


def test_redirect_to_a_private_name_is_refused(strict: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    """A (stand-in) public feed on the loopback server redirects to a name of a private host."""
    port = feed_server.port
    feed_server.redirect("/feed", f"http://metadata.internal:{port}/latest", status=302)
    feed_server.add("/latest", b"secret")
    resolver = stub({"news.example": [PUBLIC], "metadata.internal": ["169.254.169.254"]})
    fetcher, below = mapped_fetcher(strict, resolver)
    with pytest.raises(BlockedAddressError):
        get(fetcher, f"http://news.example:{port}/feed")
    assert [h.path for h in feed_server.hits] == ["/feed"]
    assert below.connected == [PUBLIC]


def test_redirect_to_a_loopback_literal_is_refused(strict: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    port = feed_server.port
    feed_server.redirect("/feed", f"http://2130706433:{port}/latest", status=301)
    fetcher, below = mapped_fetcher(strict, stub({"news.example": [PUBLIC]}))
    with pytest.raises(BlockedAddressError):
        get(fetcher, f"http://news.example:{port}/feed")
    assert feed_server.count("/latest") == 0
    assert below.connected == [PUBLIC]


def test_redirect_to_another_scheme_is_refused(strict: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    port = feed_server.port
    feed_server.redirect("/feed", "file:///etc/passwd", status=302)
    fetcher, _ = mapped_fetcher(strict, stub({"news.example": [PUBLIC]}))
    with pytest.raises(BlockedAddressError):
        get(fetcher, f"http://news.example:{port}/feed")


def test_allowed_public_feed_is_fetched_through_the_checked_address(strict: Settings,  # type: ignore[no-untyped-def]
                                                                   feed_server) -> None:
    feed_server.add("/feed", b"<rss/>")
    calls: list[str] = []
    fetcher, below = mapped_fetcher(strict, stub({"news.example": [PUBLIC]}, calls))
    response = get(fetcher, f"http://news.example:{feed_server.port}/feed")
    assert response.content == b"<rss/>"
    assert below.connected == [PUBLIC]
    assert calls == ["news.example"]  # resolved once: checked address == connected address


def test_dns_rebinding_cannot_swap_the_address(strict: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    """A resolver that answers public first and loopback afterwards gains nothing."""
    feed_server.add("/feed", b"ok")
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"], ["127.0.0.1"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    fetcher, below = mapped_fetcher(strict, rebinding)

    async def twice() -> list[bytes]:
        async with fetcher:
            first = await fetcher.get(f"http://rebind.example:{feed_server.port}/feed")
            second = await fetcher.get(f"http://rebind.example:{feed_server.port}/feed")
            return [first.content, second.content]

    assert asyncio.run(twice()) == [b"ok", b"ok"]
    assert set(below.connected) == {PUBLIC}


def test_too_many_redirects_stop(strict: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    port = feed_server.port
    for i in range(10):
        feed_server.redirect(f"/r{i}", f"http://news.example:{port}/r{i + 1}", status=302)
    fetcher, _ = mapped_fetcher(strict.replace(max_redirects=3), stub({"news.example": [PUBLIC]}))
    with pytest.raises(FetchError) as info:
        get(fetcher, f"http://news.example:{port}/r0")
    assert "too many redirects" in str(info.value)
    assert feed_server.count() == 4


def test_subscribing_from_the_command_line_refuses_loopback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from tidings.cli import cli

    env = {"TIDINGS_HOME": str(tmp_path), "TIDINGS_ALLOW_PRIVATE": "0"}
    result = CliRunner().invoke(cli, ["add", "http://127.1:9/feed"], env=env)
    assert result.exit_code != 0
