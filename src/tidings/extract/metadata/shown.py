"""Does a page show a given day in its visible text? ("2022-01-27", "27.01.2022",
"27. Januar 2022", "January 27, 2022", "27 janvier 2022", "2022年1月27日" …)

A date that only a weak source gives (a WebPage object, htmldate's extensive search) is
taken only when readers can see it: static pages carry such dates without showing any.
"""

from __future__ import annotations

import re
from datetime import date

# month names (and common abbreviations) in the languages of the pages tidings reads
_MONTHS = (
    "jan january januar jänner janvier enero gennaio janeiro januari stycznia января",
    "feb february februar février fevrier febrero febbraio fevereiro februari lutego февраля",
    "mar march märz maerz mars marzo março maart maart marca марта",
    "apr april avril abril aprile kwietnia апреля",
    "may mai mayo maggio maio mei maja мая",
    "jun june juni juin junio giugno junho czerwca июня",
    "jul july juli juillet julio luglio julho lipca июля",
    "aug august août aout agosto augustus sierpnia августа",
    "sep sept september septembre septiembre settembre setembro września сентября",
    "oct october oktober octobre octubre ottobre outubro października октября",
    "nov november novembre noviembre novembro listopada ноября",
    "dec december dezember décembre decembre diciembre dicembre dezembro grudnia декабря dez",
)


def _patterns(day: date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    yy = f"(?:{y}|{y % 100:02d})"
    names = "|".join(re.escape(w) for w in _MONTHS[m - 1].split())
    return [
        rf"{y}-{m:02d}-{d:02d}", rf"{y}/{m:02d}/{d:02d}", rf"{y}\.\s?{m:02d}\.\s?{d:02d}",
        rf"\b0?{d}\.\s?0?{m}\.\s?{yy}\b", rf"\b0?{d}/0?{m}/{yy}\b", rf"\b0?{m}/0?{d}/{yy}\b",
        rf"\b0?{d}-0?{m}-{y}\b", rf"{y}年0?{m}月0?{d}日",
        rf"\b0?{d}(?:\.|er|st|nd|rd|th|º)?\s+(?:de\s+)?(?:{names})\.?,?\s+(?:de\s+)?{y}",
        rf"(?:{names})\.?\s+0?{d}(?:st|nd|rd|th)?,?\s+{y}",
    ]


# any day in any of the formats ``day_shown`` knows (a cheap test before costly searches)
_ANY_DAY = re.compile(
    r"(?:19|20)\d\d[-/.]\s?[01]?\d[-/.]\s?[0-3]?\d|[0-3]?\d[./-]\s?[01]?\d[./-]\s?\d\d"
    r"|\d年[01]?\d月|[0-3]?\d(?:\.|er|st|nd|rd|th|º)?\s+(?:de\s+)?\w+\.?,?\s+(?:de\s+)?"
    r"(?:19|20)\d\d|\w+\.?\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d")


def any_day_shown(visible_text: str) -> bool:
    """True when ``visible_text`` may write some whole day (``day_shown`` could hold)."""
    return _ANY_DAY.search(visible_text) is not None


def day_shown(day: date, visible_text: str) -> bool:
    """True when ``visible_text`` (case-folded) writes ``day`` in a common format."""
    return any(re.search(p, visible_text) for p in _patterns(day))


# a day written near the headline: "17/02/2022", "4. 2. 2022", "26 | 01 | 2022", "2022-01-26",
# "12. März 2019", "12 mars 2019", "12 марта 2019", "June 13, 2019", "2019年6月24日"
_MONTH_NUMBER = {w: i for i, words in enumerate(_MONTHS, 1) for w in words.split()}
_MONTH_NAMES = "|".join(sorted((re.escape(w) for w in _MONTH_NUMBER), key=len, reverse=True))
_SHOWN_DATE = re.compile(
    r"(?<![\d.])(?P<d>[0-3]?\d)\s?(?P<sep>[./|])\s?(?P<m>[01]?\d)\s?(?P=sep)\s?(?P<y>(?:19|20)\d\d)"
    r"(?!\d)"
    r"|(?<!\d)(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d)(?!\d)"
    r"|(?<!\d)(?P<jy>(?:19|20)\d\d)年(?P<jm>[01]?\d)月(?P<jd>[0-3]?\d)日"
    rf"|(?<!\d)(?P<nd>[0-3]?\d)(?:\.|er|st|nd|rd|th|º)?\s+(?:de\s+)?(?P<nm>{_MONTH_NAMES})\.?,?"
    r"\s+(?:de\s+)?(?P<ny>(?:19|20)\d\d)(?!\d)"
    rf"|\b(?P<am>{_MONTH_NAMES})\.?\s+(?P<ad>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<ay>(?:19|20)\d\d)"
    r"(?!\d)")
_HEADLINE_WINDOW = 400  # characters after the headline where a byline's date sits
_SHORT_TEXT = 80  # a byline or dateline; a sentence is longer


def _as_day(m: re.Match[str], month_first: bool) -> date | None:
    g = m.groupdict()
    try:
        if g["y"]:
            d, mo = int(g["d"]), int(g["m"])
            if g["sep"] == "/" and month_first and mo <= 31 and d <= 12:
                d, mo = mo, d
            return date(int(g["y"]), mo, d)
        if g["iy"]:
            return date(int(g["iy"]), int(g["im"]), int(g["id"]))
        if g["jy"]:
            return date(int(g["jy"]), int(g["jm"]), int(g["jd"]))
        if g["ny"]:
            return date(int(g["ny"]), _MONTH_NUMBER[g["nm"]], int(g["nd"]))
        return date(int(g["ay"]), _MONTH_NUMBER[g["am"]], int(g["ad"]))
    except (ValueError, KeyError):
        return None


def headline_day(parts: list[str], span: tuple[int, int] | None, *,
                 month_first: bool = False) -> date | None:
    """The first whole day written in a short text of its own (a byline's or a dateline's,
    not a sentence that mentions a date) in the few hundred characters after the headline,
    else in the headline itself, or None. ``parts``: the page's visible text nodes,
    case-folded; ``span``: which of them the headline holds. ``month_first``: read
    "5/2/2022" as May 2 (US English pages)."""
    if span is None:
        return None
    start, stop = span
    size = 0
    for part in parts[stop:]:
        if len(part) <= _SHORT_TEXT:
            day = _first_day(part, month_first)
            if day is not None:
                return day
        size += len(part) + 1
        if size > _HEADLINE_WINDOW:
            break
    # "Zuschauerrückkehr … 02.02.2022 • Verband": the dateline inside the <h1>
    return _first_day(" ".join(parts[start:stop]), month_first)


def _first_day(text: str, month_first: bool) -> date | None:
    for m in _SHOWN_DATE.finditer(text):
        day = _as_day(m, month_first)
        if day is not None:
            return day
    return None
