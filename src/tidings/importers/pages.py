"""Importing a saved page: its main article and its "latest"/"most read" list.

The page is read by :mod:`tidings.importers.savedpage`; this module stores what it holds, as
articles of the page's outlet. Entry keys come from the headline (and the page's own URL for
the article), so importing the same page again stores nothing twice; view counts of rows
already stored are refreshed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from tidings.config import Settings
from tidings.errors import ParseError
from tidings.extract.attribution import credit_prefix, detect_attribution
from tidings.extract.language import detect_language
from tidings.importers.savedpage import UNKNOWN_OUTLET, PageContent, parse_page, read_page_file
from tidings.models import ExtractState, FulltextMode, NewArticle, Source
from tidings.sanitize import sanitize_html
from tidings.store import Store


@dataclass
class ImportReport:
    file: str
    source: str
    source_id: int
    article: bool  # a main article was found
    attribution: str | None
    list_entries: int
    new: int
    existing: int
    updated: int
    kind: str = "page"

    def summary(self) -> str:
        article = ("1 article" + (f" credited to {self.attribution}" if self.attribution else "")
                   if self.article else "no main article")
        return (f"imported {self.file} into {self.source!r}: {article}, {self.list_entries} "
                f"list entries ({self.new} new, {self.existing} already there, "
                f"{self.updated} view counts updated)")


def _key(prefix: str, text: str) -> str:
    normalized = " ".join(re.findall(r"\w+", text.lower()))
    return f"{prefix}:" + hashlib.sha256(normalized.encode()).hexdigest()[:32]


def _source_for(store: Store, page: PageContent, now: datetime) -> Source:
    name = page.site_name or UNKNOWN_OUTLET
    found = store.sources.find(name=name)
    if found is not None:
        return found
    site = None
    if page.url:
        parts = urlsplit(page.url)
        site = f"{parts.scheme}://{parts.netloc}/" if parts.netloc else None
    return store.sources.add(Source(id=None, name=name, url=site, fulltext=FulltextMode.NEVER), now)


def import_page(store: Store, settings: Settings, path: Path | str, *, now: datetime
                ) -> ImportReport:
    """Store a saved page's main article and its list rows; idempotent across re-imports."""
    path = Path(path)
    if now.tzinfo is None:
        now = now.replace(tzinfo=settings.tz)
    now = now.astimezone(UTC)
    page = parse_page(read_page_file(path), path, now, settings.tz)
    if not page.text and not page.entries:
        raise ParseError(f"{path.name}: no article and no list found in the page")
    source = _source_for(store, page, now)
    assert source.id is not None
    rows: list[NewArticle] = []
    if page.text and page.title:
        content_html = sanitize_html(page.html, page.url)
        published = page.published_at.astimezone(UTC) if page.published_at else now
        rows.append(NewArticle(
            source_id=source.id, entry_key=_key("page", page.url or page.title), fetched_at=now,
            title=page.title, url=page.url, canonical_url=page.url,
            author=page.author, published_at=min(published, now),
            content_html=content_html, content_text=page.text,
            summary=page.text[:300], image_url=page.image_url,
            language=page.language, site_name=page.site_name,
            attribution=page.attribution, views=page.views or 0,
            extract_state=ExtractState.DONE))
    for entry in page.entries:
        title, agency = credit_prefix(entry.title)
        rows.append(NewArticle(
            source_id=source.id, entry_key=_key("list", entry.url or title), fetched_at=now,
            title=title, url=entry.url, canonical_url=entry.url,
            published_at=entry.published_at, views=entry.views or 0,
            attribution=agency or detect_attribution(title, None),
            language=detect_language(title) if len(title) > 40 else None,
            site_name=page.site_name,
            extract_state=ExtractState.PENDING if entry.url else ExtractState.SKIPPED))
    new, updated = store.articles.add_or_count_views(rows)
    return ImportReport(
        file=path.name, source=source.name, source_id=source.id, article=bool(page.text),
        attribution=page.attribution if page.text else None, list_entries=len(page.entries),
        new=new, existing=len(rows) - new, updated=updated)
