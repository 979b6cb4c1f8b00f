"""Site-independent clean-up of an extracted article body (trafilatura's XML tree).

Two kinds of leftovers survive extraction on many sites: the headline repeated as the first
block, and in-article teasers for other stories ("READ MORE: ...", "DON'T MISS", lines tagged
"[VIDEO]"). Both are removed block by block, so the text and the HTML stay in step.
"""

from __future__ import annotations

import re

from lxml.etree import _Element

_WORDS = re.compile(r"\w+")
# a block that opens with a teaser label, in the languages tidings reads
_TEASER_LABEL = re.compile(
    r"^\s*(?:read\s+more|see\s+more|more|related|related\s+articles?|also\s+read|read\s+also|"
    r"don['’]t\s+miss|recommended|trending|most\s+read|watch|listen|sign\s+up|"
    r"leggi\s+anche|potrebbe\s+interessarti|lesen\s+sie\s+auch|mehr\s+zum\s+thema|"
    r"lea\s+también|te\s+puede\s+interesar|lire\s+aussi|à\s+lire\s+aussi|"
    r"читайте\s+также|смотрите\s+также)\s*(?::|$|\|)",
    re.IGNORECASE,
)
# a short block closed by an all-caps tag in brackets: "Plague fears spread [INSIGHT]"
_TAGGED_LINK = re.compile(r"\[(?:[A-Z]{3,}|[A-Z]+ [A-Z]+)\]\s*$")
_MAX_TEASER_CHARS = 200


def _norm(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def _block_text(el: _Element) -> str:
    return "".join(el.itertext()).strip()


def clean_body(body: _Element, title: str | None) -> int:
    """Remove the repeated headline and teaser blocks in place; return how many went."""
    removed = 0
    blocks = [el for el in body if isinstance(el.tag, str)]
    if title and blocks:
        first = blocks[0]
        if _norm(_block_text(first)) == _norm(title) and _norm(title):
            _drop(first)
            removed += 1
            blocks = blocks[1:]
    for el in blocks:
        text = _block_text(el)
        if not text or len(text) > _MAX_TEASER_CHARS or el.tag in {"table", "list"}:
            continue
        if _TEASER_LABEL.match(text) or _TAGGED_LINK.search(text):
            _drop(el)
            removed += 1
    return removed


def _drop(el: _Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail and tail.strip():
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
