"""Which character encoding a feed's bytes are in, before lxml reads them.

lxml honours a document's own declaration (XML declaration or BOM). This module adds what
the document cannot say itself: the charset of the HTTP Content-Type (RFC 7303).
"""

from __future__ import annotations

from tidings.parse.safexml import BOMS


def _declares_encoding(data: bytes) -> bool:
    head = data[:256].lstrip()
    return head.startswith(b"<?xml") and b"encoding" in head.split(b"?>", 1)[0]


def apply_charset(data: bytes, charset: str | None) -> bytes:
    """Honour an HTTP charset when the document itself declares no encoding (RFC 7303)."""
    if not charset or data.startswith(BOMS):
        return data
    if _declares_encoding(data):
        return data
    if charset.lower().replace("-", "") in ("utf8", "usascii", "ascii"):
        return data
    try:
        text = data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return data
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1] if "?>" in text else text
    return text.encode("utf-8")
