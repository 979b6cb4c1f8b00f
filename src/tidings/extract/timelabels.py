"""Time labels of "latest" lists ("11:25", "Yesterday, 22:40", "13.02.2026, 00:18", "2 hours
ago", "Ieri, 22:40") and view counts glued to them in text dumps ("11611:25").

Labels resolve against a given ``now`` in the reader's time zone. Splitting a glued
count+label tries every split and keeps the shortest count whose remainder is a valid label,
which prefers two-digit hours and days ("11611:25" is 116 at 11:25, not 1161 at 1:25).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_YESTERDAY = {
    "yesterday", "ieri", "gestern", "ayer", "hier", "вчера", "ontem", "gisteren", "wczoraj",
    "včera", "igår", "i går", "eilen", "tegnap", "вчора", "dün", "ahir", "atzo",
}
_TODAY = {
    "today", "oggi", "heute", "hoy", "aujourd'hui", "aujourd’hui", "сегодня", "hoje", "vandaag",
    "dzisiaj", "dziś", "dnes", "idag", "i dag", "tänään", "ma", "сьогодні", "bugün", "avui",
    "gaur",
}
_DAY_BEFORE = {"day before yesterday", "avantieri", "l'altro ieri", "altro ieri", "vorgestern",
               "anteayer", "avant-hier", "позавчера", "anteontem", "eergisteren", "przedwczoraj"}
_JUST_NOW = {"just now", "now", "adesso", "ora", "gerade eben", "jetzt", "ahora", "ahora mismo",
             "à l'instant", "à l’instant", "только что", "agora"}
_AT = r"(?:,\s*|\s+)(?:(?:at|alle|um|a\s+las|a\s+la|à|в|às|om|o)\s+)?"
_HM = r"(?P<h>[01]?\d|2[0-3])[:.h](?P<m>[0-5]\d)(?:\s*(?P<ampm>[ap]\.?m\.?))?"
_HM_RE = re.compile(rf"^{_HM}$", re.IGNORECASE)
_WORD_TIME = re.compile(rf"^(?P<word>[^\d,]+?){_AT}(?:{_HM})?$", re.IGNORECASE)
_DMY = re.compile(
    rf"^(?P<d>[0-3]?\d)(?P<sep>[./-])(?P<mo>[01]?\d)(?P=sep)(?P<y>\d{{4}}|\d{{2}})\.?"
    rf"(?:{_AT}{_HM})?$", re.IGNORECASE)
_YMD = re.compile(rf"^(?P<y>\d{{4}})-(?P<mo>[01]\d)-(?P<d>[0-3]\d)(?:[T\s]+|{_AT}){_HM}?$",
                  re.IGNORECASE)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7, "ago": 8, "set": 9,
    "ott": 10, "dic": 12, "jän": 1, "mär": 3, "mai": 5, "okt": 10, "dez": 12, "ene": 1,
    "abr": 4, "janv": 1, "févr": 2, "fév": 2, "mars": 3, "avr": 4, "juin": 6, "juil": 7,
    "août": 8, "déc": 12, "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5,
    "июн": 6, "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}
_D_MON = re.compile(rf"^(?P<d>[0-3]?\d)\.?\s+(?P<mon>[^\W\d_]+)\.?(?:\s+(?P<y>\d{{4}}))?"
                    rf"(?:{_AT}{_HM})?$", re.IGNORECASE)
_MON_D = re.compile(rf"^(?P<mon>[^\W\d_]+)\.?\s+(?P<d>[0-3]?\d)(?:,?\s+(?P<y>\d{{4}}))?"
                    rf"(?:{_AT}{_HM})?$", re.IGNORECASE)
_UNITS: dict[str, str] = {}
for _unit, _words in {
    "seconds": "s sec secs second seconds secondi secondo sekunden sekunde segundos segundo "
               "secondes seconde секунд секунды секунду сек",
    "minutes": "m min mins minute minutes minuti minuto minuten minutos minutes минут минуты "
               "минуту мин",
    "hours": "h hr hrs hour hours ora ore std stunde stunden hora horas heure heures час часа "
             "часов ч",
    "days": "d day days giorno giorni tag tagen tage día días dia jour jours день дня дней",
    "weeks": "w wk week weeks settimana settimane woche wochen semana semanas semaine semaines "
             "неделю недели недель",
}.items():
    for _w in _words.split():
        _UNITS[_w] = _unit
_N = r"(?P<n>\d+|an?|one|un|una|uno|eine[nm]?|ein|une?|одну|один)"
_U = r"(?P<unit>[^\W\d_]+)\.?"
_AGO = [
    re.compile(rf"^{_N}\s*{_U}\s+(?:ago|fa|назад)$", re.IGNORECASE),
    re.compile(rf"^(?:vor|hace|il\s+y\s+a|há)\s+{_N}\s*{_U}$", re.IGNORECASE),
]
# words and signs around a view count ("116 views", "👁 116", "Letture: 116")
_VIEW_WORDS = re.compile(
    r"(?:\b(?:views?|reads?|visualizzazioni|letture|aufrufe|vistas|visitas|lecturas|vues|"
    r"lectures|просмотр(?:ов|а)?)\b:?|[\U0001F440\U0001F441]\ufe0f?)", re.IGNORECASE)
_COUNT = re.compile(r"^(?:\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+|\d+)(?:[.,]\d+)?\s*[kKmM]?$")


@dataclass(frozen=True, slots=True)
class CountAndTime:
    views: int | None
    when: datetime  # aware, in the zone the label was read in
    label: str


def _at(day: date, h: str | None, m: str | None, ampm: str | None, tz: ZoneInfo) -> datetime:
    hour, minute = (int(h), int(m)) if h is not None and m is not None else (0, 0)
    if ampm:
        if hour > 12:
            raise ValueError("hour after 12 with am/pm")
        hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def parse_time_label(label: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """A list's time label → aware datetime in ``tz``; None when it is not a time label."""
    text = " ".join(label.strip().split())
    if not text:
        return None
    local_now = now.astimezone(tz)
    today = local_now.date()
    try:
        return _parse(text, local_now, today, tz)
    except ValueError:  # an impossible date such as 31.02.2026
        return None


