"""Synthetic RSS documents of a chosen size, shared by the ingest and feed benchmarks.

Deterministic per feed number, so two runs (and two harnesses) serve the same bytes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import format_datetime

_VOCABULARY = ("the minister said on council market report river city harbour bank rates storm "
         "vote parliament energy project company workers union shares prices growth region "
         "agreement talks officials according statement week government police court data "
         "survey research university hospital schools budget plan rail ferry coast museum "
         "festival season team record election housing investment export import weather "
         "forecast local national international policy reform tax inflation")
WORDS = tuple(_VOCABULARY.split())


def synthetic_feed(n: int, items: int, words: int, now: datetime, language: str = "en") -> bytes:
    """One RSS 2.0 document with ``items`` items of about ``words`` words each, declared to be
    in ``language`` (the words stay English: only what the store does with the code changes)."""
    rng = random.Random(n)
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
           f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
           f"<title>Bench outlet {n}</title><link>https://outlet-{n}.example/</link>"
           f"<description>Synthetic feed {n}</description><language>{language}</language>"]
    for i in range(items):
        paragraphs = []
        left = words
        while left > 0:
            size = min(left, rng.randint(40, 80))
            sentence = " ".join(rng.choice(WORDS) for _ in range(size))
            paragraphs.append(f"<p>{sentence.capitalize()}.</p>")
            left -= size
        when = format_datetime(now - timedelta(minutes=17 * i + n % 13))
        title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        out.append(f"<item><title>{title}</title>"
                   f"<link>https://outlet-{n}.example/news/{i}?utm_source=rss</link>"
                   f'<guid isPermaLink="false">outlet-{n}-item-{i}</guid>'
                   f"<pubDate>{when}</pubDate><description>{title}</description>"
                   f"<content:encoded><![CDATA[{''.join(paragraphs)}]]></content:encoded>"
                   f"</item>")
    out.append("</channel></rss>")
    return "".join(out).encode()
