"""The data behind every page and every API answer (Datasette's rule: one dict, two renderings).

Each public method returns plain, JSON-ready dicts: the API serializes them, the templates
render them, so the site and the API can never disagree. Times are ISO 8601 with offset;
``time_label`` is computed against ``now`` (the request's clock).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from tidings import rank
from tidings.config import Settings
from tidings.models import Article, Source
from tidings.sanitize import sanitize_html
from tidings.store import Store
from tidings.store.reads import ReadRepo
from tidings.store.search import SearchRepo
from tidings.store.storyrows import StoryRow
from tidings.store.topics import TopicRow
from tidings.textnorm import language_code
from tidings.web.bodyimages import proxy_body_images
from tidings.web.i18n import format_when, language_name, normalize_locale, time_label
from tidings.web.imagelinks import image_links


def web_url(url: str | None) -> str | None:
    """Only http(s) URLs reach a page or the API (a stored javascript: URL never becomes a link).

    Added by the security work (issue 6): stored rows are not trusted at output time.
    """
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url
    if url and url.startswith("/static/") and "\\" not in url:  # this site's own files
        return url
    return None


#: how many recent stories are scored for the front page and /api/stories
STORY_CANDIDATES = 500
#: other reports listed on an article page (the story page lists them all)
COVERAGE_SHOWN = 30


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(UTC).isoformat()


def topic_dict(t: TopicRow) -> dict[str, Any]:
    """The API's topic object."""
    return {"id": t.id, "slug": t.slug, "name": t.name, "url": f"/topics/{t.slug}",
            "story_count": t.story_count, "article_count": t.article_count,
            "last_published_at": iso(t.last_published_at)}


