"""The publication date: JSON-LD, date meta tags, ``<time>``, then htmldate; its day aligned
with the day the URL names, because a UTC stamp may fall on the next calendar day."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta, timezone

from lxml.html import HtmlElement

from tidings.extract.metadata.signals import PageSignals, text_of

log = logging.getLogger(__name__)

_DATE_META = (
    "article:published_time", "og:article:published_time", "article:published",
    "datepublished", "publishdate", "publish-date", "publish_date", "pubdate", "date",
    "dc.date.issued", "dc.date", "dcterms.created", "dcterms.issued", "sailthru.date",
    "parsely-pub-date", "article.published", "published-date", "og:published_time",
    "cxenseparse:recs:publishtime", "date.available", "originalpublicationdate",
)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]?\d)[/-]([0-3]?\d)(?:/|-|$)")


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 (or other common) date string → aware datetime (UTC when no offset)."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            from dateutil import parser as dateparser

            parsed = dateparser.parse(value)
        except (ValueError, OverflowError, TypeError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 1995 <= parsed.year <= datetime.now(UTC).year + 1:
        return None
    return parsed


def url_day(url: str | None) -> date | None:
    """The day a URL names (``/2019/11/18/``), if any."""
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def align_with_day(published: datetime | None, day: date | None) -> datetime | None:
    """Express ``published`` in an offset whose calendar day is ``day`` (one day apart at most).

    "2019-11-19T01:19Z" on a page that says 18 November is the evening of the 18th where the
    site is; the instant stays the same, only the offset changes (by as few hours as it takes).
    """
    if published is None or day is None:
        return published
    if published.date() == day or abs((published.date() - day).days) > 1:
        return published
    utc = published.astimezone(UTC)
    for hours in range(0, 15):
        for sign in ((-1, 1) if day < published.date() else (1, -1)):
            zone = timezone(timedelta(hours=sign * hours))
            if utc.astimezone(zone).date() == day:
                return utc.astimezone(zone)
    return published


def htmldate_guess(tree: HtmlElement, url: str | None, *, extensive: bool = True
                   ) -> datetime | None:
    """htmldate's original-date guess (its extensive search only when the quick one fails)."""
    try:
        from htmldate import find_date

        found = find_date(tree, url=url, extensive_search=False, original_date=True)
        if not found and extensive:
            found = find_date(tree, url=url, extensive_search=True, original_date=True)
    except Exception as exc:  # htmldate raises assorted errors on odd pages
        log.debug("htmldate failed: %s", exc)
        return None
    return parse_datetime(found) if found else None


def resolve_date(page: PageSignals) -> datetime | None:
    """JSON-LD ``datePublished``, then date meta tags, then ``<time>``, then htmldate."""
    article, tree, url = page.article, page.tree, page.url
    published = None
    if article:
        published = parse_datetime(text_of(article.get("datePublished")) or
                                   text_of(article.get("dateCreated")))
    for key in _DATE_META:
        if published:
            break
        published = parse_datetime(page.meta.get(key))
    if not published:
        for el in tree.iterfind(".//time[@datetime]"):
            published = parse_datetime(el.get("datetime"))
            if published:
                break
    if not published:
        published = htmldate_guess(tree, url)
    day = url_day(url) or url_day(page.canonical_url)
    if day is None and published is not None and published.utcoffset() == timedelta(0):
        # a UTC stamp says nothing about the site's own day: ask the page (htmldate, cheap mode)
        local = htmldate_guess(tree, url, extensive=False)
        day = local.date() if local is not None else None
    return align_with_day(published, day)
