"""Words and times for readers: UI strings from gettext catalogs (Babel) and time labels.

Catalogs are plain ``.po`` files under ``web/locales/<lang>/LC_MESSAGES/messages.po``, read
with Babel at start-up (no compile step). English is the source language. ``time_label`` gives
the seed's labels (``11:25``, ``Yesterday, 22:40``, ``13.02.2026, 00:18``) in the site's zone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.pofile import read_po

SUPPORTED = ("en", "it", "de", "es", "fr", "ru")
LOCALES_DIR = Path(__file__).parent / "locales"


def normalize_locale(locale: str) -> str:
    """``de_DE`` / ``de-at`` → ``de``; unknown languages fall back to English."""
    lang = re.split(r"[-_.]", (locale or "en").strip().lower(), maxsplit=1)[0]
    return lang if lang in SUPPORTED else "en"


@functools.cache
def _catalog(locale: str) -> dict[str, str]:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def translator(locale: str) -> Callable[..., str]:
    """A ``gettext``-like function: ``_("Latest")``, ``_("{n} outlets", n=3)``."""
    table = _catalog(normalize_locale(locale))

    def gettext(message: str, **values: object) -> str:
        text = table.get(message, message)
        return text.format(**values) if values else text

    return gettext


@functools.cache
def _date_pattern(locale: str) -> str:
    """The full-date pattern: the seed's ``dd.MM.yyyy`` for English, Babel's short date
    (with a four-digit year) for the others."""
    if locale == "en":
        return "dd.MM.yyyy"
    try:
        pattern = Locale.parse(locale).date_formats["short"].pattern
    except (UnknownLocaleError, KeyError, ValueError):
        return "dd.MM.yyyy"
    return re.sub(r"y+", "yyyy", pattern)


def local_day(now: datetime, tz: tzinfo) -> date:
    """The calendar day of ``now`` in the site's zone (labels and caches turn over with it)."""
    return now.astimezone(tz).date()


def time_label(dt: datetime, now: datetime, tz: tzinfo, locale: str = "en") -> str:
    """``HH:MM`` today, ``Yesterday, HH:MM``, else the full date and time, all in ``tz``.

    Days are calendar days in ``tz`` (so DST changes nothing); a future time is never
    "Tomorrow": it shows ``HH:MM`` when it falls today, else the full date.
    """
    lang = normalize_locale(locale)
    local = dt.astimezone(tz)
    today = local_day(now, tz)
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return clock
    if local.date() == today - timedelta(days=1):
        return f"{translator(lang)('Yesterday')}, {clock}"
    day = format_date(local.date(), _date_pattern(lang), locale=lang)
    return f"{day}, {clock}"


@functools.cache
def _group_symbol(locale: str) -> str:
    return str(Locale.parse(locale).number_symbols["latn"]["group"])


def format_count(n: int, locale: str = "en") -> str:
    """A view count as people of ``locale`` write numbers (``1,234`` / ``1.234``).

    The grouping symbol comes from Babel once; formatting is then plain string work, since
    pages show dozens of counts.
    """
    return f"{n:,}".replace(",", _group_symbol(normalize_locale(locale)))


def format_when(dt: datetime, tz: tzinfo, locale: str = "en") -> str:
    """A full, unambiguous date and time for timelines and bylines."""
    lang = normalize_locale(locale)
    local = dt.astimezone(tz)
    return f"{format_date(local.date(), 'medium', locale=lang)}, {local:%H:%M}"


def language_name(code: str, locale: str = "en") -> str:
    """A language's name as readers of ``locale`` write it ("ru" → "Russian" / "Русский");
    the code itself when Babel does not know it."""
    try:
        name = Locale.parse(normalize_locale(locale)).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name[:1].upper() + name[1:] if name else code
