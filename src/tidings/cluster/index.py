"""An inverted index from rare terms to the stories that use them, bounded by a time window.

Assigning an article looks only at stories sharing one of the article's most distinctive
terms, and stories leave the index when their newest article falls out of the window. The
work per article therefore depends on how much news arrives within the window, not on how
many articles the store holds.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable


class WindowIndex:
    """term -> {story id: number of its articles indexed under the term}."""

    def __init__(self, max_postings: int = 400):
        self.max_postings = max_postings  # a term used by more stories is not distinctive
        self._postings: dict[str, dict[int, int]] = {}
        self._terms: dict[int, Counter[str]] = {}  # story -> its indexed terms
        self._expiry: list[tuple[float, int]] = []  # (newest day, story), a lazy heap
        self._newest: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, story: int, terms: Iterable[str], day: float | None) -> None:
        own = self._terms.setdefault(story, Counter())
        for term in terms:
            own[term] += 1
            posting = self._postings.setdefault(term, {})
            posting[story] = posting.get(story, 0) + 1
        if day is not None and day > self._newest.get(story, float("-inf")):
            self._newest[story] = day
            heapq.heappush(self._expiry, (day, story))

    def remove(self, story: int, terms: Iterable[str]) -> None:
        own = self._terms.get(story)
        if own is None:
            return
        for term in terms:
            own[term] -= 1
            posting = self._postings.get(term)
            if posting is None:
                continue
            left = posting.get(story, 0) - 1
            if left > 0:
                posting[story] = left
            else:
                posting.pop(story, None)
                if not posting:
                    del self._postings[term]
            if own[term] <= 0:
                del own[term]

    def drop(self, story: int) -> None:
        """Forget a story entirely (merged away, emptied, or out of the window)."""
        own = self._terms.pop(story, None)
        self._newest.pop(story, None)
        if own is None:
            return
        for term in own:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(story, None)
                if not posting:
                    del self._postings[term]

    def expire(self, before: float) -> list[int]:
        """Drop stories whose newest article is older than ``before``; return their ids."""
        gone: list[int] = []
        while self._expiry and self._expiry[0][0] < before:
            day, story = heapq.heappop(self._expiry)
            if self._newest.get(story) == day:
                self.drop(story)
                gone.append(story)
        return gone

    def candidates(self, terms: Iterable[str], limit: int) -> list[int]:
        """Stories sharing the most of ``terms`` (ties: the newest story id first)."""
        hits: dict[int, int] = {}
        for term in terms:
            posting = self._postings.get(term)
            if not posting or len(posting) > self.max_postings:
                continue
            for story in posting:
                hits[story] = hits.get(story, 0) + 1
        if len(hits) <= limit:
            return sorted(hits, key=lambda s: (-hits[s], -s))
        return heapq.nsmallest(limit, hits, key=lambda s: (-hits[s], -s))
