"""The optional image proxy (``TIDINGS_IMAGE_PROXY=1``): lead images served from this site.

With it on, a reader's browser never contacts a publisher's image host (no tracking by image,
and the page's CSP can say ``img-src 'self'``). Every proxied URL carries an HMAC of the image
URL made with the site's secret key, so the proxy fetches only URLs this site itself put on a
page and cannot be used as an open relay. Fetching goes through :class:`Fetcher`, so the address
guard checks every hop, only http(s) is followed and redirects are capped; no cookie, referrer or
client header is passed upstream. Only raster images whose bytes match their type are served
(SVG can carry script: refused), at most ``MAX_IMAGE_BYTES``.
"""

from __future__ import annotations

import asyncio
import hashlib
import http.cookiejar
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.config import Settings
from tidings.errors import BlockedAddressError, TidingsError
from tidings.fetch.http import Fetcher
from tidings.fetch.http import Response as FetchResponse
from tidings.fetch.netguard import Resolver
from tidings.web.imagelinks import PREFIX, ImageLinks, image_links
from tidings.web.responses import api_error

log = logging.getLogger(__name__)

#: images larger than this are refused (or ``settings.max_body_bytes`` if smaller)
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: how many recent images are kept in memory, and their total size
CACHE_ENTRIES = 256
CACHE_BYTES = 32 * 1024 * 1024
#: a failed image is not fetched again for this many seconds (a page may show it often)
FAILURE_SECONDS = 60.0
CACHE_CONTROL = "public, max-age=31536000, immutable"
ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9"


def sniff(body: bytes) -> str | None:
    """The image type the bytes are, among the ones served; None for anything else."""
    if body.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if body.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    if body[4:8] == b"ftyp" and body[8:12] in (b"avif", b"avis"):
        return "image/avif"
    return None


@dataclass(frozen=True, slots=True)
class Image:
    content_type: str
    body: bytes
    etag: str


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Upstream cookies are neither kept nor sent: one reader's image fetch never tags the next."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


class ImageProxy:
    """Serves ``/img/{signature}?u=<image url>``."""

    def __init__(self, settings: Settings, links: ImageLinks, *,
                 resolver: Resolver | None = None):
        self.settings = settings.replace(
            max_body_bytes=min(MAX_IMAGE_BYTES, settings.max_body_bytes))
        self.links = links
        self.resolver = resolver
        self._cache: OrderedDict[str, Image] = OrderedDict()
        self._cached_bytes = 0
        self._fetchers: dict[asyncio.AbstractEventLoop, Fetcher] = {}
        self._failed: OrderedDict[str, tuple[float, TidingsError]] = OrderedDict()

    def _fetcher(self) -> Fetcher:
        # an httpx2 pool belongs to one event loop; the server has one, tests may run several
        loop = asyncio.get_running_loop()
        fetcher = self._fetchers.get(loop)
        if fetcher is None:
            for old in [lp for lp in self._fetchers if lp.is_closed()]:
                del self._fetchers[old]
            fetcher = Fetcher(self.settings, resolver=self.resolver)
            fetcher.client.headers["Accept"] = ACCEPT
            fetcher.client.cookies.jar.set_policy(_NoCookies())
            self._fetchers[loop] = fetcher
        return fetcher

    async def aclose(self) -> None:
        fetchers, self._fetchers = list(self._fetchers.values()), {}
        for fetcher in fetchers:
            await fetcher.aclose()

    async def fetch(self, url: str) -> Image:
        """The image at ``url``; raises TidingsError (one line) when it is not one we serve."""
        cached = self._cache.get(url)
        if cached is not None:
            self._cache.move_to_end(url)
            return cached
        failed = self._failed.get(url)
        if failed is not None and failed[0] > time.monotonic():
            raise failed[1].with_traceback(None)
        try:
            return self._accept(url, await self._fetcher().get(url))
        except TidingsError as exc:
            self._failed[url] = (time.monotonic() + FAILURE_SECONDS, exc)
            self._failed.move_to_end(url)
            while len(self._failed) > CACHE_ENTRIES:
                self._failed.popitem(last=False)
            raise

    def _accept(self, url: str, resp: FetchResponse) -> Image:
        declared = resp.content_type
        if not declared.startswith("image/") or declared == "image/svg+xml":
            raise TidingsError(f"not a served image type ({declared or 'none'}) at {url}")
        kind = sniff(resp.content)
        if kind is None:
            raise TidingsError(f"content is not a JPEG, PNG, GIF, WebP or AVIF image at {url}")
        etag = '"' + hashlib.sha256(resp.content).hexdigest()[:32] + '"'
        image = Image(kind, resp.content, etag)
        self._remember(url, image)
        return image

    def _remember(self, url: str, image: Image) -> None:
        if len(image.body) > CACHE_BYTES // 8:
            return
        self._cache[url] = image
        self._cached_bytes += len(image.body)
        while len(self._cache) > CACHE_ENTRIES or self._cached_bytes > CACHE_BYTES:
            _, dropped = self._cache.popitem(last=False)
            self._cached_bytes -= len(dropped.body)

    async def serve(self, request: Request) -> Response:
        signature = request.path_params.get("signature", "")
        url = request.query_params.get("u", "")
        if not url or not signature or not self.links.valid(signature, url):
            return api_error(403, "image link signature missing or wrong")
        if not url.lower().startswith(("http://", "https://")):
            return api_error(400, "only http and https images are proxied")
        try:
            image = await self.fetch(url)
        except BlockedAddressError as exc:
            log.warning("image proxy refused: %s", exc)
            return api_error(403, "image address not allowed")
        except TidingsError as exc:
            log.info("image proxy: %s", exc)
            return api_error(502, "image unavailable")
        headers = {"cache-control": CACHE_CONTROL, "etag": image.etag,
                   "x-content-type-options": "nosniff", "content-disposition": "inline",
                   "referrer-policy": "no-referrer"}
        inm = request.headers.get("if-none-match", "")
        if image.etag in {t.strip().removeprefix("W/") for t in inm.split(",")}:
            return Response(status_code=304, headers=headers)
        return Response(image.body, media_type=image.content_type, headers=headers)


def routes(settings: Settings) -> list[BaseRoute]:
    """The proxy's route when ``settings.image_proxy`` is on; none otherwise."""
    links = image_links(settings)
    if links is None:
        return []
    proxy = ImageProxy(settings, links)
    return [Route(PREFIX + "{signature}", proxy.serve, methods=["GET", "HEAD"])]
