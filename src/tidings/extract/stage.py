"""The full-text stage: article pages for entries whose feed gave too little.

Reads its queue from ``extract_state='pending'``. Per source, ``fulltext`` decides: ``never``
keeps the feed's content, ``always`` fetches every article, ``auto`` fetches when the entry's
own text is shorter than ``settings.fulltext_min_chars``. Pages are fetched concurrently with
the polite, guarded :class:`~tidings.fetch.http.Fetcher`, extracted one by one, and written
back in one transaction per batch. The feed's content stays whenever the page gives less or
fails; the failure is recorded as one line in ``extract_error``. Every article leaves with its
attribution set (from the title and text, fetched or not). One process at a time runs it:
``tidings.worker.stages`` holds ``EXTRACT_LOCK`` around :func:`run_pending`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidings.config import Settings
from tidings.errors import FetchError, one_line
from tidings.extract import ExtractResult, extract_article
from tidings.extract.article import apply_charset
from tidings.extract.attribution import agency_in_byline, detect_attribution
from tidings.extract.language import detect_language, normalize_code
from tidings.fetch.http import Fetcher
from tidings.models import ExtractState, FulltextMode, ProgressFn
from tidings.sanitize import html_to_text, sanitize_html
from tidings.store.extraction import ID, ExtractionStore

log = logging.getLogger(__name__)

_CHARSET = re.compile(r"charset\s*=\s*\"?([\w.:-]+)", re.IGNORECASE)
HTML_TYPES = {"text/html", "application/xhtml+xml", "application/xml", "text/xml", ""}
_BATCH_MIN = 16


@dataclass(slots=True)
class _Item:
    row: dict[str, Any]
    mode: str
    feed_text: str
    fetch: bool
    page: bytes | str | None = None
    final_url: str | None = None
    error: str | None = None


async def fetch_page(fetcher: Fetcher, url: str) -> tuple[bytes | str, str]:
    """An article page (decoded when the server named a working charset) and its final URL;
    FetchError for non-HTML answers."""
    response = await fetcher.get(url)
    if response.content_type not in HTML_TYPES and not response.content_type.startswith("text/"):
        raise FetchError(f"not an HTML page ({response.content_type}) at {response.url}")
    if not response.content:
        raise FetchError(f"empty answer from {response.url}")
    charset = _CHARSET.search(response.headers.get("content-type", ""))
    return apply_charset(response.content, charset.group(1) if charset else None), response.url


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _sane_url(value: str | None) -> bool:
    return bool(value) and str(value).startswith(("http://", "https://")) and len(str(value)) < 2000


def _untitled(title: str | None) -> bool:
    """A stored title that is only the entry's address (what sources without titles give)."""
    return not title or title == "(untitled)" or title.startswith(("http://", "https://"))


def _sane_author(value: str | None) -> bool:
    return bool(value) and "://" not in str(value) and len(str(value)) <= 120


def _feed_text(row: dict[str, Any]) -> str:
    return (row["content_text"] or html_to_text(row["content_html"])
            or html_to_text(row["summary"]) or "").strip()


def _plan(row: dict[str, Any], settings: Settings) -> _Item:
    mode = (row.get("mode") or FulltextMode.AUTO).lower()
    text = _feed_text(row)
    url = row["url"] or row["canonical_url"]
    short = len(text) < settings.fulltext_min_chars
    fetch = bool(url) and _sane_url(url) and (
        mode == FulltextMode.ALWAYS or (mode == FulltextMode.AUTO and short))
    return _Item(row=row, mode=mode, feed_text=text, fetch=fetch)


def _tick(progress: ProgressFn, before: int, total: int, fetched: int) -> None:
    progress(before + fetched, total)


async def _fetch_all(items: list[_Item], settings: Settings, fetcher: Fetcher,
                     tick: Callable[[int], None] | None = None) -> None:
    """Fetch every page that needs it; ``tick(n)`` after the n-th item of the batch."""
    limit = asyncio.Semaphore(max(1, settings.fetch_concurrency))
    finished = 0

    async def one(item: _Item) -> None:
        async with limit:
            try:
                item.page, item.final_url = await fetch_page(
                    fetcher, item.row["url"] or item.row["canonical_url"])
            except FetchError as exc:
                item.error = _one_line(str(exc))
            except Exception as exc:  # one bad page never stops the batch
                log.warning("fetching a page failed", extra={
                    "stage": "extract", "article_id": item.row["id"], "url": item.row["url"],
                    "error": f"{type(exc).__name__}: {one_line(exc)}"})
                item.error = _one_line(f"cannot fetch the page: {type(exc).__name__}")

    async def counted(item: _Item) -> None:
        nonlocal finished
        if item.fetch:
            await one(item)
        finished += 1
        if tick is not None:
            tick(finished)

    await asyncio.gather(*(counted(i) for i in items))


