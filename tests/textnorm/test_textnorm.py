"""Language-blind normal forms: one token for a number in every national format, one month
for its name in every common language, one key for a name in every script."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.cluster.features import extract
from tidings.textnorm import (
    CALENDAR_LOCALES,
    canonical_number,
    fold,
    is_weekday,
    month_number,
    name_key,
)

NUMBER_LOCALES = ("en", "es", "it", "nl", "de", "fr", "ru", "pt", "pl", "sv", "en_IN")


@pytest.mark.parametrize(("written", "canonical"), [
    ("13,000", "13000"), ("13.000", "13000"), ("13 000", "13000"), ("13\u00a0000", "13000"),
    ("13\u202f000", "13000"), ("13'000", "13000"), ("1’000’000", "1000000"),
    ("7 465,95", "7465.95"), ("4.25", "4.25"), ("4,25", "4.25"), ("7,465.95", "7465.95"),
    ("7.465,95", "7465.95"), ("1.000.000", "1000000"), ("1,000,000", "1000000"),
    ("0,750", "0.75"), ("2.50", "2.5"), ("007", "7"), ("2019", "2019"), ("1,5", "1.5"),
])
def test_numbers_in_national_formats(written: str, canonical: str) -> None:
    assert canonical_number(written) == canonical


@pytest.mark.parametrize("written", ["2010 300", "12 34", "abc", "", "1.2.3,4,5x"])
def test_what_only_looks_like_a_grouped_number_is_none(written: str) -> None:
    assert canonical_number(written) is None


@settings(deadline=None)  # the first example loads Babel's data: slow on a busy machine
@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(NUMBER_LOCALES))
def test_a_whole_number_has_one_token_in_every_locale(value: int, locale: str) -> None:
    assert canonical_number(format_decimal(value, locale=locale)) == str(value)


@settings(deadline=None)  # the first example loads Babel's data: slow on a busy machine
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=99),
       st.sampled_from(NUMBER_LOCALES))
def test_a_decimal_with_two_places_has_one_token_in_every_locale(
        whole: int, cents: int, locale: str) -> None:
    value = Decimal(whole) + Decimal(cents) / 100
    written = format_decimal(value, format="#,##0.00", locale=locale)
    assert canonical_number(written) == str(value.normalize().__format__("f"))


def test_percentages_and_spaced_thousands_reach_the_features() -> None:
    english = extract("", "Rates rose to 4.25% and 13,000 people marched.")
    russian = extract("", "Ставка выросла до 4,25 %, на марш вышли 13 000 человек.")
    spanish = extract("", "El tipo subió al 4,25% y 13.000 personas marcharon.")
    for features in (english, russian, spanish):
        assert {"#|4.25", "#|13000"} <= set(features)


@pytest.mark.parametrize("name", ["July", "julio", "luglio", "juli", "Juli", "juillet",
                                  "julho", "июля", "июль", "lipca", "Ιουλίου"])
def test_month_names_of_the_common_languages(name: str) -> None:
    assert month_number(name) == 7


def test_every_month_name_of_every_calendar_locale_maps_back_to_its_number() -> None:
    for code in CALENDAR_LOCALES:
        months = Locale.parse(code).months
        for context in ("format", "stand-alone"):
            for number, name in months[context]["wide"].items():
                assert month_number(name) == number, (code, name)
    assert month_number("table") == 0 and month_number("Apple") == 0


def test_weekdays_are_calendar_words_in_any_language() -> None:
    assert all(is_weekday(d) for d in ("Thursday", "jueves", "giovedì", "donderdag",
                                       "четверг"))
    assert not is_weekday("Norland")


@pytest.mark.parametrize(("written", "dates"), [
    ("on 9 October 2002", {"D|10-09", "D|2002-10"}),
    ("on October 9, 2002", {"D|10-09", "D|2002-10"}),
    ("el 9 de octubre de 2002", {"D|10-09", "D|2002-10"}),
    ("il 9 ottobre 2002", {"D|10-09", "D|2002-10"}),
    ("op 9 oktober 2002", {"D|10-09", "D|2002-10"}),
    ("9 октября 2002 года", {"D|10-09", "D|2002-10"}),
])
def test_dates_written_out_meet_across_languages(written: str, dates: set[str]) -> None:
    features = extract("", written)
    assert {k for k in features if k.startswith("D|")} == dates


@pytest.mark.parametrize(("one", "other"), [
    ("Норланд", "Norland"), ("Норланда", "Norland"), ("Шторм", "Storm"), ("Эльны", "Elna"),
    ("Гренхавне", "Grenhavn"), ("Москва", "Moskva"), ("Zürich", "Zurich"),
    ("Αθήνα", "Athina"), ("Papermaster", "PAPERMASTER"),
])
def test_a_name_has_one_key_in_every_script(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


def test_different_names_keep_different_keys() -> None:
    keys = {name_key(n) for n in ("Norland", "Skarn", "Apple", "Airbus", "Storm", "Elna",
                                  "Askeby", "Grenhavn", "Tarn")}
    assert len(keys) == 9


@settings(deadline=None)  # the first example loads Babel's data: slow on a busy machine
@given(st.text(alphabet=st.characters(categories=("Lu", "Ll")), min_size=1, max_size=12))
def test_name_keys_ignore_case_and_script_and_are_ascii(word: str) -> None:
    key = name_key(word)
    assert key == name_key(word.lower()) == name_key(fold(word))
    assert key.isascii()


def test_fold_transliterates_cyrillic_and_greek() -> None:
    assert fold("Норланд") == "norland" and fold("Эльна") == "elna"
    assert fold("Αθήνα") == "athina" and fold("São") == "sao"
