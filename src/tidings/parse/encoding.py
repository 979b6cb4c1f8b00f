"""Which character encoding a feed's bytes are in, before lxml reads them.

lxml honours a document's own declaration (XML declaration or BOM). This module adds what
the document cannot say itself: the charset of the HTTP Content-Type (RFC 7303), and, for a
document whose declared (or, undeclared, UTF-8) encoding cannot decode its bytes, a guess
from the bytes themselves with charset-normalizer, as browsers and feedparser do. A valid
declaration always wins; the guess only runs on documents lxml could not read, so ordinary
feeds never pay for it.
"""

from __future__ import annotations

import codecs
import re

from tidings.parse.safexml import BOMS

_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_NON_ASCII = re.compile(r"[^\x00-\x7f\ufffd]")


def _declares_encoding(data: bytes) -> bool:
    head = data[:256].lstrip()
    return head.startswith(b"<?xml") and b"encoding" in head.split(b"?>", 1)[0]


def declared_encoding(data: bytes) -> str | None:
    """The encoding named by the XML declaration, if any."""
    found = _XML_DECL.match(data[:256])
    return found.group(1).decode("ascii") if found else None


def _without_declaration(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<?xml"):
        return stripped.split("?>", 1)[1] if "?>" in stripped else stripped
    return text


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
    return _without_declaration(text).encode("utf-8")


def _cp1252_for_stray_bytes(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", "replace"), error.end


codecs.register_error("tidings-cp1252", _cp1252_for_stray_bytes)


def redecode(data: bytes) -> bytes | None:
    """``data`` as UTF-8 when its declared encoding cannot decode it; None to leave it be.

    A UTF-8 document with a few stray windows-1252 bytes (a pasted quote mark) keeps its
    UTF-8 and gets those bytes as windows-1252; anything else is sniffed.
    """
    if data.startswith(BOMS):
        return None
    declared = declared_encoding(data) or "utf-8"
    try:
        codecs.decode(data, declared)
        return None  # the declaration is valid: whatever broke the XML, it was not this
    except LookupError:
        pass
    except UnicodeDecodeError:
        if codecs.lookup(declared).name == "utf-8":
            loose = data.decode("utf-8", "replace")
            stray = loose.count("\ufffd")
            if len(_NON_ASCII.findall(loose)) >= 4 * stray:
                text = data.decode("utf-8", "tidings-cp1252")
                return _without_declaration(text).encode("utf-8")
    return _sniff(data)


SNIFF_BYTES = 64 * 1024  # enough text to tell encodings apart; bounds the guess's cost


def _sniff(data: bytes) -> bytes | None:
    from charset_normalizer import from_bytes  # only undecodable documents pay for it

    sample = data
    if len(data) > SNIFF_BYTES:  # cut after a ">" so no multi-byte character is split
        cut = data.rfind(b">", 0, SNIFF_BYTES)
        sample = data[: cut + 1] if cut > 0 else data[:SNIFF_BYTES]
    best = from_bytes(sample).best()
    if best is None or not best.encoding:
        return None
    return _without_declaration(data.decode(best.encoding, "replace")).encode("utf-8")
