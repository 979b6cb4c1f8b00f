"""Signed image links: the image proxy's URLs, made by the data layer and checked by the proxy.

A leaf module (it knows the site secret, nothing of pages or the proxy's fetching), so the data
layer can sign links without importing the proxy, and the proxy can check them without
importing the site.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

from tidings.config import Settings
from tidings.web.auth import load_secret

PREFIX = "/img/"
#: image URLs longer than this are not proxied (the proxied URL must stay under the URL cap)
MAX_SOURCE_URL = 2048


class ImageLinks:
    """Signs image URLs into proxy paths and checks the signatures (HMAC-SHA256)."""

    def __init__(self, secret: str):
        # a key of its own, derived from the site secret, so a proxy signature is never valid
        # as anything else the secret signs
        self._key = hmac.new(secret.encode(), b"tidings.image-proxy", hashlib.sha256).digest()

    def sign(self, url: str) -> str:
        digest = hmac.new(self._key, url.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def valid(self, signature: str, url: str) -> bool:
        return hmac.compare_digest(self.sign(url).encode(), signature.encode())

    def proxy_url(self, url: str) -> str | None:
        """The site-relative proxy path of ``url``; None when the URL is too long to carry."""
        if len(url) > MAX_SOURCE_URL:
            return None
        return f"{PREFIX}{self.sign(url)}?u={quote(url, safe='')}"


def image_links(settings: Settings) -> ImageLinks | None:
    """The signer when the proxy is on (the secret is only loaded then), else None."""
    return ImageLinks(load_secret(settings)) if settings.image_proxy else None
