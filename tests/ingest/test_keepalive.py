"""Kept-alive connections: several feeds on one host share one, and a connection the server
closed while it sat idle is never handed out again (fetch.pool._CheckedOnReuse)."""

from __future__ import annotations

import asyncio

from tidings.config import Settings
from tidings.fetch.http import Fetcher

BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


async def _serve(close_after_answer: bool) -> tuple[asyncio.Server, list[int]]:
    """A tiny HTTP/1.1 server counting connections; it may silently close each one after
    one answer (no ``Connection: close``), as servers with short idle timeouts do."""
    opened: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        opened.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
                await writer.drain()
                if close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, opened


def _fetch_in_turn(settings: Settings, count: int, close_after_answer: bool) -> int:
    async def go() -> int:
        server, opened = await _serve(close_after_answer)
        port = server.sockets[0].getsockname()[1]
        try:
            async with Fetcher(settings) as fetcher:
                for n in range(count):
                    response = await fetcher.get(f"http://127.0.0.1:{port}/feed/{n}.xml")
                    assert response.status == 200 and response.content == BODY
                    await asyncio.sleep(0.05)  # the server's close arrives meanwhile
        finally:
            server.close()
            await server.wait_closed()
        return len(opened)

    return asyncio.run(go())


def test_feeds_on_one_host_share_a_kept_alive_connection(settings: Settings) -> None:
    assert _fetch_in_turn(settings, 5, close_after_answer=False) == 1


def test_a_connection_the_server_closed_is_not_reused(settings: Settings) -> None:
    assert _fetch_in_turn(settings, 4, close_after_answer=True) == 4