def _parse(text: str, local_now: datetime, today: date, tz: ZoneInfo) -> datetime | None:
    """Try each label form in turn; the first form that matches decides."""
    m = _HM_RE.match(text)
    if m:
        return _at(today, m["h"], m["m"], m["ampm"], tz)
    low = text.lower().rstrip(".")
    if low in _JUST_NOW:
        return local_now
    for pattern in _AGO:
        m = pattern.match(low)
        if m:
            return _ago(m, local_now)
    for form in (_numeric_date, _month_name_date, _day_word):
        found = form(text, today, tz)
        if found is not None:
            return found
    return None


def _ago(m: re.Match[str], local_now: datetime) -> datetime | None:
    """"5 minutes ago", "an hour ago"; None for a unit that is no time ("5 comments ago")."""
    unit = _UNITS.get(m["unit"].lower())
    if unit is None:
        return None
    n = int(m["n"]) if m["n"].isdigit() else 1
    return local_now - timedelta(**{unit: n})


def _numeric_date(text: str, today: date, tz: ZoneInfo) -> datetime | None:
    """"31.01.26 11:25" (day first, two-digit years are this century) or "2026-01-31"."""
    m = _DMY.match(text)
    if m:
        year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
        return _at(date(year, int(m["mo"]), int(m["d"])), m["h"], m["m"], m["ampm"], tz)
    m = _YMD.match(text)
    if m:
        return _at(date(int(m["y"]), int(m["mo"]), int(m["d"])), m["h"], m["m"], m["ampm"], tz)
    return None


def _month_name_date(text: str, today: date, tz: ZoneInfo) -> datetime | None:
    """"31 Jan", "Jan 31, 2026": without a year, the latest such day not after today."""
    for pattern in (_D_MON, _MON_D):
        m = pattern.match(text)
        if m:
            month = _month(m["mon"])
            if month is None:
                continue
            year = int(m["y"]) if m["y"] else today.year
            day = date(year, month, int(m["d"]))
            if not m["y"] and day > today:
                day = day.replace(year=year - 1)
            return _at(day, m["h"], m["m"], m["ampm"], tz)
    return None


def _day_word(text: str, today: date, tz: ZoneInfo) -> datetime | None:
    """"Yesterday, 22:40", "today 9:15", the day before yesterday."""
    m = _WORD_TIME.match(text)
    if m:
        word = m["word"].strip().lower().rstrip(",")
        shift = (1 if word in _YESTERDAY else 0 if word in _TODAY
                 else 2 if word in _DAY_BEFORE else None)
        if shift is not None:
            return _at(today - timedelta(days=shift), m["h"], m["m"], m["ampm"], tz)
    return None


def _month(word: str) -> int | None:
    low = word.lower()
    for length in (len(low), 5, 4, 3):
        found = _MONTHS.get(low[:length])
        if found:
            return found
    return None


def parse_count(text: str) -> int | None:
    """``"1,234"`` → 1234, ``"1.2k"`` → 1200; None when it is not a count."""
    text = text.strip()
    if not _COUNT.match(text):
        return None
    suffix = text[-1].lower() if text[-1] in "kKmM" else ""
    body = text.rstrip("kKmM").strip()
    if suffix:
        return int(float(body.replace(",", ".")) * (1000 if suffix == "k" else 1_000_000))
    if re.fullmatch(r"\d+[.,]\d{1,2}", body):
        return None  # a decimal is no view count
    return int(re.sub(r"\D", "", body))


def split_count_and_time(line: str, now: datetime, tz: ZoneInfo, *, require_count: bool = False
                         ) -> CountAndTime | None:
    """``"11611:25"`` → 116 views at 11:25 today; ``"294Yesterday, 22:40"``; None if not one.

    ``require_count`` is for lists whose other rows all carry a count: "52 hours ago" there
    is 5 views two hours ago rather than no count 52 hours ago.
    """
    text = " ".join(_VIEW_WORDS.sub(" ", line).split())
    if not text:
        return None
    # "294 · 11:25", "294 | Yesterday, 22:40": an explicit separator settles the split
    parts = re.split(r"\s*[·•|]\s*", text)
    if len(parts) == 2:
        for count_part, label_part in (parts, parts[::-1]):
            views = parse_count(count_part)
            when = parse_time_label(label_part, now, tz)
            if views is not None and when is not None:
                return CountAndTime(views, when, label_part)
    lead = re.match(r"^[\d.,\u00a0\u202f kKmM]*", text)
    limit = lead.end() if lead else 0
    for k in range(1 if require_count else 0, limit + 1):
        head, rest = text[:k].strip(), text[k:].strip()
        if k and parse_count(head) is None:
            continue
        when = parse_time_label(rest, now, tz)
        if when is not None:
            return CountAndTime(parse_count(head) if head else None, when, rest)
    # "11:25 116" or glued "11:25116": a label followed by a count; the longest label wins
    tail = re.search(r"[\d.,\u00a0\u202f ]*[kKmM]?$", text)
    start = tail.start() if tail else len(text)
    for k in range(len(text) - 1, start - 1, -1):
        label, count = text[:k].strip(), text[k:].strip()
        views = parse_count(count)
        if views is None or not label:
            continue
        when = parse_time_label(label, now, tz)
        if when is not None:
            return CountAndTime(views, when, label)
    return None
