"""Which addresses tidings may contact: a guard against server-side request forgery.

A feed URL is user input, and a redirect is someone else's input, so before every connection
the host is resolved and every address it resolves to is checked. Loopback, private,
link-local, multicast, reserved, shared and unspecified addresses are refused unless
``settings.allow_private``. Hosts written as numbers in the spellings the C library accepts
(``127.1``, ``2130706433``, ``0x7f000001``, ``0177.0.0.1``) are read as the OS would read them.

The connection itself is made to the very address that was checked (see
:class:`GuardedNetworkBackend`), so a DNS answer cannot change between check and connect.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore2

from tidings.config import Settings
from tidings.errors import BlockedAddressError, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses it resolves to (strings or ip objects)
Resolver = Callable[[str, int], Awaitable[Iterable[str | IPAddress]]]

ALLOWED_SCHEMES = ("http", "https")
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)
_CACHE_SECONDS = 60.0


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), without blocking the event loop."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    return [str(info[4][0]) for info in infos]


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells directly, in any spelling the C library accepts, or None."""
    host = host.strip().strip("[]")
    if "%" in host:  # IPv6 zone id: fe80::1%eth0
        host = host.split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be contacted, or None when it is an ordinary public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return refusal_reason(inner)
    checks = (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("site-local", isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local),
        ("non-global", not ip.is_global),
    )
    for name, hit in checks:
        if hit:
            return name
    return None


def check_scheme(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of ``url``; only http and https are accepted."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(f"not a valid URL: {url}") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedAddressError(f"refusing {scheme or 'scheme-less'} URL {url}: only http and "
                                  "https are fetched")
    if not parts.hostname:
        raise FetchError(f"URL has no host: {url}")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


class AddressGuard:
    """Resolves hosts through an injectable resolver and refuses forbidden addresses.

    Answers are remembered for a minute, so the check before a request and the connection
    that follows use the same addresses (one lookup, no rebinding window).
    """

    def __init__(self, settings: Settings, resolver: Resolver | None = None):
        self.allow_private = settings.allow_private
        self.resolver: Resolver = resolver or system_resolver
        self._cache: dict[tuple[str, int], tuple[float, list[IPAddress]]] = {}

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address ``host`` resolves to, all of them allowed; else BlockedAddressError."""
        host = host.strip("[]").lower()
        literal = literal_address(host)
        if literal is not None:
            found = [literal]
        else:
            cached = self._cache.get((host, port))
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            raw = await self.resolver(host, port)
            found = []
            for item in raw:
                ip = item if not isinstance(item, str) else literal_address(item)
                if ip is None:
                    raise FetchError(f"resolver gave an unusable address for {host}: {item}")
                found.append(ip)
            if not found:
                raise FetchError(f"cannot resolve {host}: no addresses")
        if not self.allow_private:
            for ip in found:
                reason = refusal_reason(ip)
                if reason:
                    raise BlockedAddressError(
                        f"refusing to fetch {host}: it resolves to {reason} address {ip} "
                        "(set TIDINGS_ALLOW_PRIVATE=1 to allow)")
        if literal is None:
            self._cache[(host, port)] = (time.monotonic() + _CACHE_SECONDS, found)
        return found

    async def check_url(self, url: str) -> list[IPAddress]:
        _scheme, host, port = check_scheme(url)
        return await self.addresses(host, port)


class GuardedNetworkBackend(httpcore2.AsyncNetworkBackend):
    """An httpcore2 network backend that connects only to addresses the guard approved.

    httpcore2 still uses the URL's host name for TLS (SNI, certificate check) and the Host
    header; only the TCP connection goes to the checked address.
    """

    def __init__(self, guard: AddressGuard, inner: httpcore2.AsyncNetworkBackend | None = None):
        self.guard = guard
        self.inner = inner or httpcore2.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore2.AsyncNetworkStream:
        addresses = await self.guard.addresses(host, port)
        last: Exception | None = None
        for ip in addresses:
            try:
                return await self.inner.connect_tcp(str(ip), port, timeout=timeout,
                                                    local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore2.AsyncNetworkStream:
        raise BlockedAddressError("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
