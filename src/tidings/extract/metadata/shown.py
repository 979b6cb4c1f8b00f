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


def day_shown(day: date, visible_text: str) -> bool:
    """True when ``visible_text`` (case-folded) writes ``day`` in a common format."""
    return any(re.search(p, visible_text) for p in _patterns(day))