class SiteData:
    """Builds view data from the store for one site configuration."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.tz = settings.tz
        self.locale = normalize_locale(settings.locale)
        self.search_repo: SearchRepo = store.search
        self.read_repo: ReadRepo = store.reads
        self.image_links = image_links(settings)  # None unless the image proxy is on
        #: shares pieces used by many pages (set by the site to its cache's ``memo``)
        self.memo: Callable[[str, datetime, Callable[[], Any]], Any] = lambda _k, _n, f: f()

    # -- small pieces ------------------------------------------------------------------------

    def sources_by_id(self, now: datetime | None = None) -> dict[int, Source]:
        def build() -> dict[int, Source]:
            return {s.id: s for s in self.store.sources.list(public_only=True)
                    if s.id is not None}

        if now is None:
            return build()
        found: dict[int, Source] = self.memo("sources", now, build)
        return found

    @staticmethod
    def source_dict(source: Source | None) -> dict[str, Any] | None:
        if source is None:
            return None
        return {"id": source.id, "name": source.name, "url": web_url(source.url)}

    def image_url(self, url: str | None) -> str | None:
        """Every image URL a page or the API shows: ``web_url``, then the signed proxy path
        when the image proxy is on (this site's own ``/static`` files stay as they are)."""
        safe = web_url(url)
        if safe is None or self.image_links is None or safe.startswith("/static/"):
            return safe
        return self.image_links.proxy_url(safe)

    def content_html(self, html: str | None) -> str | None:
        """An article body as shown: body images through the proxy when it is on, then
        sanitized again (stored rows are not trusted at output time), sanitizing last."""
        if not html:
            return html
        if self.image_links is not None:
            html = proxy_body_images(html, self.image_url)
        return sanitize_html(html)

    def label(self, dt: datetime | None, now: datetime) -> str:
        return "" if dt is None else time_label(dt, now, self.tz, self.locale)

    def article_dict(self, a: Article, sources: dict[int, Source], now: datetime
                     ) -> dict[str, Any]:
        """The API's article object (DESIGN.md), plus ``time_label`` for the pages."""
        return {
            "id": a.id, "url": web_url(a.url), "title": a.title,
            "source": self.source_dict(sources.get(a.source_id or -1)),
            "published_at": iso(a.published_at), "fetched_at": iso(a.fetched_at),
            "language": a.language, "summary": a.summary,
            "content_html": self.content_html(a.content_html),
            "content_text": a.content_text, "image_url": self.image_url(a.image_url),
            "author": a.author,
            "attribution": a.attribution, "views": a.views, "story_id": a.story_id,
            "duplicate_of": a.duplicate_of,
            "time_label": self.label(a.published_at, now),
        }

    def item_dict(self, a: Article, now: datetime) -> dict[str, Any]:
        """A row of the latest list: the seed's headline, view count and time label."""
        return {"id": a.id, "title": a.title, "url": web_url(a.url), "views": a.views,
                "published_at": iso(a.published_at), "time_label": self.label(a.published_at, now)}

    # -- lists -------------------------------------------------------------------------------

    def latest(self, now: datetime, *, limit: int = 20, offset: int = 0,
               source_id: int | None = None) -> dict[str, Any]:
        found, total = self.store.articles.latest(limit=limit, offset=offset, source_id=source_id)
        return {"items": [self.item_dict(a, now) for a in found], "total": total}

    def articles(self, now: datetime, *, limit: int = 20, offset: int = 0, q: str | None = None,
                 source_id: int | None = None) -> dict[str, Any]:
        if q:
            return self.search(now, q, limit=limit, offset=offset, source_id=source_id)
        found, total = self.store.articles.latest(limit=limit, offset=offset, source_id=source_id)
        sources = self.sources_by_id(now)
        return {"articles": [self.article_dict(a, sources, now) for a in found], "total": total}

    def search(self, now: datetime, q: str, *, limit: int = 20, offset: int = 0,
               source_id: int | None = None, language: str | None = None,
               since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
        hits, total = self.search_repo.search(q, limit=limit, offset=offset, source_id=source_id,
                                              language=language, since=since, until=until)
        sources = self.sources_by_id(now)
        out = []
        for hit in hits:
            d = self.article_dict(hit.article, sources, now)
            d["snippet_html"] = hit.snippet
            d["title_html"] = hit.title_html
            d["rank"] = hit.rank
            out.append(d)
        return {"articles": out, "total": total, "query": q}

    def most_read(self, now: datetime, *, limit: int = 10) -> dict[str, Any]:
        """Articles by counted reads in the last 24 hours."""
        counts = self.read_repo.counts_since(now - rank.MOST_READ_WINDOW, limit=limit)
        found = self.search_repo.by_ids(a for a, _ in counts)
        items = []
        for aid, n in counts:
            if aid in found:
                item = self.item_dict(found[aid], now)
                item["reads_24h"] = n
                items.append(item)
        return {"items": items, "total": len(items)}

    def trending(self, now: datetime, *, limit: int = 10) -> dict[str, Any]:
        """Articles by decayed read velocity (rank.trending_score)."""
        times: dict[int, list[datetime]] = defaultdict(list)
        for aid, _sid, at in self.read_repo.read_times(now - rank.TRENDING_WINDOW):
            times[aid].append(at)
        scores = {aid: rank.trending_score(ts, now) for aid, ts in times.items()}
        top = rank.rank_by(scores, limit)
        found = self.search_repo.by_ids(top)
        items = []
        for aid in top:
            if aid in found:
                item = self.item_dict(found[aid], now)
                item["trending"] = round(scores[aid], 4)
                items.append(item)
        return {"items": items, "total": len(items)}

    # -- stories -----------------------------------------------------------------------------

    def stories_payload(self, rows: list[StoryRow], now: datetime, *,
                         limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Story objects, best first. Every row is scored from aggregates; only the page of
        ``limit`` stories after ``offset`` gets its article ids and image looked up."""
        outlets = self.search_repo.story_outlets(r.id for r in rows)
        scored = []
        views: dict[int, int] = {}
        for r in rows:
            found = outlets.get(r.id, [])
            independent = sum(1 for _, own, _ in found if own)
            # a story's views are its articles' views (reads counted here and imported counts)
            views[r.id] = sum(v for _, _, v in found)
            age = rank.hours_between(r.last_published_at, now)
            scored.append((rank.story_score(independent, views[r.id], age), r))
        scored.sort(key=lambda pair: (-pair[0], -pair[1].id))
        page = scored[offset:] if limit is None else scored[offset:offset + limit]
        members = self.search_repo.story_members(r.id for _, r in page)
        sources = self.sources_by_id(now)
        out = []
        for score, r in page:
            arts = members.get(r.id, [])
            image = r.image_url or next((img for _, _, img in arts if img), None)
            lead = next((aid for aid, copy, _ in arts if not copy), arts[0][0] if arts else None)
            shown = [src for src, _, _ in outlets.get(r.id, []) if src in sources]
            out.append({
                "id": r.id, "title": r.title,
                "article_ids": [aid for aid, _, _ in arts],
                "sources": [self.source_dict(sources[s]) for s in shown],
                "independent_sources": sum(1 for _, own, _ in outlets.get(r.id, []) if own),
                "first_published_at": iso(r.first_published_at),
                "last_published_at": iso(r.last_published_at),
                "views": views[r.id],
                "score": round(score, 6),
                "image_url": self.image_url(image),
                "lead_article_id": lead,
                "time_label": self.label(r.last_published_at, now),
            })
        return out

    def stories(self, now: datetime, *, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        """Stories by score (rank.story_score), over the most recent candidates."""
        rows = self.store.story_rows.recent(max(STORY_CANDIDATES, offset + limit))
        page = self.stories_payload(rows, now, limit=limit, offset=offset)
        total = self.store.stories.count(public_only=True)
        return {"stories": page, "total": total}

    def story(self, story_id: int, now: datetime, language: str | None = None
              ) -> dict[str, Any]:
        """One story (resolving merges) with its full coverage, for the API and the page;
        with ``language``, only its reports in that language ("en" also takes "en-GB")."""
        row = self.store.story_rows.live(story_id)
        payload = self.stories_payload([row], now)[0]
        members = self.search_repo.in_stories([row.id])
        languages = self.story_languages(members)
        payload["languages"] = [lang["code"] for lang in languages]
        wanted = language_code(language)
        if wanted:
            members = [a for a in members if language_code(a.language) == wanted]
            payload["article_ids"] = [a.id for a in members]
        sources = self.sources_by_id(now)
        dicts = {a.id: self.article_dict(a, sources, now) for a in members}
        for d in dicts.values():
            d["when"] = format_when(datetime.fromisoformat(d["published_at"]), self.tz,
                                    self.locale) if d["published_at"] else ""
            d["copies"] = []
        originals = []
        for a in members:
            d = dicts[a.id]
            if a.duplicate_of is not None and a.duplicate_of in dicts:
                dicts[a.duplicate_of]["copies"].append(d)
            else:
                originals.append(d)
        groups: dict[int, dict[str, Any]] = {}
        for d in originals:
            src = d["source"] or {"id": 0, "name": "?", "url": None}
            group = groups.setdefault(src["id"], {"source": src, "articles": []})
            group["articles"].append(d)
        credits = sorted({a.attribution for a in members if a.attribution})
        first = members[0] if members else None
        return {
            "story": payload,
            "outlets": list(groups.values()),
            "timeline": [dicts[a.id] for a in members],
            "first_report": dicts[first.id] if first else None,
            "credits": credits,
            "languages": languages,
            "language": wanted or None,
            "topics": self.topics_of(a.id for a in members if a.id is not None),
        }

    def story_languages(self, members: list[Article]) -> list[dict[str, Any]]:
        """The languages a story's reports are in, most reports first, named in the site's
        locale (reports whose language is unknown are not counted)."""
        counts = Counter(language_code(a.language) for a in members)
        counts.pop("", None)
        return [{"code": code, "name": language_name(code, self.locale), "count": n}
                for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def topics_of(self, article_ids: Iterable[int]) -> list[dict[str, Any]]:
        """The listed topics of these articles, as links (article and story pages)."""
        return [topic_dict(t) for t in self.store.topics.of_articles(article_ids)]

    # -- one article -------------------------------------------------------------------------

    def latest_box(self, now: datetime, limit: int = 20) -> list[dict[str, Any]]:
        """The latest list shown beside articles and stories (shared by all those pages)."""
        def build() -> list[dict[str, Any]]:
            found = self.search_repo.newest(limit=limit)
            return [self.item_dict(a, now) for a in found]

        items: list[dict[str, Any]] = self.memo(f"latest:{limit}", now, build)
        return items

    def article(self, article_id: int, now: datetime) -> dict[str, Any]:
        a = self.store.articles.get_public(article_id)
        sources = self.sources_by_id(now)
        coverage: list[dict[str, Any]] = []
        if a.story_id is not None:
            for other in reversed(self.search_repo.in_stories([a.story_id],
                                                              newest=COVERAGE_SHOWN + 1)):
                if other.id != a.id:
                    coverage.append(self.item_dict(other, now) | {
                        "source": self.source_dict(sources.get(other.source_id or -1))})
        original = None
        if a.duplicate_of is not None:
            found = self.search_repo.by_ids([a.duplicate_of]).get(a.duplicate_of)
            if found is not None:
                original = self.item_dict(found, now)
        return {"article": self.article_dict(a, sources, now),
                "coverage": coverage[:COVERAGE_SHOWN], "original": original,
                "topics": self.topics_of([article_id])}

    # -- sources -----------------------------------------------------------------------------

    def sources(self) -> dict[str, Any]:
        listed = self.store.sources.list(public_only=True)
        return {"sources": [self._source_full(s) for s in listed], "total": len(listed)}

    def _source_full(self, s: Source) -> dict[str, Any]:
        return {"id": s.id, "name": s.name, "url": web_url(s.url), "category": s.category,
                "language": s.language, "paused": s.paused}

    def source(self, source_id: int, now: datetime, *, limit: int = 30, offset: int = 0
               ) -> dict[str, Any]:
        s = self.store.sources.get(source_id, public_only=True)
        feeds = [{"id": f.id, "url": f.url, "title": f.title,
                  "last_checked_at": iso(f.last_checked_at),
                  "last_checked_label": self.label(f.last_checked_at, now),
                  "next_check_at": iso(f.next_check_at), "error_count": f.error_count,
                  "last_error": f.last_error, "disabled": f.disabled}
                 for f in self.store.feeds.list(source_id)]
        found, total = self.store.articles.latest(limit=limit, offset=offset, source_id=source_id)
        return {"source": self._source_full(s), "feeds": feeds,
                "healthy": all(f["error_count"] == 0 and not f["disabled"] for f in feeds),
                "items": [self.item_dict(a, now) for a in found], "total": total}

    # -- the front page ----------------------------------------------------------------------

    def front_page(self, now: datetime) -> dict[str, Any]:
        return {
            "stories": self.stories(now, limit=12)["stories"],
            "latest": self.latest(now, limit=20)["items"],
            "most_read": self.most_read(now, limit=10)["items"],
            "trending": self.trending(now, limit=5)["items"],
        }
