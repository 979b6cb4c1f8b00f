"""Which news agency an article credits ("..., Reuters reports", "(AFP) -", "Reuters: ...").

A mention of an agency's name is not enough: it must sit next to a credit cue (a reporting
verb, "according to", "citing", a dateline in parentheses, a title prefix) in English,
Italian, German, Spanish, French or Russian. Names glued to a longer proper name ("Thomson
Reuters", "Michael Bloomberg", "Reuters Institute") are not credits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# canonical name -> (aliases, weak): weak aliases are short acronyms that mean other things
# too ("APA", "ANI"); they count only with a dateline, an "agency" word or a reporting verb.
_AGENCIES: dict[str, tuple[tuple[str, ...], bool]] = {
    "Reuters": (("Reuters", "Рейтер", "Рейтерс", "Рейтерc"), False),
    "Associated Press": (("Associated Press", "AP", "Ассошиэйтед Пресс", "Ассошиэйтед пресс"),
                         False),
    "AFP": (("AFP", "Agence France-Presse", "Agence France Presse", "France-Presse",
             "France Presse", "Франс Пресс", "Франс пресс"), False),
    "Bloomberg": (("Bloomberg", "Блумберг", "Bloomberg News"), False),
    "dpa": (("dpa", "DPA", "Deutsche Presse-Agentur", "Deutschen Presse-Agentur"), False),
    "ANSA": (("ANSA", "Ansa"), False),
    "EFE": (("EFE",), False),
    "Kyodo": (("Kyodo", "Kyodo News", "Киодо"), False),
    "Xinhua": (("Xinhua", "Синьхуа", "Nuova Cina"), False),
    "TASS": (("TASS", "ТАСС", "Tass"), False),
    "Interfax": (("Interfax", "Интерфакс"), False),
    "PTI": (("PTI", "Press Trust of India"), False),
    "ANI": (("ANI",), True),
    "Yonhap": (("Yonhap", "Йонхап", "Ренхап", "Рёнхап"), False),
    "UPI": (("UPI", "United Press International"), False),
    "Anadolu": (("Anadolu", "Anadolu Agency", "Anadolu Ajansı", "Анадолу"), False),
    "RIA Novosti": (("RIA Novosti", "РИА Новости", "RIA"), False),
    "Europa Press": (("Europa Press",), False),
    "Agenzia Nova": (("Agenzia Nova", "Agenzia Nova"), False),
    "AGI": (("AGI",), True),
    "Adnkronos": (("Adnkronos", "AdnKronos"), False),
    "APA": (("APA", "Austria Presse Agentur", "Austria Presse-Agentur"), True),
    "Belga": (("Belga",), False),
    "ANP": (("ANP",), True),
    "Ritzau": (("Ritzau",), False),
    "NTB": (("NTB",), True),
    "TT": (("TT Nyhetsbyrån",), False),
    "Lusa": (("Lusa",), False),
    "CTK": (("ČTK", "CTK"), True),
    "PAP": (("PAP",), True),
    "MTI": (("MTI",), True),
    "BTA": (("BTA",), True),
    "Ukrinform": (("Ukrinform", "Укринформ", "Укрінформ"), False),
    "CNA": (("Central News Agency",), False),
    "Bernama": (("Bernama",), False),
    "Antara": (("Antara",), False),
    "Jiji Press": (("Jiji Press", "Jiji"), False),
    "AAP": (("Australian Associated Press", "AAP"), True),
    "PA Media": (("PA Media", "Press Association"), False),
    "KCNA": (("KCNA", "Korean Central News Agency"), False),
    "IRNA": (("IRNA",), False),
    "SANA": (("SANA",), True),
    "WAFA": (("WAFA",), True),
    "Prensa Latina": (("Prensa Latina",), False),
    "Notimex": (("Notimex",), False),
    "Agência Brasil": (("Agência Brasil", "Agencia Brasil"), False),
    "Keystone-SDA": (("Keystone-SDA", "Keystone-ATS", "SDA"), True),
    "LaPresse": (("LaPresse",), False),
    "Askanews": (("Askanews", "askanews"), False),
    "UNIAN": (("UNIAN", "УНИАН", "УНІАН"), False),
    "Sputnik": (("Sputnik",), True),
}

_W = r"[^\W_]"  # a letter or digit
# words between a cue and the name ("according to the official X news agency")
_DECOR_BEFORE = (
    r"(?:the|official|state|state-run|state-owned|news|press|wire|service|agency|agencies|"
    r"l['’]|la|il|lo|dell['’]|dell|agenzia|agenzie|stampa|di|"
    r"die|der|den|dem|nachrichtenagentur|agentur|"
    r"el|los|agencia|de|noticias|"
    r"le|les|agence|d['’]|presse|"
    r"агентство|агентства|агентству|информационное|информагентство|новостей)"
)
_DECOR_AFTER = (
    r"(?:news|agency|news\s+agency|wire|wire\s+service|newswire|agenzia|nachrichtenagentur|"
    r"agencia|agence|агентство|\([^()\n]{1,12}\))"
)
# a cue before the name: "according to X", "told X", "citing X", "riferisce l'X", "berichtet X"
_BEFORE = (
    r"(?:according\s+to|told|tells|telling|citing|cited\s+by|quoted\s+by|reported\s+by|"
    r"reports|reported|via|source|sources|"
    r"secondo(?:\s+quanto\s+(?:riporta|riferisce|scrive|riportato\s+da|riferito\s+da))?|"
    r"riferisce|riporta|riportano|scrive|rende\s+noto|fa\s+sapere|riferito\s+da|"
    r"riportato\s+da|citato\s+da|fonte|fonti|"
    r"berichtet|berichtete|berichten|meldet|meldete|melden|laut|zufolge|wie|"
    r"sagte\s+(?:er|sie)|quelle|"
    r"según|informó|informa|reportó|reporta|de\s+acuerdo\s+con|citado\s+por|fuente|"
    r"selon|d['’]après|rapporte|rapportait|a\s+rapporté|indique|a\s+indiqué|annonce|"
    r"a\s+annoncé|cité\s+par|source|"
    r"сообщает|сообщило|сообщил|сообщила|сообщают|передает|передаёт|передало|"
    r"пишет|по\s+данным|по\s+сообщению|со\s+ссылкой\s+на|рассказал[аи]?|заявил[аи]?|"
    r"источник)"
)
# a cue after the name: "X reports", "X reported", "X said", "(X) meldete"
_AFTER_REPORT = (
    r"(?:reports|reported|reporting|has\s+reported|had\s+reported|wrote|writes|quoted|"
    r"learned|learnt|has\s+learned|reveals|revealed|cited|"
    r"riferisce|riporta|ha\s+riferito|ha\s+riportato|scrive|apprende|ha\s+appreso|"
    r"berichtet|berichtete|meldet|meldete|schreibt|schrieb|erfuhr|"
    r"informa|informó|reporta|reportó|publicó|"
    r"rapporte|a\s+rapporté|indique|a\s+indiqué|rapportait|"
    r"сообщает|сообщило|сообщил|передает|передаёт|передало|пишет|узнал[оа]?)"
)
_AFTER_SAY = r"(?:said|says|stated|meldet|sagt|ha\s+detto|dijo|a\s+dit)"
# words that may precede a name without making it part of a longer proper name
_OK_CAPITALISED = {
    "The", "According", "Citing", "Cited", "Told", "Via", "Source", "Sources", "Secondo",
    "Fonte", "Fonti", "Laut", "Quelle", "Wie", "Según", "Fuente", "Selon", "Par",
    "Per", "Agenzia", "Agencia", "Agence", "Nachrichtenagentur", "Die", "Der", "La", "Il",
    "El", "Le", "L", "D", "News", "Official", "State",
}


@dataclass(frozen=True, slots=True)
class _Agency:
    name: str
    pattern: re.Pattern[str]
    weak: bool


def _alias_pattern(aliases: tuple[str, ...]) -> re.Pattern[str]:
    forms: set[str] = set()
    for alias in aliases:
        forms.add(alias)
        forms.add(alias.upper())
    ordered = sorted(forms, key=len, reverse=True)
    body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in ordered)
    # not inside a longer word, not glued to a hyphenated name ("AP-Moller", "Reuters-Institut")
    return re.compile(rf"(?<![\w\-/.@])(?:{body})(?![\w]|-{_W})")


_TABLE = [_Agency(name, _alias_pattern(aliases), weak)
          for name, (aliases, weak) in _AGENCIES.items()]
# plain substrings tested first (fast, in C) so only agencies named in a text get the regexes
_LITERALS = [(agency, tuple({a.split()[0] for a in _AGENCIES[agency.name][0]}
                            | {a.split()[0].upper() for a in _AGENCIES[agency.name][0]}))
             for agency in _TABLE]

_BEFORE_RE = re.compile(rf"(?:^|[\s,.;:(«\"“„'])\s*{_BEFORE}\s*[:,]?\s*(?:{_DECOR_BEFORE}\s*)*$",
                        re.IGNORECASE)
_AGENCY_WORD_BEFORE = re.compile(
    r"(?:agency|agenzia|agentur|agencia|agence|агентств\w*|информагентств\w*|wire)\s*"
    r"(?:\w+\s+){0,2}$", re.IGNORECASE)
_AFTER_RE = re.compile(
    rf"^\s*(?:{_DECOR_AFTER}\s*)*(?:,\s*)?(?:(?:has|had)\s+)?(?P<verb>{_AFTER_REPORT}|{_AFTER_SAY})\b",
    re.IGNORECASE)
_AGENCY_WORD_AFTER = re.compile(r"^\s*(?:news\s+)?(?:agency|agenzia|agencia|agence|агентство|wire)",
                                re.IGNORECASE)
_DATELINE_AFTER = re.compile(r"^\)\s*\.?\s*(?:[-–—:]|$)")
_TITLE_PREFIX_SEP = re.compile(r"\s*[:|–—]\s*")


def credit_prefix(title: str) -> tuple[str, str | None]:
    """Split a leading "Agency:" credit off a title: ``("Israel, Syria ...", "Reuters")``."""
    stripped = title.lstrip()
    for agency in _TABLE:
        m = agency.pattern.match(stripped)
        if not m:
            continue
        sep = _TITLE_PREFIX_SEP.match(stripped, m.end())
        if sep and sep.end() < len(stripped):
            return stripped[sep.end():].strip(), agency.name
    return title.strip(), None


def _title_credit(title: str) -> str | None:
    _, agency = credit_prefix(title)
    if agency:
        return agency
    # "Headline | Reuters", "Headline - AFP"
    for agency_ in _TABLE:
        for m in agency_.pattern.finditer(title):
            tail = title[m.end():].strip()
            head = title[:m.start()].rstrip()
            if not tail and head[-1:] in {"|", "-", "–", "—"}:
                return agency_.name
    return None


def _is_glued_to_name(before: str) -> bool:
    """True for "Thomson Reuters", "Michael Bloomberg": a capitalised word right before."""
    m = re.search(r"(\w+)\s+$", before)
    if not m or before.rstrip().endswith((",", ";", ":", "(", ".")):
        return False
    word = m.group(1)
    return word[:1].isupper() and word not in _OK_CAPITALISED and not word.isupper()


def _first_credit(text: str, agency: _Agency) -> int | None:
    """Offset of the first credit of ``agency`` in ``text``, or None."""
    for m in agency.pattern.finditer(text):
        start, end = m.start(), m.end()
        before = text[max(0, start - 80):start]
        after = text[end:end + 80]
        # dateline or credit in parentheses: "LONDON (Reuters) -", "(EFE).-", "(ANSA)" at the end
        if before.endswith("(") and (_DATELINE_AFTER.match(after) or not text[end + 1:].strip()):
            return start
        if re.search(r"\((?:[^()\n]{0,40}[,;]\s*)?$", before) and _DATELINE_AFTER.match(after):
            return start
        if _is_glued_to_name(before):
            continue
        agency_word = bool(_AGENCY_WORD_BEFORE.search(before) or _AGENCY_WORD_AFTER.match(after))
        cue_before = bool(_BEFORE_RE.search(before))
        after_m = _AFTER_RE.match(after)
        if agency.weak and not agency_word:
            # a short acronym needs a reporting verb right after it, not only "said"
            if after_m and re.match(_AFTER_REPORT, after_m.group("verb"), re.IGNORECASE):
                return start
            continue
        if cue_before or after_m:
            return start
    return None


def detect_attribution(title: str | None, text: str | None) -> str | None:
    """The canonical name of the agency the article credits, or None."""
    if title:
        found = _title_credit(title)
        if found:
            return found
    if not text:
        return None
    best: tuple[int, str] | None = None
    for agency, literals in _LITERALS:
        if not any(word in text for word in literals):
            continue
        offset = _first_credit(text, agency)
        if offset is not None and (best is None or offset < best[0]):
            best = (offset, agency.name)
    return best[1] if best else None


def agency_in_byline(author: str | None) -> str | None:
    """An agency named as the author ("Reuters", "TOM KRISHER, AP Auto Writer", "dpa/AFP")."""
    if not author or len(author) > 80:
        return None
    for agency in _TABLE:
        m = agency.pattern.search(author)
        if m and (not agency.weak or m.group(0) == author.strip()):
            return agency.name
    return None
