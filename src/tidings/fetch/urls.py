"""Canonical URLs, so one article reached through differently decorated links is one article.

Tracking parameters (``utm_*``, click ids, mailing-list ids) and fragments are dropped, the
scheme and host are lower-cased and default ports removed; the remaining query keeps its
order, because some sites route on it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs", "_hs", "oly_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "mkt_tok", "_ga", "_gl", "_openstat",
    "ref_src", "ref_url", "cmpid", "ncid", "ocid", "sr_share", "vero_id", "wt_mc", "wt.mc_id",
    "s_kwcid", "ito", "cid_source", "rss", "rss_id", "at_medium", "at_campaign", "spm",
})
DEFAULT_PORTS = {"http": 80, "https": 443}

#: most links are plain: lower-case http(s), a lower-case host name without port or user, no
#: blanks (which urlsplit would delete); they skip urlsplit, a tenth of parsing a feed item
_PLAIN_BASE = re.compile(r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(/[^?#\s]*)?\Z")


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def _clean_query(query: str) -> str:
    """Drop tracking parameters, keeping the others exactly as written and in order."""
    kept = [part for part in query.split("&")
            if part and not _is_tracking(unquote_plus(part.split("=", 1)[0]))]
    return "&".join(kept)


def canonicalize(url: str) -> str:
    """The canonical spelling of ``url``; anything that is not http(s) comes back stripped only."""
    url = url.strip()
    base, _, _fragment = url.partition("#")
    base, has_query, query = base.partition("?")
    query = _clean_query(query) if has_query else ""
    plain = _PLAIN_BASE.match(base)
    if plain:
        scheme, host, path = plain.groups()
        return f"{scheme}://{host}{path or '/'}" + (f"?{query}" if query else "")
    return _canonical_netloc(url, base, query)


def _canonical_netloc(url: str, base: str, query: str) -> str:
    """:func:`canonicalize` through urlsplit: ports, users, upper case, IPv6, odd spellings."""
    try:
        parts = urlsplit(base)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".")  # urlsplit lower-cases it
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        auth = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{auth}@{netloc}"
    path = parts.path or "/"
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
