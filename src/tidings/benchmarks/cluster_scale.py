"""``tidings bench cluster --scale``: the cost of one assignment as the store grows.

A synthetic stream stands in for years of news: a Zipfian vocabulary of made-up words, a
pool of recurring names whose popularity is Zipfian too, and events that each have their own
handful of specific words, names and numbers, reported by one to ten outlets. About 300
articles arrive per day. The stream is preloaded into the clusterer through
:meth:`~tidings.cluster.clusterer.StoryClusterer.restore` (the path a restarted server takes),
then 2,000 further articles are timed through :meth:`~tidings.cluster.clusterer.StoryClusterer.add`
(the path every new article takes) at each size. With the time window bounding the index,
the largest size should cost no more than 1.5 times the 10k figure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import numpy

from tidings.cluster.clusterer import ClusterConfig, ClusterDoc, StoryClusterer

PER_DAY = 300
TIMED = 2_000
VOCABULARY = 40_000
NAMES = 8_000
_SYLLABLES = ("ka", "to", "ri", "mu", "sen", "dal", "or", "vi", "ne", "pa", "lo", "stra", "ben",
              "gor", "ith", "ul", "mar", "cha", "fe", "zi", "qua", "tem", "bro", "lin", "dus",
              "per", "hal", "nor", "wey", "jo", "ske")
_GLUE = ("the", "of", "and", "to", "in", "a", "on", "for", "said", "that", "with", "by", "was",
         "at", "from", "as")


class SyntheticStream:
    """Reproducible synthetic articles (see the module docstring)."""

    def __init__(self, seed: int = 0):
        self.rng = numpy.random.default_rng(seed)
        self.words = self._make_words(VOCABULARY, 2, 3)
        self.names = [w.capitalize() for w in self._make_words(NAMES, 2, 3, offset=7)]
        ranks = numpy.arange(1, VOCABULARY + 1)
        self.word_p = (1.0 / ranks ** 1.07) / numpy.sum(1.0 / ranks ** 1.07)
        name_ranks = numpy.arange(1, NAMES + 1)
        self.name_p = (1.0 / name_ranks) / numpy.sum(1.0 / name_ranks)
        self.start = datetime(2020, 1, 1, tzinfo=UTC)
        self.count = 0
        self.event = 0

    def _make_words(self, n: int, low: int, high: int, offset: int = 0) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        k = len(_SYLLABLES)
        i = offset
        while len(out) < n:
            parts, x = [], i
            for _ in range(low + i % (high - low + 1)):
                parts.append(_SYLLABLES[x % k])
                x //= k
            word = "".join(parts) + ("" if x == 0 else str(x))
            if word not in seen:
                seen.add(word)
                out.append(word)
            i += 1
        return out

    def __iter__(self) -> Iterator[tuple[ClusterDoc, int]]:
        while True:
            yield from self._event()

    def _event(self) -> list[tuple[ClusterDoc, int]]:
        rng = self.rng
        self.event += 1
        specific = [self.words[i] for i in rng.integers(300, VOCABULARY, 12)]
        names = [self.names[i] for i in rng.choice(NAMES, 4, p=self.name_p)]
        number = str(int(rng.integers(2, 500)))
        out = []
        for _ in range(int(rng.integers(1, 11))):
            day = self.start + timedelta(days=self.count / PER_DAY)
            self.count += 1
            general = [self.words[i] for i in rng.choice(VOCABULARY, 110, p=self.word_p)]
            body = general + list(rng.choice(specific, 30)) + list(rng.choice(names, 10)) \
                + [number] * 2 + list(rng.choice(_GLUE, 60))
            rng.shuffle(body)
            sentences = [" ".join(body[i:i + 14]) for i in range(0, len(body), 14)]
            text = ". ".join(s[:1].upper() + s[1:] for s in sentences) + "."
            title = " ".join([names[0], *rng.choice(specific, 4), number])
            out.append((ClusterDoc(id=self.count, title=title, text=text, published=day,
                                   language="en"), self.event))
        return out


def run_scale(*, million: bool = False, seed: int = 0,
              report: Callable[[str], None] | None = None) -> dict[str, object]:
    """Preload to each size, time 2,000 assignments there; return the per-size figures."""
    sizes = [10_000, 100_000] + ([1_000_000] if million else [])
    stream = iter(SyntheticStream(seed))
    clusterer = StoryClusterer(ClusterConfig(window_days=30.0))
    loaded = 0
    results: dict[str, dict[str, float]] = {}
    for size in sizes:
        start, before = time.process_time(), loaded
        while loaded < size:
            doc, event = next(stream)
            clusterer.restore(doc, story=event)
            loaded += 1
        preload = time.process_time() - start
        batch = [next(stream)[0] for _ in range(TIMED)]  # made before the clock starts
        start = time.process_time()  # CPU time: one core's work, whatever else runs
        for doc in batch:
            clusterer.add(doc)
        elapsed = time.process_time() - start
        loaded += TIMED
        results[str(size)] = {
            "ms_per_assignment": 1000.0 * elapsed / TIMED,
            "docs_per_s": TIMED / elapsed,
            "open_stories": float(clusterer.open_stories),
            "indexed_stories": float(len(clusterer.index)),
            "preload_docs_per_s": (size - before) / preload if preload > 0 else 0.0,
        }
        if report is not None:
            r = results[str(size)]
            report(f"{size:>9,} preloaded: {r['ms_per_assignment']:.2f} ms per assignment, "
                   f"{int(r['indexed_stories'])} stories in the window")
    base = results["10000"]["ms_per_assignment"]
    largest = results[str(sizes[-1])]["ms_per_assignment"]
    return {"sizes": results, "ratio_largest_to_10k": largest / base,
            "flat": largest <= 1.5 * base, "timed_assignments": TIMED,
            "articles_per_day": PER_DAY}
