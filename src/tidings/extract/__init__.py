"""Article extraction: body text and HTML, metadata, language and attribution of one page."""

from __future__ import annotations

from tidings.extract.article import ExtractResult, extract_article, reset_caches

__all__ = ["ExtractResult", "extract_article", "reset_caches"]
