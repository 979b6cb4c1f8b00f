"""Count-and-time splitting of "latest" rows, property-tested over generated counts and labels."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tidings.extract.timelabels import parse_count, parse_time_label, split_count_and_time

TZ = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 2, 15, 12, 0, tzinfo=TZ)
YESTERDAY_WORDS = ["Yesterday", "Ieri", "Gestern", "Ayer", "Hier", "Вчера"]
TODAY_WORDS = ["Today", "Oggi", "Heute", "Hoy", "Aujourd'hui", "Сегодня"]

counts = st.integers(min_value=0, max_value=9_999_999)
hours = st.integers(min_value=0, max_value=23)
minutes = st.integers(min_value=0, max_value=59)
days_back = st.integers(min_value=2, max_value=900)


@st.composite
def labels(draw: st.DrawFn) -> tuple[str, datetime]:
    """A label as sites print it, and the moment it stands for."""
    h, m = draw(hours), draw(minutes)
    kind = draw(st.sampled_from(["today", "word-yesterday", "word-today", "date"]))
    today = NOW.date()
    if kind == "today":
        return f"{h:02d}:{m:02d}", datetime.combine(today, time(h, m), tzinfo=TZ)
    if kind == "word-yesterday":
        word = draw(st.sampled_from(YESTERDAY_WORDS))
        return (f"{word}, {h:02d}:{m:02d}",
                datetime.combine(today - timedelta(days=1), time(h, m), tzinfo=TZ))
    if kind == "word-today":
        word = draw(st.sampled_from(TODAY_WORDS))
        return f"{word}, {h:02d}:{m:02d}", datetime.combine(today, time(h, m), tzinfo=TZ)
    day: date = today - timedelta(days=draw(days_back))
    return (f"{day.day:02d}.{day.month:02d}.{day.year}, {h:02d}:{m:02d}",
            datetime.combine(day, time(h, m), tzinfo=TZ))


@given(counts, labels())
def test_glued_count_and_label_split(count: int, label: tuple[str, datetime]) -> None:
    text, expected = label
    found = split_count_and_time(f"{count}{text}", NOW, TZ)
    assert found is not None
    assert found.views == count
    assert found.when == expected
    assert found.label == text


@given(counts, labels())
def test_label_then_glued_count(count: int, label: tuple[str, datetime]) -> None:
    text, expected = label
    found = split_count_and_time(f"{text}{count}", NOW, TZ)
    assert found is not None and (found.views, found.when) == (count, expected)


@given(counts, labels(), st.sampled_from(["{c} views", "👁 {c}", "{c} visualizzazioni"]))
def test_count_with_view_words(count: int, label: tuple[str, datetime], form: str) -> None:
    text, expected = label
    found = split_count_and_time(f"{form.format(c=count)} · {text}", NOW, TZ)
    assert found is not None and (found.views, found.when) == (count, expected)


@given(counts, labels(), st.sampled_from([" ", " · ", " | ", "  "]))
def test_separated_count_and_label(count: int, label: tuple[str, datetime], sep: str) -> None:
    text, expected = label
    found = split_count_and_time(f"{count}{sep}{text}", NOW, TZ)
    assert found is not None and (found.views, found.when) == (count, expected)


@given(labels())
def test_label_without_count(label: tuple[str, datetime]) -> None:
    text, expected = label
    found = split_count_and_time(text, NOW, TZ)
    assert found is not None and found.views is None and found.when == expected


@given(st.integers(min_value=1, max_value=59),
       st.sampled_from([("{n} min ago", "minutes"), ("{n} minutes ago", "minutes"),
                        ("{n} hours ago", "hours"), ("{n} ore fa", "hours"),
                        ("vor {n} Stunden", "hours"), ("hace {n} horas", "hours"),
                        ("il y a {n} minutes", "minutes"), ("{n} дней назад", "days"),
                        ("{n} days ago", "days")]),
       counts)
def test_relative_labels(n: int, pattern: tuple[str, str], count: int) -> None:
    template, unit = pattern
    label = template.format(n=n)
    assert parse_time_label(label, NOW, TZ) == NOW - timedelta(**{unit: n})
    # glued to a count a leading number is ambiguous; a separator settles it
    found = split_count_and_time(f"{count} · {label}", NOW, TZ)
    assert found is not None and found.views == count


@given(st.integers(min_value=1000, max_value=9_999_999))
def test_counts_with_thousands_separators(n: int) -> None:
    assert parse_count(f"{n:,}") == n
    assert parse_count(f"{n:,}".replace(",", ".")) == n
    assert parse_count(f"{n:,}".replace(",", "\u202f")) == n


def test_seed_rows() -> None:
    rows = {"11611:25": (116, "15 11:25"), "294Yesterday, 22:40": (294, "14 22:40"),
            "73613.02.2026, 00:18": (736, "13 00:18"), "73713.02.2026, 00:01": (737, "13 00:01")}
    for text, (views, when) in rows.items():
        found = split_count_and_time(text, NOW, TZ)
        assert found is not None and (found.views, found.when.strftime("%d %H:%M")) == (views, when)


def test_not_labels() -> None:
    for text in ["Bad weather, love arch destroyed", "2026", "Yesterday was sunny", "",
                 "Death isn't the end", "Pentagon Used Anthropic’s Claude in Maduro Raid"]:
        assert split_count_and_time(text, NOW, TZ) is None, text
    # impossible as labels on their own (glued, "3" + "1.02.2026" would be a reading)
    assert parse_time_label("31.02.2026", NOW, TZ) is None
    assert parse_time_label("25:10", NOW, TZ) is None
    assert parse_count("12.5") is None and parse_count("1.2k") == 1200


WORDS = ["harbour", "council", "storm", "budget", "Minister", "bridge", "election", "museum",
         "ferry", "rail", "market", "school", "award", "Senate", "festival", "river"]
titles = st.lists(st.sampled_from(WORDS), min_size=3, max_size=9).map(
    lambda ws: " ".join(ws).capitalize())


@settings(deadline=None)  # the first call loads the language model
@given(st.lists(st.tuples(titles, counts, labels()), min_size=1, max_size=8))
@example([("Harbour council storm", 5, ("30.03.2025, 02:30",  # in the spring-forward gap
                                        datetime(2025, 3, 30, 2, 30, tzinfo=TZ)))])
def test_whole_dump_round_trip(rows: list[tuple[str, int, tuple[str, datetime]]]) -> None:
    from tidings.importers.savedpage import parse_text_dump

    body = "Headline of the day\nA first paragraph of the article, long enough to be a body.\n\n"
    dump = body + "".join(f"{t}\n{c}{label}\n" for t, c, (label, _w) in rows)
    page = parse_text_dump(dump, NOW, TZ)
    assert page.title == "Headline of the day"
    # compared in UTC: a wall time in a DST gap or fold never equals another zone's (PEP 495)
    assert [(e.title, e.views, e.published_at) for e in page.entries] == [
        (t, c, w.astimezone(UTC)) for t, c, (_label, w) in rows]
