"""The clusterer on small hand-written reports: events of one kind stay apart, copies join
their original, and merges and splits are reported so stored ids can follow."""

from __future__ import annotations

from datetime import date

from tidings.cluster.clusterer import ClusterConfig, ClusterDoc, StoryClusterer
from tidings.cluster.features import extract, stop_words
from tidings.cluster.headline import representative_title
from tidings.textnorm import name_key

from .reports import QUAKE_CALIFORNIA, QUAKE_JAPAN, WIRE


def _docs() -> list[ClusterDoc]:
    docs = []
    for i, (title, text) in enumerate(QUAKE_JAPAN):
        docs.append(ClusterDoc(f"jp{i}", title, text, date(2016, 4, 16), "en"))
    for i, (title, text) in enumerate(QUAKE_CALIFORNIA):
        docs.append(ClusterDoc(f"us{i}", title, text, date(2016, 4, 17), "en"))
    return docs


def _partition(labels: dict) -> set[frozenset]:
    groups: dict = {}
    for key, story in labels.items():
        groups.setdefault(story, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def test_two_earthquakes_stay_apart_in_any_order() -> None:
    docs = _docs()
    expected = {frozenset(f"jp{i}" for i in range(3)), frozenset(f"us{i}" for i in range(3))}
    for order in (docs, docs[::-1], docs[::2] + docs[1::2]):
        clusterer = StoryClusterer()
        for doc in order:
            clusterer.add(doc)
        assert _partition(clusterer.labels()) == expected


def test_verbatim_copy_points_at_the_earliest_copy() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(ClusterDoc(1, WIRE[0], WIRE[1], date(2026, 2, 1)))
    copy = clusterer.add(ClusterDoc(2, "ECB lifts rates", WIRE[1] + " (Reuters)", date(2026, 2, 1)))
    again = clusterer.add(ClusterDoc(3, WIRE[0], "By staff. " + WIRE[1], date(2026, 2, 2)))
    assert first.duplicate_of is None
    assert copy.duplicate_of == 1 and copy.story == first.story
    assert again.duplicate_of == 1  # the original, never the copy in between
    own = clusterer.add(ClusterDoc(4, *QUAKE_JAPAN[0], date(2026, 2, 2)))
    assert own.duplicate_of is None and own.story != first.story


def test_stories_that_are_one_merge_and_report_the_old_id() -> None:
    # joining is made impossible, so only the merge step can bring the reports together
    config = ClusterConfig(threshold=1.01, merge_ratio=0.3, merge_floor=0.05)
    clusterer = StoryClusterer(config)
    a = clusterer.add(ClusterDoc("a", *QUAKE_JAPAN[0], date(2016, 4, 16)))
    b = clusterer.add(ClusterDoc("b", *QUAKE_JAPAN[1], date(2016, 4, 16)))
    assert len(b.merged) == 1
    gone, survivor = next(iter(b.merged.items()))
    assert survivor == b.story and a.story in (gone, survivor) and gone != survivor
    assert clusterer.resolve(gone) == survivor
    assert clusterer.labels() == {"a": survivor, "b": survivor}
    far = clusterer.add(ClusterDoc("c", *QUAKE_CALIFORNIA[0], date(2016, 4, 17)))
    assert far.merged == {} and far.story != survivor


def test_a_story_holding_two_events_is_split() -> None:
    # a low threshold lets both earthquakes into one story; the split check separates them
    config = ClusterConfig(threshold=0.01, split_min=4, split_ratio=0.7, merge_ratio=0.0)
    clusterer = StoryClusterer(config)
    splits = {}
    for doc in _docs():
        splits.update(clusterer.add(doc).split)
    assert splits
    assert _partition(clusterer.labels()) == {frozenset(f"jp{i}" for i in range(3)),
                                              frozenset(f"us{i}" for i in range(3))}


def test_restore_puts_documents_back_without_deciding() -> None:
    clusterer = StoryClusterer()
    clusterer.restore(ClusterDoc(10, *QUAKE_JAPAN[0], date(2016, 4, 16)), story=42)
    result = clusterer.add(ClusterDoc(11, *QUAKE_JAPAN[1], date(2016, 4, 16)))
    assert result.story == 42
    other = clusterer.add(ClusterDoc(12, *QUAKE_CALIFORNIA[0], date(2016, 4, 17)))
    assert other.new_story and other.story > 42


def test_names_numbers_and_dates_become_features() -> None:
    features = extract("Quake hits", "A magnitude 7.1 quake hit Ridgecrest, California in "
                       "July 2019. Gavin Newsom spoke.", "en")
    assert "E|" + name_key("Ridgecrest") in features
    assert f"E|{name_key('Gavin')} {name_key('Newsom')}" in features
    assert "#|2019" in features and "D|2019-07" in features
    assert "the" not in features and "in" not in features


def test_stop_words_of_other_languages_do_not_make_stories_alike() -> None:
    assert {"der", "und", "die"} <= stop_words("de")
    clusterer = StoryClusterer()
    a = clusterer.add(ClusterDoc(1, "Der Zug und die Bahn", "Der Streik der Lokführer und die "
                                 "Deutsche Bahn in Leipzig.", date(2026, 1, 5), "de"))
    b = clusterer.add(ClusterDoc(2, "Der Wald und die Feuer", "Der Waldbrand und die Feuerwehr "
                                 "in Brandenburg bei Cottbus.", date(2026, 1, 5), "de"))
    assert a.story != b.story


def test_representative_title_is_the_one_most_like_the_others() -> None:
    titles = ["Flash: quake", "Magnitude 7.1 earthquake hits Ridgecrest",
              "Earthquake of magnitude 7.1 shakes Ridgecrest", "Ridgecrest earthquake magnitude"]
    assert "Ridgecrest" in representative_title(titles, "en")
    assert representative_title([]) == ""
