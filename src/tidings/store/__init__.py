"""The store: one interface over SQLite and PostgreSQL.

``open_store(url)`` gives a :class:`Store` whose repositories (``sources``, ``feeds``,
``articles``, ``extraction`` and ``clustering`` queues, ...) hold every query tidings makes;
modules outside this package never build SQL (``tests/store/test_sql_boundary.py``). They
may open a transaction (``store.db.write()``) and pass it to repository methods, so that
several writes land together. The statements whose spelling differs between databases are
here too: ``dialects.py``, ``engine.py`` and the copier and benchmark helpers
(``copy.py``, ``benchdb.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from tidings.store.apiaccess import ApiAccessRepo
from tidings.store.articles import ArticleRepo
from tidings.store.clustering import ClusterQueue
from tidings.store.counters import ITEMS_STORED, Counters
from tidings.store.engine import Connection, Database, create_engine, migrate
from tidings.store.events import EventLog
from tidings.store.extraction import ExtractQueue
from tidings.store.filters import FilterRepo
from tidings.store.leases import LeaseRepo
from tidings.store.reads import Meta, ReadRepo
from tidings.store.readstate import ReadStateRepo
from tidings.store.search import SearchRepo
from tidings.store.searchindex import SearchIndex
from tidings.store.sitemaps import SitemapRepo
from tidings.store.sources import FeedRepo, SourceRepo
from tidings.store.stats import StoreStats
from tidings.store.stories import StoryRepo
from tidings.store.storyrows import StoryRowRepo
from tidings.store.streams import StreamRepo
from tidings.store.subscriptions import SubscriptionRepo
from tidings.store.topics import TopicRepo
from tidings.store.users import UserRepo
from tidings.store.websub import PublishLog, WebSubRepo


class Store:
    def __init__(self, db: Database):
        self.db = db
        self.sources = SourceRepo(db)
        self.feeds = FeedRepo(db)
        self.events = EventLog(db)
        self.counters = Counters(db)
        self.articles = ArticleRepo(db, self.events, self.counters)
        self.stories = StoryRepo(db)
        self.story_rows = StoryRowRepo(db)
        self.users = UserRepo(db)
        self.leases = LeaseRepo(db)
        self.reads = ReadRepo(db, self.counters)
        self.search = SearchRepo(db)
        self.search_index = SearchIndex(db)
        self.sitemaps = SitemapRepo(db)
        self.topics = TopicRepo(db)
        self.meta = Meta(db)
        self.websub = WebSubRepo(db)
        self.published = PublishLog(db, self.meta)
        self.stats = StoreStats(db)
        self.clustering = ClusterQueue(db, self.stories, self.meta, self.events,
                                       self.counters)
        self.extraction = ExtractQueue(db, self.meta)
        # readers (operations/accounts, subscriptions, reading)
        self.api_access = ApiAccessRepo(db)
        self.subscriptions = SubscriptionRepo(db)
        self.read_state = ReadStateRepo(db)
        self.streams = StreamRepo(db, self.search)
        self.filters = FilterRepo(db)

    def wrote(self, conn: Connection, new_ids: Sequence[int], counted: Iterable[str | None]
              ) -> None:
        """End a write that stored articles: its site-wide totals (``ITEMS_STORED``, one for
        each name in ``counted``), then its live events, last (see :mod:`tidings.store.events`)."""
        totals = Counter(name for name in counted if name)
        self.counters.add(conn, {**totals, ITEMS_STORED: len(new_ids)})
        self.events.articles_stored(conn, new_ids)

    @property
    def dialect(self) -> str:
        return self.db.dialect

    def close(self) -> None:
        self.db.dispose()


def open_store(url: str, *, upgrade: bool = True) -> Store:
    """Open (and on first use create or upgrade) the store at ``url``."""
    engine = create_engine(url)
    if upgrade:
        migrate(engine)
    return Store(Database(engine))


__all__ = ["Store", "open_store"]
