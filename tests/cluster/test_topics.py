"""Names in an article and which thing a shared name means (the pure rules)."""

from __future__ import annotations

from tidings.cluster.namekey import name_key, slugify, word_key
from tidings.cluster.topics import ESTABLISHED_ARTICLES, Sense, choose_sense, mentions


def names(title: str, text: str, language: str | None = "en") -> dict[str, str]:
    return {m.key: m.name for m in mentions(title, text, language)}


def test_one_key_across_scripts_and_cases() -> None:
    assert word_key("Norland") == word_key("Норланд") == word_key("Норланда") \
        == word_key("Норландом")
    assert word_key("Elna") == word_key("Эльна")
    assert word_key("Grenhavn") == word_key("Гренхавне")
    assert name_key(["Ilse", "Marren"]) == name_key(["Ильсе", "Маррен"])
    assert word_key("Paris") != word_key("Perth")
    assert slugify("Банк Норланда") == "bank-norlanda"
    assert slugify("Calder Bay FC") == "calder-bay-fc"


def test_names_runs_connectors_and_possessives() -> None:
    found = names("Bank of Norland lifts rates again",
                  "The Bank of Norland raised its rate on Thursday. Governor Ilse Marren said "
                  "Norland's inflation was falling, speaking in Askeby.")
    assert found[name_key(["Bank", "Norland"])] == "Bank of Norland"
    assert found[name_key(["Ilse", "Marren"])] == "Ilse Marren"  # the role is not the name
    assert name_key(["Norland"]) in found and name_key(["Askeby"]) in found
    assert name_key(["Thursday"]) not in found


def test_a_capital_that_only_starts_a_sentence_is_not_a_name() -> None:
    found = names("Researchers map a reef", "Researchers said the reef was large. Divers "
                  "counted fish near Skarn.")
    assert set(found) == {name_key(["Skarn"])}


def test_a_lone_surname_is_the_full_name() -> None:
    found = names("Record in Askeby", "Jelagat Rono won the race in Askeby. Afterwards Rono "
                  "said the course was fast.")
    assert name_key(["Rono"]) not in found
    assert found[name_key(["Jelagat", "Rono"])] == "Jelagat Rono"


def test_headline_case_titles_say_nothing() -> None:
    assert names("Storm Batters The Coast Overnight", "It rained.") == {}


def test_russian_names() -> None:
    found = names("Шторм «Эльна» затопил прибрежные города Норланда",
                  "Шторм обрушился на побережье, в Гренхавне затоплены улицы.", "ru")
    assert {name_key(["Norland"]), name_key(["Elna"]), name_key(["Grenhavn"])} <= set(found)


def _sense(topic_id: int, articles: int, context: dict[str, int], peak: int) -> Sense:
    return Sense(topic_id, topic_id, articles, context, peak)


def test_choose_sense_rules() -> None:
    bulls = _sense(1, 4, {"chicago bulls": 4}, peak=4)  # focused: one companion everywhere
    # the same story: the sense already there, whatever the companions
    assert choose_sense([bulls], {"aman", "israel"}, in_story=1) == 1
    # a shared companion picks the sense
    assert choose_sense([bulls], {"chicago bulls", "boston"}, in_story=None) == 1
    # nothing shared, a focused sense, two unknown companions: another thing of that name
    assert choose_sense([bulls], {"aman", "israel"}, in_story=None) is None
    # one companion is too little to tell
    assert choose_sense([bulls], {"aman"}, in_story=None) == 1
    # a broad sense (a country: beside something different every time) takes everything
    country = _sense(2, 6, {}, peak=1)
    assert choose_sense([country], {"storm eln", "grenhavn"}, in_story=None) == 2
    # a young sense is not split either
    young = _sense(3, ESTABLISHED_ARTICLES - 1, {}, peak=ESTABLISHED_ARTICLES - 1)
    assert choose_sense([young], {"a", "b", "c"}, in_story=None) == 3
    # no sense yet: a new one
    assert choose_sense([], {"a"}, in_story=None) is None
    # two senses: the one sharing more companions
    amman = _sense(4, 3, {"aman": 3, "israel": 1}, peak=3)
    assert choose_sense([bulls, amman], {"aman", "israel", "chicago bulls"},
                        in_story=None) == 4
