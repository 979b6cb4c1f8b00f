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


# labels that open a promoted link even without a colon ("READ MORE China plague ...")
_TEASER_START = re.compile(
    r"^\s*(?:(?:read\s+more|see\s+more|also\s+read|read\s+also|don['’]t\s+miss|most\s+read|"
    r"leggi\s+anche|lesen\s+sie\s+auch|mehr\s+zum\s+thema|lea\s+también|lire\s+aussi|"
    r"читайте\s+также)\b|(?:related|recommended)\s*:)", re.IGNORECASE)
_CAPS_LABEL = re.compile(r"^[A-Z][A-Z'’ ]{3,}(?=[A-Z][a-z])")  # "DON'T MISSPlague ..."
_BRACKET_TAG = re.compile(r"\[(?:[A-Z]{3,}|[A-Z]+ [A-Z]+)\]")


def _looks_like_teaser(p: _Element, text: str) -> bool:
    """A promoted link rather than a paragraph: a teaser label, "[VIDEO]" tags, all links."""
    if _TEASER_START.match(text) or _CAPS_LABEL.match(text) or _BRACKET_TAG.search(text):
        return True
    linked = sum(len("".join(a.itertext())) for a in p.iter("a"))
    return linked > 0.6 * len(text)


def continuation_paragraphs(tree: _Element, text: str, *, max_levels: int = 3) -> list[str]:
    """Paragraphs of an article body split into sibling chunks that extraction left out.

    Many sites cut an article into several containers of one class (ads or embeds between
    them). When the extracted text starts in one such container, the paragraphs of the
    following containers with the same tag and class are the rest of the article.
    """
    anchor = _anchor_paragraph(tree, text)
    if anchor is None or anchor.getparent() is None:
        return []
    holder = anchor.getparent()
    if not holder.get("class"):
        return []
    known = _norm(text)
    node: _Element | None = holder
    for _level in range(max_levels + 1):
        if node is None or node.getparent() is None:
            break
        key = (node.tag, node.get("class"))
        if key[1]:
            following = [s for s in node.itersiblings() if (s.tag, s.get("class")) == key]
            if following:
                return _new_paragraphs(following, holder, node is holder, known)
        node = node.getparent()
    return []


def _anchor_paragraph(tree: _Element, text: str) -> _Element | None:
    """The first <p> the extracted text starts with (one of its first three long lines)."""
    lines = [line for line in text.split("\n") if len(line) > 80][:3]
    if not lines:
        return None
    wanted = {_norm(line)[:80] for line in lines}
    for p in tree.iter("p"):
        if _norm("".join(p.itertext()))[:80] in wanted:
            return p
    return None


def _new_paragraphs(following: list[_Element], holder: _Element, same_level: bool,
                    known: str) -> list[str]:
    """Paragraphs of the holder-like containers in ``following`` that are not yet in the text.

    ``same_level``: the siblings are themselves holders; otherwise the holders (same tag and
    class as ``holder``) are looked up inside each sibling.
    """
    holder_key = (holder.tag, holder.get("class"))
    out = []
    for sibling in following:
        holders = [sibling] if same_level else [
            el for el in sibling.iter(holder.tag) if (el.tag, el.get("class")) == holder_key]
        for h in holders:
            for p in h.iterchildren("p"):
                para = " ".join("".join(p.itertext()).split())
                if len(para) > 20 and _norm(para) not in known and not _looks_like_teaser(p, para):
                    out.append(para)
    return out
