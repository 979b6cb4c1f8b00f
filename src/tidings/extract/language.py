"""The language of a page: what it declares, else what its text looks like (py3langid)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from lxml.html import HtmlElement

_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{2,8})*$")
_MIN_TEXT = 40  # shorter texts give the detector too little to go on
_SAMPLE = 1500  # characters read by the detector: plenty for a language, and cheap
_CHECK_TEXT = 200  # a declared language is only questioned by at least this much text
_OVERRIDE = 0.99  # how sure the detector must be to overrule the page's declaration


def normalize_code(value: str | None) -> str | None:
    """``"en-US"`` → ``"en"``; anything that is not a language tag → None."""
    if not value:
        return None
    m = _CODE.match(value.strip())
    if not m:
        return None
    code = m.group(1).lower()
    return None if code in {"und", "mul", "zxx", "xx"} else code


def declared_language(tree: HtmlElement) -> str | None:
    """``<html lang>``, ``content-language`` or ``og:locale``."""
    root = tree.getroottree().getroot()
    for value in (root.get("lang"), root.get("xml:lang"),
                  root.get("{http://www.w3.org/XML/1998/namespace}lang")):
        code = normalize_code(value)
        if code:
            return code
    for meta in root.iterfind(".//meta[@content]"):
        key = (meta.get("http-equiv") or meta.get("name") or meta.get("property") or "").lower()
        if key in {"content-language", "language", "og:locale", "dc.language"}:
            code = normalize_code(meta.get("content", "").split(",")[0])
            if code:
                return code
    return None


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _classify(text: str | None) -> tuple[str | None, float]:
    if not text or len(text.strip()) < _MIN_TEXT:
        return None, 0.0
    code, probability = _identifier().classify(text[:_SAMPLE])
    return str(code), float(probability)


def detect_language(text: str | None) -> str | None:
    """Guess from the text itself; None when it is too short or the guess is unsure."""
    code, probability = _classify(text)
    return code if probability >= 0.5 else None


def choose_language(declared: str | None, text: str | None) -> str | None:
    """``declared`` unless ``text`` clearly is in another language.

    Templates often declare their default language on every page ("en" on a German post).
    """
    code, probability = _classify(text if text and len(text) >= _CHECK_TEXT else None)
    if declared is None:
        return code if probability >= 0.5 else detect_language(text)
    if code and code != declared and probability >= _OVERRIDE:
        return code
    return declared
