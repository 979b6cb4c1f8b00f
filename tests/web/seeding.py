"""A small, realistic site for the web tests: outlets, a wire story with copies, a CJK article."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tidings.models import Source
from tidings.store import Store
from tidings.store.schema import articles, stories
from tidings.store.schema import topics as topic_table
from tidings.store.topics import TopicWriter

NOW = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)


@dataclass
class Seeded:
    now: datetime
    sources: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)
    stories: dict[str, int] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)  # slugs


def seed(store: Store, now: datetime = NOW, *, extra_latest: int = 0) -> Seeded:
    out = Seeded(now=now)
    for name in ("Reuters Wire", "Daily Planet", "Gazzetta", "Tokyo Shimbun"):
        src = store.sources.add(Source(None, name, f"https://{name.split()[0].lower()}.example"),
                                now - timedelta(days=30))
        assert src.id is not None
        out.sources[name] = src.id
    with store.db.write() as conn:
        def story(key: str, title: str, first: datetime, last: datetime,
                  image: str | None = None) -> None:
            out.stories[key] = conn.execute(stories.insert().values(
                title=title, first_published_at=first, last_published_at=last, image_url=image,
                created_at=first, updated_at=last).returning(stories.c.id)).scalar_one()

        story("border", "Israel, Syria in direct contact over border tensions",
              now - timedelta(hours=5), now - timedelta(hours=1),
              "https://img.example/border.jpg")
        story("arch", "Love arch destroyed at Meledugno", now - timedelta(hours=30),
              now - timedelta(hours=26))

        def article(key: str, source: str, title: str, published: datetime, *,
                    text: str = "", story_key: str | None = None, dup: str | None = None,
                    attribution: str | None = None, language: str = "en",
                    image: str | None = None, views: int = 0) -> None:
            out.articles[key] = conn.execute(articles.insert().values(
                source_id=out.sources[source], entry_key=key, title=title,
                url=f"https://{source.split()[0].lower()}.example/{key}", published_at=published,
                fetched_at=published, content_text=text or None,
                content_html="".join(f"<p>{p}</p>" for p in text.split("\n") if p) or None,
                summary=text[:120] or None, language=language, attribution=attribution,
                image_url=image, views=views,
                story_id=out.stories[story_key] if story_key else None,
                duplicate_of=out.articles[dup] if dup else None,
            ).returning(articles.c.id)).scalar_one()

        border = ("Israel and Syria are in direct contact and have in recent weeks held "
                  "face-to-face meetings aimed at calming tensions, Reuters reports.\n"
                  "The contacts mark a significant development in ties between the two states.")
        article("wire", "Reuters Wire", "Israel, Syria in direct contact over border tensions, "
                "sources say", now - timedelta(hours=5), text=border, story_key="border",
                attribution="Reuters", image="https://img.example/border.jpg", views=116)
        article("copy", "Daily Planet", "Israel, Syria in direct contact over border tensions",
                now - timedelta(hours=4), text=border, story_key="border", dup="wire",
                attribution="Reuters", views=12)
        article("own", "Gazzetta", "Contatti diretti tra Israele e Siria sul confine",
                now - timedelta(hours=1), text="Israele e Siria hanno avviato contatti diretti "
                "sul confine.", story_key="border", language="it", views=7)
        article("arch", "Gazzetta", "Bad weather, love arch destroyed at Meledugno in Salento",
                now - timedelta(hours=30), text="The famous love arch collapsed in the storm.",
                story_key="arch", views=294)
        article("arch2", "Daily Planet", "Salento's love arch collapses after storm",
                now - timedelta(hours=26), text="A storm destroyed the sea arch at Meledugno.",
                story_key="arch", views=40)
        article("cjk", "Tokyo Shimbun", "東京で大雪、交通に乱れ", now - timedelta(days=3),
                text="東京都心で大雪が降り、電車の運行に大きな乱れが出ている。", language="ja",
                views=3)
        article("old", "Daily Planet", "China bought some Venezuelan oil from the US",
                now - timedelta(days=2, hours=11, minutes=42),
                text="China bought Venezuelan crude, Wright says.", views=736)
        # a topic spanning both stories (the cluster stage makes real ones: tests/cluster)
        topics = TopicWriter(conn)
        seeded_before = conn.execute(sa.select(sa.func.count()).select_from(topic_table)
                                     ).scalar_one()
        topic = topics.create(f"sample topic {seeded_before}", 1, "Sample topic",
                              "sample-topic", now)
        for key, story_key in (("wire", "border"), ("arch", "arch")):
            topics.add(out.articles[key], out.stories[story_key], now, [topic], {topic: []}, {})
        out.topics["sample"] = conn.execute(sa.select(topic_table.c.slug)
                                            .where(topic_table.c.id == topic)).scalar_one()
        for i in range(extra_latest):
            article(f"extra{i}", "Daily Planet", f"Filler headline number {i}",
                    now - timedelta(days=4, minutes=i), text=f"Filler text {i}.")
    store.search_index.run()  # the index stage, as the worker runs it after storing
    return out
