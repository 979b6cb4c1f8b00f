"""The ``X-Hub-Signature`` of a WebSub content distribution: ``<method>=<hex HMAC>`` of the
raw body, keyed with the ``hub.secret`` tidings sent when it subscribed."""

from __future__ import annotations

import hashlib
import hmac

#: the methods W3C WebSub names (sha1 for old hubs; the spec recommends sha256 or stronger)
METHODS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
           "sha512": hashlib.sha512}


def sign(secret: str, body: bytes, method: str = "sha256") -> str:
    """The header value a hub sends for ``body`` (also what the test hub sends)."""
    return f"{method}={hmac.new(secret.encode(), body, METHODS[method]).hexdigest()}"


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is a valid signature of ``body``; compared in constant time."""
    if not header or "=" not in header:
        return False
    method, _, given = header.strip().partition("=")
    digest = METHODS.get(method.strip().lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode("utf-8",
                                                                                "replace"))
