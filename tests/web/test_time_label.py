"""time_label: the seed's labels, midnight, DST, the future, other languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tidings.web.i18n import normalize_locale, time_label, translator

UTCZ = ZoneInfo("UTC")
ROME = ZoneInfo("Europe/Rome")
NY = ZoneInfo("America/New_York")


def at(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)  # type: ignore[misc]


def test_seed_labels_in_english() -> None:
    now = at(UTCZ, 2026, 2, 15, 12, 0)
    assert time_label(at(UTCZ, 2026, 2, 15, 11, 25), now, UTCZ) == "11:25"
    assert time_label(at(UTCZ, 2026, 2, 14, 22, 40), now, UTCZ) == "Yesterday, 22:40"
    assert time_label(at(UTCZ, 2026, 2, 13, 0, 18), now, UTCZ) == "13.02.2026, 00:18"
    assert time_label(at(UTCZ, 2025, 12, 31, 23, 59), now, UTCZ) == "31.12.2025, 23:59"


def test_midnight_boundaries() -> None:
    now = at(UTCZ, 2026, 2, 15, 0, 0)
    assert time_label(at(UTCZ, 2026, 2, 15, 0, 0), now, UTCZ) == "00:00"
    assert time_label(at(UTCZ, 2026, 2, 14, 23, 59), now, UTCZ) == "Yesterday, 23:59"
    assert time_label(at(UTCZ, 2026, 2, 14, 0, 0), now, UTCZ) == "Yesterday, 00:00"
    assert time_label(at(UTCZ, 2026, 2, 13, 23, 59), now, UTCZ) == "13.02.2026, 23:59"
    late = at(UTCZ, 2026, 2, 15, 23, 59, 59)
    assert time_label(at(UTCZ, 2026, 2, 14, 0, 0), late, UTCZ) == "Yesterday, 00:00"


def test_days_are_counted_in_the_site_zone() -> None:
    now = at(UTCZ, 2026, 2, 15, 23, 30)  # already the 16th in Rome (00:30)
    published = at(UTCZ, 2026, 2, 15, 22, 0)  # 23:00 in Rome on the 15th
    assert time_label(published, now, UTCZ) == "22:00"
    assert time_label(published, now, ROME) == "Yesterday, 23:00"


def test_dst_changes_nothing_but_the_clock() -> None:
    # New York springs forward on 2026-03-08 at 02:00
    now = datetime(2026, 3, 9, 1, 0, tzinfo=NY)
    assert time_label(datetime(2026, 3, 8, 1, 30, tzinfo=NY), now, NY) == "Yesterday, 01:30"
    assert time_label(datetime(2026, 3, 8, 3, 30, tzinfo=NY), now, NY) == "Yesterday, 03:30"
    # a UTC instant on either side of the change shows the right local hour
    assert time_label(datetime(2026, 3, 8, 6, 59, tzinfo=UTC), now, NY) == "Yesterday, 01:59"
    assert time_label(datetime(2026, 3, 8, 7, 0, tzinfo=UTC), now, NY) == "Yesterday, 03:00"
    # Rome falls back on 2026-10-25: 02:30 happens twice, both are "today"
    now = datetime(2026, 10, 25, 12, 0, tzinfo=ROME)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)   # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert time_label(first, now, ROME) == time_label(second, now, ROME) == "02:30"


def test_future_is_never_tomorrow() -> None:
    now = at(UTCZ, 2026, 2, 15, 12, 0)
    assert time_label(now + timedelta(hours=3), now, UTCZ) == "15:00"
    assert time_label(at(UTCZ, 2026, 2, 16, 9, 5), now, UTCZ) == "16.02.2026, 09:05"
    for locale in ("it", "de", "es", "fr", "ru"):
        label = time_label(at(UTCZ, 2026, 2, 16, 9, 5), now, UTCZ, locale)
        assert "2026" in label and "09:05" in label


@pytest.mark.parametrize("locale,word", [("it", "Ieri"), ("de", "Gestern"), ("es", "Ayer"),
                                         ("fr", "Hier"), ("ru", "Вчера"), ("en", "Yesterday")])
def test_yesterday_translated(locale: str, word: str) -> None:
    now = at(UTCZ, 2026, 2, 15, 12, 0)
    assert time_label(at(UTCZ, 2026, 2, 14, 22, 40), now, UTCZ, locale) == f"{word}, 22:40"


def test_other_locales_take_their_date_pattern() -> None:
    now = at(UTCZ, 2026, 2, 15, 12, 0)
    old = at(UTCZ, 2026, 2, 3, 7, 5)
    assert time_label(old, now, UTCZ, "de") == "03.02.2026, 07:05"
    assert time_label(old, now, UTCZ, "it") == "03/02/2026, 07:05"
    assert time_label(old, now, UTCZ, "fr") == "03/02/2026, 07:05"


def test_locale_names_and_ui_strings() -> None:
    assert normalize_locale("de_DE.UTF-8") == "de"
    assert normalize_locale("xx") == "en"
    assert translator("de")("Latest") != "Latest"
    assert translator("en")("Latest") == "Latest"
    assert translator("it")("{n} outlets", n=3) == "3 testate"
