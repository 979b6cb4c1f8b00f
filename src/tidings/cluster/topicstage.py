"""Topics as stories form: the cluster stage hands each assigned article here, in the same
transaction and order, so topics grow with the stories and ``recluster`` rebuilds them alike.

Per article the cost is flat: its names (at most ``MAX_NAMES``) are looked up by key, and
only their senses' counts of the article's other names are read.
"""

from __future__ import annotations

from datetime import datetime

import regex

from tidings.cluster.clusterer import ClusterDoc
from tidings.cluster.namekey import slugify
from tidings.cluster.topics import Sense, choose_sense, mentions
from tidings.store.topics import MIN_STORIES, TopicRow, TopicWriter

_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_GREEK = regex.compile(r"\p{Greek}")
_SCRIPT_OF_LOCALE = {"ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "el": "greek"}


def _script(text: str) -> str:
    if _CYRILLIC.search(text):
        return "cyrillic"
    return "greek" if _GREEK.search(text) else "latin"


def _slug(name: str, sense: int) -> str:
    return slugify(name) + (f"-{sense}" if sense > 1 else "")


class TopicAssigner:
    """Puts articles into topics for one batch of the cluster stage."""

    def __init__(self, writer: TopicWriter, locale: str):
        self.writer = writer
        self.script = _SCRIPT_OF_LOCALE.get(locale.split("-")[0].lower(), "latin")
        self.touched: set[int] = set()

    def add(self, doc: ClusterDoc, story_id: int, published: datetime) -> None:
        found = mentions(doc.title, doc.text, doc.language)
        if not found or not self.writer.is_public(int(str(doc.id))):
            return
        keys = [m.key for m in found]
        writer = self.writer
        senses = writer.senses(keys)
        in_story = writer.in_story(story_id, keys)
        known = writer.context([t.id for rows in senses.values() for t in rows], keys)
        chosen: list[int] = []
        for m in found:
            companions = set(keys) - {m.key}
            options = [Sense(t.id, t.sense, t.article_count, known.get(t.id, {}), t.context_peak)
                       for t in senses.get(m.key, [])]
            topic_id = choose_sense(options, companions, in_story=in_story.get(m.key))
            if topic_id is None:
                sense = 1 + max((o.sense for o in options), default=0)
                topic_id = writer.create(m.key, sense, m.name, _slug(m.name, sense), published)
            else:
                self._prefer_local_name(topic_id, senses.get(m.key, []), m.name)
            chosen.append(topic_id)
        by_topic = {t: [k for k in keys if k != m.key] for t, m in zip(chosen, found, strict=True)}
        # each companion's count goes up by one: the topic's new peak, if it beats the old
        peaks = {t: 1 + max((known.get(t, {}).get(k, 0) for k in others), default=-1)
                 for t, others in by_topic.items()}
        writer.add(int(str(doc.id)), story_id, published, chosen, by_topic, peaks)
        self.touched.update(chosen)

    def _prefer_local_name(self, topic_id: int, rows: list[TopicRow], name: str) -> None:
        """A topic first named in another script takes the site's script when it appears."""
        for row in rows:
            if row.id == topic_id and _script(row.name) != self.script == _script(name):
                listed = row.story_count >= MIN_STORIES
                self.writer.rename(topic_id, name, None if listed else _slug(name, row.sense))

    def finish(self) -> None:
        self.writer.refresh(self.touched)
