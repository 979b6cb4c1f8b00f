"""Canonical URLs, so one article reached through differently decorated links is one article.

Tracking parameters (``utm_*``, click ids, mailing-list ids) and fragments are dropped, the
scheme and host are lower-cased and default ports removed; the remaining query keeps its
order, because some sites route on it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs", "_hs", "oly_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "mkt_tok", "_ga", "_gl", "_openstat",
    "ref_src", "ref_url", "cmpid", "ncid", "ocid", "sr_share", "vero_id", "wt_mc", "wt.mc_id",
    "s_kwcid", "ito", "cid_source", "rss", "rss_id", "at_medium", "at_campaign", "spm",
})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """The canonical spelling of ``url``; anything that is not http(s) comes back stripped only."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        auth = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{auth}@{netloc}"
    query = ""
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        query = urlencode(kept, doseq=True) if len(kept) != len(pairs) else parts.query
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))