def _extracted(item: _Item) -> ExtractResult | None:
    if item.page is None:
        return None
    try:
        result = extract_article(item.page, item.final_url)
    except Exception as exc:  # the extractor must never take the stage down
        log.warning("extracting a page failed", extra={
            "stage": "extract", "article_id": item.row["id"], "url": item.final_url,
            "error": f"{type(exc).__name__}: {one_line(exc)}"})
        item.error = _one_line(f"extraction failed: {type(exc).__name__}")
        return None
    if not result.ok:
        item.error = _one_line(result.error or "no article text found")
    return result


def _changes(item: _Item) -> dict[str, Any]:
    """New column values for one article; the feed's own values win where they are sane."""
    row = item.row
    result = _extracted(item)
    values: dict[str, Any] = {
        ID: row["id"],
        "content_html": row["content_html"], "content_text": row["content_text"],
        "image_url": row["image_url"], "author": row["author"], "language": row["language"],
        "canonical_url": row["canonical_url"], "site_name": row["site_name"],
        "extract_error": None, "title": row["title"],
    }
    if result is not None:
        if _untitled(row["title"]) and result.title and result.title.strip():
            values["title"] = " ".join(result.title.split())[:1000]  # e.g. plain sitemaps
        if result.ok and len(result.content_text or "") > len(item.feed_text):
            values["content_html"] = sanitize_html(result.content_html,
                                                   item.final_url or row["url"])
            values["content_text"] = result.content_text
        if not _sane_url(row["image_url"]) and _sane_url(result.image_url):
            values["image_url"] = result.image_url
        if not _sane_author(row["author"]) and _sane_author(result.author):
            values["author"] = result.author
        if not normalize_code(row["language"]) and result.language:
            values["language"] = result.language
        if not row["canonical_url"] and _sane_url(result.canonical_url):
            values["canonical_url"] = result.canonical_url
        if not row["site_name"] and result.site_name:
            values["site_name"] = result.site_name
    text = values["content_text"] or item.feed_text
    if not normalize_code(values["language"]):
        values["language"] = normalize_code(row.get("source_language")) or detect_language(
            " ".join(filter(None, [row["title"], text])))
    values["attribution"] = (detect_attribution(row["title"], text)
                             or (result.attribution if result is not None else None)
                             or agency_in_byline(values["author"]))
    if item.error:
        values["extract_state"], values["extract_error"] = ExtractState.FAILED, item.error
    elif result is not None:
        values["extract_state"] = ExtractState.DONE
    else:
        values["extract_state"] = ExtractState.SKIPPED
    return values


def run_pending(store: ExtractionStore, settings: Settings, *, limit: int | None = None,
                fetcher: Fetcher | None = None, progress: ProgressFn | None = None) -> int:
    """Work through pending articles (at most ``limit``); return how many were handled,
    telling ``progress(done, total)`` as pages come in. The caller holds the stage's lock
    (``tidings.worker.stages.run_stage`` does)."""
    work = _run(store, settings, limit, fetcher, progress)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    # called from inside an event loop: run the stage's own loop on a worker thread
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _run(store: ExtractionStore, settings: Settings, limit: int | None,
               fetcher: Fetcher | None, progress: ProgressFn | None = None) -> int:
    batch_size = max(_BATCH_MIN, settings.fetch_concurrency, settings.extract_concurrency * 4)
    active = fetcher or Fetcher(settings)
    done = 0
    total = 0
    if progress is not None:
        waiting = store.extraction.pending_count()
        total = waiting if limit is None else min(limit, waiting)
        progress(0, total)
    try:
        while limit is None or done < limit:
            want = batch_size if limit is None else min(batch_size, limit - done)
            rows = store.extraction.pending(want)
            if not rows:
                break
            items = [_plan(row, settings) for row in rows]
            tick = None
            if progress is not None:
                total = max(total, done + len(rows))
                tick = functools.partial(_tick, progress, done, total)
            await _fetch_all(items, settings, active, tick)
            store.extraction.save([_changes(item) for item in items])
            done += len(rows)
            if len(rows) < want:
                break
    finally:
        if fetcher is None:
            await active.aclose()
    return done
