"""Flat cost: the index and the clusterer's memory hold only the time window, so the work
per article does not grow with the store (timing itself lives in ``bench cluster --scale``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tidings.benchmarks.cluster_scale import SyntheticStream
from tidings.cluster.clusterer import ClusterConfig, ClusterDoc, StoryClusterer
from tidings.cluster.index import WindowIndex


def test_stories_leave_the_index_with_the_window() -> None:
    index = WindowIndex()
    index.add(1, ["kumamoto", "quake"], day=100.0)
    index.add(2, ["ridgecrest", "quake"], day=110.0)
    assert set(index.candidates(["quake"], 10)) == {1, 2}
    assert index.expire(before=105.0) == [1]
    assert index.candidates(["quake", "kumamoto"], 10) == [2]
    index.add(2, ["quake"], day=130.0)  # a new article keeps a story open
    assert index.expire(before=120.0) == []
    assert len(index) == 1


def test_common_terms_do_not_fetch_candidates() -> None:
    index = WindowIndex(max_postings=3)
    for story in range(5):
        index.add(story, ["police", f"name{story}"], day=1.0)
    assert index.candidates(["police"], 10) == []
    assert index.candidates(["police", "name3"], 10) == [3]


def test_memory_stays_bounded_by_the_window() -> None:
    config = ClusterConfig(window_days=2.0)
    clusterer = StoryClusterer(config)
    stream = iter(SyntheticStream(seed=3))
    sizes = []
    for n in range(1, 2401):
        doc, _ = next(stream)
        # 300 synthetic articles a day: ~600 in a two-day window
        clusterer.add(doc)
        if n % 600 == 0:
            sizes.append((len(clusterer._docs), len(clusterer.index)))
    docs_in_memory = [d for d, _ in sizes]
    assert max(docs_in_memory) < 1000  # not the 2,400 seen
    assert docs_in_memory[-1] <= docs_in_memory[1] * 1.3
    assert len(clusterer.labels()) == 2400  # every article still has its story


def test_late_article_does_not_join_a_closed_story() -> None:
    clusterer = StoryClusterer(ClusterConfig(window_days=3.0))
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    text = ("Kumamoto earthquake magnitude 6.8 Mashiki Kyushu rescuers collapsed homes "
            "Japan Meteorological Agency aftershocks Shinzo Abe")
    first = clusterer.add(ClusterDoc(1, "Kumamoto quake", text, t0))
    filler = clusterer.add(ClusterDoc(2, "Budget vote", "Parliament passed the budget in "
                                      "Canberra", t0 + timedelta(days=10)))
    late = clusterer.add(ClusterDoc(3, "Kumamoto quake anniversary", text, t0 + timedelta(days=10)))
    assert filler.story != first.story
    assert late.story != first.story
