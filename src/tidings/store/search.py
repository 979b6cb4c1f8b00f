"""Finding articles: full-text search (FTS5 on SQLite, tsvector on PostgreSQL) and the plain
lookups the site needs (by ids, by story, by outlet, newest first).

One interface for both databases: ``search(q, limit=, offset=, source_id=, language=, since=,
until=) -> (hits, total)``, ranked by relevance. Database-specific SQL lives only in this module
and the migration that creates the indexes. Text in CJK scripts (no spaces between words) is
matched by substring (``LIKE``), since word tokenizers see a whole sentence as one word.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from tidings.models import Article
from tidings.store.articles import article_from_row
from tidings.store.engine import Database
from tidings.store.schema import articles
from tidings.store.visibility import any_private, public_article

#: Han, Hiragana, Katakana, Hangul: scripts written without spaces between words
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
WORD = re.compile(r"\w+", re.UNICODE)
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # placeholders, turned into <mark> after escaping

#: PostgreSQL text-search configurations for the languages tidings stores
PG_CONFIGS = {
    "en": "english", "de": "german", "fr": "french", "it": "italian", "es": "spanish",
    "ru": "russian", "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish",
    "fi": "finnish", "no": "norwegian", "hu": "hungarian", "ro": "romanian", "tr": "turkish",
}


@dataclass(slots=True)
class Hit:
    article: Article
    snippet: str  # HTML: escaped text with <mark> around the matched words
    rank: float
    title_html: str = ""  # the title, escaped, with its matches marked


def is_cjk(text: str) -> bool:
    return bool(CJK.search(text))


def query_terms(q: str) -> list[str]:
    """The words of a query (CJK runs kept whole), lower-cased, at most 12."""
    return [t.lower() for t in WORD.findall(q)][:12]


def highlight(text: str, terms: Sequence[str], *, width: int = 220) -> str:
    """An escaped excerpt of ``text`` around the first match, with matches in ``<mark>``."""
    if not text:
        return ""
    pattern = _terms_pattern(terms)
    first = pattern.search(text) if pattern else None
    start = 0 if first is None or len(text) <= width else max(0, first.start() - width // 3)
    excerpt = text[start:start + width]
    if pattern:
        excerpt = pattern.sub(lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, excerpt)
    escaped = html.escape(excerpt)
    out = escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(text) else ""
    return prefix + out + suffix


def _terms_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    parts = [re.escape(w) if is_cjk(w) else r"\b" + re.escape(w) for w in words]
    return re.compile("|".join(parts), re.IGNORECASE)


class SearchRepo:
    def __init__(self, db: Database):
        self.db = db

    # -- plain lookups -----------------------------------------------------------------------

    def by_ids(self, ids: Iterable[int]) -> dict[int, Article]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        with self.db.read() as conn:
            rows = conn.execute(articles.select().where(articles.c.id.in_(wanted),
                                                        public_article())).mappings()
            return {r["id"]: _article(r) for r in rows}

    def newest(self, *, limit: int = 20) -> list[Article]:
        """The newest articles, without counting them all (for boxes beside a page)."""
        query = (articles.select().where(public_article())
                 .order_by(articles.c.published_at.desc(), articles.c.id.desc()).limit(limit))
        with self.db.read() as conn:
            return [_article(r) for r in conn.execute(query).mappings()]

    def in_stories(self, story_ids: Iterable[int], *, newest: int | None = None
                   ) -> list[Article]:
        """Every article of the given stories, oldest first (or only the ``newest`` few)."""
        ids = list(story_ids)
        if not ids:
            return []
        query = articles.select().where(articles.c.story_id.in_(ids), public_article())
        if newest is not None:
            query = query.order_by(articles.c.published_at.desc(), articles.c.id.desc()) \
                .limit(newest)
        else:
            query = query.order_by(articles.c.published_at, articles.c.id)
        with self.db.read() as conn:
            found = [_article(r) for r in conn.execute(query).mappings()]
        return found[::-1] if newest is not None else found

    def story_outlets(self, story_ids: Iterable[int]
                      ) -> dict[int, list[tuple[int, bool, int]]]:
        """Per story, ``(source_id, independent, views)`` in order of each outlet's first report.

        ``independent`` is false for an outlet whose every article in the story is a verbatim
        copy of another report (it republished the wire, it did not report).
        """
        ids = list(story_ids)
        if not ids:
            return {}
        first = sa.func.min(articles.c.published_at).label("first")
        own = sa.func.max(sa.case((articles.c.duplicate_of.is_(None), 1), else_=0)).label("own")
        views = sa.func.sum(articles.c.views).label("views")
        query = (sa.select(articles.c.story_id, articles.c.source_id, first, own, views)
                 .where(articles.c.story_id.in_(ids), public_article())
                 .group_by(articles.c.story_id, articles.c.source_id)
                 .order_by(articles.c.story_id, first, articles.c.source_id))
        out: dict[int, list[tuple[int, bool, int]]] = {}
        with self.db.read() as conn:
            for sid, src, _, independent, seen in conn.execute(query):
                out.setdefault(sid, []).append((src, bool(independent), int(seen or 0)))
        return out

    def story_members(self, story_ids: Iterable[int]
                      ) -> dict[int, list[tuple[int, bool, str | None]]]:
        """Per story, ``(article_id, is_copy, image_url)`` in publication order (no bodies)."""
        ids = list(story_ids)
        if not ids:
            return {}
        query = (sa.select(articles.c.story_id, articles.c.id,
                           articles.c.duplicate_of.is_not(None), articles.c.image_url)
                 .where(articles.c.story_id.in_(ids), public_article())
                 .order_by(articles.c.story_id, articles.c.published_at, articles.c.id))
        out: dict[int, list[tuple[int, bool, str | None]]] = {}
        with self.db.read() as conn:
            for sid, aid, copy, image in conn.execute(query):
                out.setdefault(sid, []).append((aid, bool(copy), image))
        return out

    def matching(self, q: str) -> sa.ColumnElement[bool]:
        """A condition on ``articles`` for the articles that match ``q`` (every word, the
        last as a prefix), public or not: readers' saved searches run over their own feeds."""
        terms = query_terms(q)
        if not terms:
            return sa.false()
        if any(is_cjk(t) for t in terms):
            return self._like(terms)[0]
        if self.db.dialect == "postgresql":
            return self._pg(terms, None)[0]
        return articles.c.id.in_(sa.select(self._fts5(terms).c.rowid))

    # -- full-text search --------------------------------------------------------------------

    def search(self, q: str, *, limit: int = 20, offset: int = 0, source_id: int | None = None,
               language: str | None = None, since: datetime | None = None,
               until: datetime | None = None) -> tuple[list[Hit], int]:
        """Articles matching ``q``, most relevant first, with highlighted snippets."""
        terms = query_terms(q)
        if not terms:
            return [], 0
        filters = []
        if source_id is not None:
            filters.append(articles.c.source_id == source_id)
        if language:
            filters.append(articles.c.language == language)
        if since is not None:
            filters.append(articles.c.published_at >= since)
        if until is not None:
            filters.append(articles.c.published_at < until)
        with self.db.read() as conn:
            if any_private(conn):  # FTS5 alone cannot tell public from private rows
                filters.append(public_article())
        source: sa.FromClause = articles
        cjk = any(is_cjk(t) for t in terms)
        if not cjk and not filters and self.db.dialect == "sqlite":
            return self._fts5_only(terms, limit, offset)
        if cjk:
            match, rank = self._like(terms)
        elif self.db.dialect == "postgresql":
            match, rank = self._pg(terms, language)
        else:
            fts = self._fts5(terms)
            source = articles.join(fts, fts.c.rowid == articles.c.id)
            match, rank = sa.true(), -fts.c.score
        where = [match, *filters]
        query = (sa.select(articles, rank.label("rank")).select_from(source).where(*where)
                 .order_by(sa.desc("rank"), articles.c.published_at.desc(), articles.c.id.desc())
                 .limit(limit).offset(offset))
        count = sa.select(sa.func.count()).select_from(source).where(*where)
        with self.db.read() as conn:
            rows = list(conn.execute(query).mappings())
            total = int(conn.execute(count).scalar_one())
        return [_hit(row, float(row["rank"] or 0.0), terms) for row in rows], total

    def _fts5_only(self, terms: Sequence[str], limit: int, offset: int
                   ) -> tuple[list[Hit], int]:
        """No filters: rank inside FTS5 (its C code orders and limits), then fetch the page."""
        fts = self._fts5(terms)
        ranked = (sa.select(fts.c.rowid, fts.c.score)
                  .order_by(fts.c.score, fts.c.rowid.desc()).limit(limit).offset(offset))
        with self.db.read() as conn:
            page = [(int(rowid), float(score)) for rowid, score in conn.execute(ranked)]
            total = int(conn.execute(sa.select(sa.func.count()).select_from(fts)).scalar_one())
            found = {r["id"]: r for r in conn.execute(
                articles.select().where(articles.c.id.in_([i for i, _ in page]))).mappings()}
        return [_hit(found[i], -score, terms) for i, score in page if i in found], total

    def _fts5(self, terms: Sequence[str]) -> sa.Subquery:
        # every word must match, the last one also as a prefix (search as you type)
        quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
        quoted[-1] += "*"
        expr = " AND ".join(quoted)
        fts = sa.table("articles_fts", sa.column("rowid"))
        return (sa.select(fts.c.rowid, sa.literal_column("bm25(articles_fts, 4.0, 1.0)")
                          .label("score"))
                .select_from(fts)
                .where(sa.text("articles_fts MATCH :fts_q").bindparams(fts_q=expr))
                .subquery("fts_hits"))

    def _pg(self, terms: Sequence[str], language: str | None
            ) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[float]]:
        text = " ".join(terms)
        config = PG_CONFIGS.get(language or "", "simple")
        vector: sa.ColumnElement[Any] = sa.literal_column("articles.search_vector")
        query = sa.func.plainto_tsquery(sa.literal_column(f"'{config}'::regconfig"), text)
        # as with FTS5: every word must match, the last one also as a prefix
        words = ["'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms]
        words[-1] += ":*"
        prefix = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), " & ".join(words))
        match = sa.or_(vector.op("@@")(query), vector.op("@@")(prefix))
        rank = sa.func.greatest(sa.func.ts_rank_cd(vector, query),
                                sa.func.ts_rank_cd(vector, prefix))
        return match, rank

    def _like(self, terms: Sequence[str]) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[float]]:
        conditions, in_title = [], []
        for t in terms:
            pattern = "%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            title = articles.c.title.ilike(pattern, escape="\\")
            in_title.append(title)
            conditions.append(sa.or_(title, articles.c.content_text.ilike(pattern, escape="\\"),
                                     articles.c.summary.ilike(pattern, escape="\\")))
        rank = sa.case((sa.and_(*in_title), 2.0), else_=1.0)
        return sa.and_(*conditions), rank


def _hit(row: Any, rank: float, terms: Sequence[str]) -> Hit:
    text = row["content_text"] or row["summary"] or ""
    return Hit(_article(row), highlight(_plain(text), terms), rank,
               highlight(row["title"], terms, width=len(row["title"])))


def _article(row: Any) -> Article:
    return article_from_row(cast(Mapping[str, Any], row))


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
