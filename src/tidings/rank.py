"""Pure scoring functions: which stories lead the front page, what is most read and trending.

No I/O: callers pass counts and times, so every rule can be tested and explained alone.
The formulas are written out here and in ``docs/ranking.md``.

Story score (front page)::

    points = OUTLET_WEIGHT * outlets + READ_WEIGHT * log2(1 + reads)
    score  = points / (age_hours + 2) ** STORY_GRAVITY

``outlets`` counts independent outlets (distinct sources with a report of their own; an outlet
that only republished a verbatim wire copy does not count), ``reads`` the story's views,
``age_hours`` the hours since the story's newest report. As with Hacker News' gravity, the
division makes every story sink with time, and more coverage or more reads only delays it.
Outlets weigh most: the aim is "what many newsrooms judged worth reporting", not "what was
clicked". Reads enter through a logarithm so a viral item cannot outrun a story everybody
covers.

Trending (articles and stories)::

    trending = sum over reads r in the window of  1 / (hours_since(r) + 2) ** TREND_GRAVITY

a decayed read velocity: a read now counts 1/2**1.5 ≈ 0.35, a read six hours ago ≈ 0.04. It rises
with how fast reads arrive now, not with how many piled up long ago.

Most read: the number of counted reads (once per visitor per article per day) in the last 24 h.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

OUTLET_WEIGHT = 3.0
READ_WEIGHT = 1.0
STORY_GRAVITY = 1.5
TREND_GRAVITY = 1.5
MOST_READ_WINDOW = timedelta(hours=24)
TRENDING_WINDOW = timedelta(hours=48)


def hours_between(earlier: datetime | None, later: datetime) -> float:
    """Hours from ``earlier`` to ``later``, never negative (clock skew, future dates)."""
    if earlier is None:
        return 0.0
    return max(0.0, (later - earlier).total_seconds() / 3600.0)


def story_score(outlets: int, reads: int, age_hours: float) -> float:
    """The front-page score of a story (formula in the module docstring)."""
    points = OUTLET_WEIGHT * max(0, outlets) + READ_WEIGHT * math.log2(1 + max(0, reads))
    return float(points / (max(0.0, age_hours) + 2.0) ** STORY_GRAVITY)


def trending_score(read_times: Iterable[datetime], now: datetime) -> float:
    """Decayed read velocity: each read weighs ``1 / (hours ago + 2) ** TREND_GRAVITY``."""
    return float(sum(1.0 / (hours_between(t, now) + 2.0) ** TREND_GRAVITY for t in read_times))


def rank_by(scores: dict[int, float], limit: int) -> list[int]:
    """Ids by score, highest first; ties broken by the newer (larger) id."""
    return [k for k, _ in sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0]))[:limit]]
