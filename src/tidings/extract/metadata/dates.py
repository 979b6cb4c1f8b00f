"""The publication date: JSON-LD, date meta tags, ``<time>``, then htmldate, read in the
site's own time zone and aligned with the day the URL names (a UTC stamp may fall on the
next calendar day)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tidings.extract.metadata.shown import any_day_shown, day_shown, headline_day
from tidings.extract.metadata.signals import ARTICLE_TYPES, PageSignals, ld_types, text_of

log = logging.getLogger(__name__)

_DATE_META = (
    "article:published_time", "og:article:published_time", "article:published",
    "datepublished", "publishdate", "publish-date", "publish_date", "pubdate", "date",
    "dc.date.issued", "dc.date", "dcterms.created", "dcterms.issued", "sailthru.date",
    "parsely-pub-date", "article.published", "published-date", "og:published_time",
    "cxenseparse:recs:publishtime", "date.available", "originalpublicationdate",
)
# a UTC stamp ("…Z", "+00:00", "GMT") and any explicit offset
_UTC_MARK = re.compile(r"(?:Z|[+-]00:?00|\bGMT|\bUTC)$", re.IGNORECASE)
_OFFSET_MARK = re.compile(r"(?:Z|[+-]\d\d:?\d\d|\bGMT|\bUTC|\b[A-Z]{3,4})$")
# country domains (and language regions) → the zone most of the country's sites write in
_TLD_ZONES = {
    "de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich", "li": "Europe/Vaduz",
    "fr": "Europe/Paris", "it": "Europe/Rome", "es": "Europe/Madrid", "nl": "Europe/Amsterdam",
    "be": "Europe/Brussels", "lu": "Europe/Luxembourg", "pl": "Europe/Warsaw",
    "cz": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest",
    "dk": "Europe/Copenhagen", "se": "Europe/Stockholm", "no": "Europe/Oslo",
    "fi": "Europe/Helsinki", "uk": "Europe/London", "gb": "Europe/London", "ie": "Europe/Dublin",
    "pt": "Europe/Lisbon", "gr": "Europe/Athens", "ro": "Europe/Bucharest",
    "bg": "Europe/Sofia", "hr": "Europe/Zagreb", "si": "Europe/Ljubljana", "rs": "Europe/Belgrade",
    "ru": "Europe/Moscow", "ua": "Europe/Kyiv", "by": "Europe/Minsk", "tr": "Europe/Istanbul",
    "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "cn": "Asia/Shanghai", "tw": "Asia/Taipei",
    "hk": "Asia/Hong_Kong", "sg": "Asia/Singapore", "in": "Asia/Kolkata", "il": "Asia/Jerusalem",
    "ar": "America/Argentina/Buenos_Aires", "br": "America/Sao_Paulo",
    "mx": "America/Mexico_City", "cl": "America/Santiago", "pe": "America/Lima",
    "ve": "America/Caracas", "za": "Africa/Johannesburg", "tn": "Africa/Tunis",
    "ma": "Africa/Casablanca", "nz": "Pacific/Auckland",
}
# languages spoken in one time zone (or in neighbouring ones that share the day)
_LANG_ZONES = {
    "de": "Europe/Berlin", "it": "Europe/Rome", "nl": "Europe/Amsterdam", "pl": "Europe/Warsaw",
    "cs": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest",
    "da": "Europe/Copenhagen", "sv": "Europe/Stockholm", "nb": "Europe/Oslo",
    "fi": "Europe/Helsinki", "el": "Europe/Athens", "ro": "Europe/Bucharest",
    "uk": "Europe/Kyiv", "ja": "Asia/Tokyo", "ko": "Asia/Seoul", "tr": "Europe/Istanbul",
}
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])(?:/|-)")
_MAX_SHIFT_HOURS = 8
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
    # nothing was published on the web before 1995, and nothing tomorrow
    if parsed.year < 1995 or parsed > datetime.now(UTC) + timedelta(days=1):
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


def url_month(url: str | None) -> tuple[int, int] | None:
    """The year and month a URL names (``/2020/08/``), if any."""
    m = _URL_MONTH.search(url or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


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


def _site_zone(page: PageSignals) -> tzinfo | None:
    """The time zone the site most likely writes in: its country domain, else its language."""
    name = None
    for url in (page.url, page.canonical_url):
        host = urlsplit(url or "").hostname or ""
        name = name or _TLD_ZONES.get(host.rsplit(".", 1)[-1])
    if not name:
        lang = (page.tree.get("lang") or "").replace("_", "-").lower().split("-")
        name = _TLD_ZONES.get(lang[1]) if len(lang) > 1 else None
        name = name or _LANG_ZONES.get(lang[0])
    try:
        return ZoneInfo(name) if name else None
    except ZoneInfoNotFoundError:  # no time zone database: the stamp stays in UTC
        return None


def _static_page(page: PageSignals) -> bool:
    """The page describes itself as a WebPage, not as an article of any kind."""
    types = ld_types(page.article) if page.article else set()
    return "webpage" in types and not types & (ARTICLE_TYPES - {"webpage"})


def _candidates(page: PageSignals) -> Iterator[str]:
    """Declared publication dates in order of trust (JSON-LD, meta tags, ``<time>``)."""
    article = page.article
    if article:
        for key in ("datePublished", "dateCreated"):
            value = text_of(article.get(key))
            if value:
                yield value
    for key in _DATE_META:
        value = page.meta.get(key)
        if value:
            yield value
    times = page.tree.xpath("//time[@datetime]")
    # a <time> marked as the publication date before any other <time>
    marked = [el for el in times if el.get("itemprop") == "datePublished"
              or el.get("pubdate") is not None or "publish" in (el.get("class") or "")]
    for el in marked + [el for el in times if el not in marked]:
        yield el.get("datetime") or ""


def _guess(page: PageSignals) -> datetime | None:
    """htmldate as the last voter: its quick guess, else (when that finds nothing) its
    extensive search, each only when the page shows that day (htmldate also reads markup no
    reader sees). A bare month found by the extensive search ("März 2022", "© 2020", read as
    the 1st) is no date."""
    try:
        found = _htmldate(page, extensive=False)
        if found:
            quick = parse_datetime(found)
            shown = quick is not None and day_shown(quick.date(), page.visible_text())
            return quick if shown else None
        if not any_day_shown(page.visible_text()):
            return None  # the extensive search's day would have to be shown: skip it
        found = _htmldate(page, extensive=True)
    except Exception as exc:  # htmldate raises assorted errors on odd pages
        log.debug("htmldate failed: %s", exc)
        return None
    guess = parse_datetime(found) if found else None
    if guess is not None and guess.day == 1 and url_day(page.url) != guess.date():
        return None
    if guess is not None and not day_shown(guess.date(), page.visible_text()):
        return None  # found in markup readers never see
    return guess


def _declared(page: PageSignals) -> tuple[str | None, datetime | None]:
    """The most trusted declared date; when declarations disagree, the one whose day the
    byline shows under the headline (a CMS stamp in JSON-LD beside the meta tag that matches
    what readers see, or the reverse)."""
    found: list[tuple[str, datetime]] = []
    for value in _candidates(page):
        parsed = parse_datetime(value)
        if parsed is not None:
            found.append((value, parsed))
            if len(found) >= 4:
                break
    if not found:
        return None, None
    if len({p.date() for _, p in found}) > 1:
        shown = _shown_near_headline(page)
        for value, parsed in found:
            if shown is not None and parsed.date() == shown.date():
                return value, parsed
    return found[0]


def _shown_near_headline(page: PageSignals) -> datetime | None:
    """The day written right after the headline, where bylines put it ("Von … 4. 2. 2022"):
    cheaper than htmldate and read where readers look."""
    lang = (page.tree.get("lang") or "").lower().replace("_", "-")
    day = headline_day(page.visible_parts(), page.headline_span(),
                       month_first=lang in {"en", "en-us"})
    if day is None:
        return None
    return parse_datetime(day.isoformat())


def _explicit_utc(value: str) -> bool:
    return bool(_UTC_MARK.search(value.strip()))


def resolve_date(page: PageSignals) -> datetime | None:
    """The day the article was first published, in the site's own time zone.

    Order of trust: JSON-LD ``datePublished``/``dateCreated`` → publication meta tags
    (``article:published_time``, Dublin Core, …) → ``<time>`` marked as the publication date,
    then any ``<time>`` → htmldate (quick, then extensive) as the last voter. Modified dates
    are never taken. A date in the future or before the web (1995) is no candidate. A stamp
    written in UTC is moved to the site's zone (from its domain or language), and a day named
    by the URL wins over a stamp one day off.
    """
    raw, published = _declared(page)
    if published is None:
        published = _shown_near_headline(page) or _guess(page)
    if published is None:
        return None
    if (_static_page(page) and not day_shown(published.date(), page.visible_text())
            and url_month(page.url) != (published.year, published.month)):
        return None  # a CMS stamp on a page that is no article and shows no date
    day = url_day(page.url) or url_day(page.canonical_url)
    zone = _site_zone(page)
    # midnight UTC is how a bare date is often written: it names a day, not an instant
    instant = published.utcoffset() == timedelta(0) and published.timetz().replace(
        tzinfo=None) != time(0)
    if zone is not None:
        if raw is not None and _naive(raw):
            published = published.replace(tzinfo=zone)  # a wall-clock time on the site
        elif instant and (raw is None or _explicit_utc(raw)):
            published = published.astimezone(zone)
    elif day is None and instant and raw is not None:
        # no idea where the site is: the day htmldate reads from the page may move the
        # stamp, by as many hours as a site's zone can be from UTC
        local = _quick_guess(page)
        if local is not None and _hours_to(published, local.date()) <= _MAX_SHIFT_HOURS:
            day = local.date()
    return align_with_day(published, day)


def _htmldate(page: PageSignals, *, extensive: bool) -> str | None:
    """htmldate's day for the page (its quick or its extensive search); may raise anything."""
    from htmldate import find_date

    found = find_date(page.tree, url=page.url, extensive_search=extensive, original_date=True)
    return found or None


def _quick_guess(page: PageSignals) -> datetime | None:
    try:
        found = _htmldate(page, extensive=False)
    except Exception as exc:  # htmldate raises assorted errors on odd pages
        log.debug("htmldate failed: %s", exc)
        return None
    return parse_datetime(found) if found else None


def _hours_to(stamp: datetime, day: date) -> float:
    """How many hours ``stamp`` must move to fall on ``day`` (0 when it is on it)."""
    start = datetime.combine(day, time(0), tzinfo=stamp.tzinfo)
    if stamp < start:
        return (start - stamp).total_seconds() / 3600
    end = start + timedelta(days=1)
    return 0.0 if stamp < end else (stamp - end).total_seconds() / 3600 + 1e-9


def _naive(value: str) -> bool:
    return not _OFFSET_MARK.search(value.strip())
