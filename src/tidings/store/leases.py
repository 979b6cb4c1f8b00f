"""Leases: which worker fetches which feed right now, shared through the database.

A worker claims due feeds in one short transaction. On PostgreSQL the candidate feeds and the
free host slots are locked with ``FOR UPDATE SKIP LOCKED``, so concurrent claimers never wait
for each other and never get the same row; on SQLite the transaction begins IMMEDIATE (one
writer at a time), which gives the same guarantee. A claim is a lease with an expiry, so the
feeds of a worker that dies become claimable again once ``lease_until`` passes; leases are
timed by the database server's clock on PostgreSQL, so hosts need not agree on the time.

Per-host politeness across every worker: each host has ``per_host`` numbered slots in
``host_slots``; a claimed feed holds one, so at most ``per_host`` feeds of one host are in
flight at once no matter how many workers run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import feeds, host_slots, sources

# candidates looked at per wanted feed: feeds of a saturated host are passed over
OVERFETCH = 4


@dataclass(frozen=True, slots=True)
class Claim:
    feed_id: int
    url: str
    host: str
    slot: int


def feed_host(url: str) -> str:
    """The politeness key of a feed URL: its host name, lower-cased (port ignored)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return (host or url).lower()


class LeaseRepo:
    def __init__(self, db: Database):
        self.db = db

    def claim(self, owner: str, *, limit: int, lease_seconds: float, per_host: int,
              now: datetime | None = None, due_before: datetime | None = None) -> list[Claim]:
        """Lease up to ``limit`` due feeds to ``owner`` until ``now + lease_seconds``.

        Due means: not disabled, source not paused, ``next_check_at`` reached by
        ``due_before`` (default ``now``; a run-once worker passes its start time so it ends)
        or never checked, and not leased by anyone (or the lease expired). Oldest due first.
        """
        if limit <= 0:
            return []
        with self.db.write() as conn:
            now = now or self._clock(conn)
            until = now + timedelta(seconds=lease_seconds)
            candidates = (
                sa.select(feeds.c.id, feeds.c.url)
                .join(sources, sources.c.id == feeds.c.source_id)
                .where(*_due(now, due_before or now))
                .order_by(feeds.c.next_check_at.asc().nulls_first(), feeds.c.id)
                .limit(limit * OVERFETCH)
                .with_for_update(of=feeds, skip_locked=True)
            )
            by_host: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for row in conn.execute(candidates):
                by_host[feed_host(row.url)].append((row.id, row.url))
            if not by_host:
                return []
            self._ensure_slots(conn, list(by_host), per_host)
            claims: list[Claim] = []
            for host, wanted in by_host.items():
                room = limit - len(claims)
                if room <= 0:
                    break
                for slot, (feed_id, url) in zip(
                    self._free_slots(conn, host, per_host, min(room, len(wanted)), now),
                    wanted, strict=False,
                ):
                    claims.append(Claim(feed_id, url, host, slot))
            for claim in claims:
                conn.execute(
                    host_slots.update()
                    .where(host_slots.c.host == claim.host, host_slots.c.slot == claim.slot)
                    .values(feed_id=claim.feed_id, owner=owner, lease_until=until)
                )
            if claims:
                conn.execute(
                    feeds.update()
                    .where(feeds.c.id.in_([c.feed_id for c in claims]))
                    .values(lease_owner=owner, lease_until=until)
                )
        return claims

    def _ensure_slots(self, conn: sa.Connection, hosts: Sequence[str], per_host: int) -> None:
        """Create missing slot rows, in sorted order so concurrent claimers cannot deadlock."""
        existing = {
            (r.host, r.slot) for r in conn.execute(
                sa.select(host_slots.c.host, host_slots.c.slot)
                .where(host_slots.c.host.in_(hosts), host_slots.c.slot < per_host))
        }
        rows = [{"host": h, "slot": s} for h in sorted(hosts) for s in range(per_host)
                if (h, s) not in existing]
        if rows:
            conn.execute(insert(self.db.dialect, host_slots).on_conflict_do_nothing(), rows)

    def _free_slots(self, conn: sa.Connection, host: str, per_host: int, wanted: int,
                    now: datetime) -> list[int]:
        query = (
            sa.select(host_slots.c.slot)
            .where(
                host_slots.c.host == host,
                host_slots.c.slot < per_host,
                sa.or_(host_slots.c.lease_until.is_(None), host_slots.c.lease_until < now),
            )
            .order_by(host_slots.c.slot)
            .limit(wanted)
            .with_for_update(skip_locked=True)
        )
        return [int(s) for s in conn.execute(query).scalars()]

    def renew(self, owner: str, feed_ids: Sequence[int], *, lease_seconds: float,
              now: datetime | None = None) -> int:
        """Extend the leases ``owner`` still holds (a heartbeat for long batches)."""
        if not feed_ids:
            return 0
        ids = list(feed_ids)
        with self.db.write() as conn:
            until = (now or self._clock(conn)) + timedelta(seconds=lease_seconds)
            done = conn.execute(
                feeds.update()
                .where(feeds.c.id.in_(ids), feeds.c.lease_owner == owner)
                .values(lease_until=until)
            ).rowcount
            conn.execute(
                host_slots.update()
                .where(host_slots.c.feed_id.in_(ids), host_slots.c.owner == owner)
                .values(lease_until=until)
            )
        return int(done)

    def release(self, owner: str, feed_ids: Sequence[int]) -> int:
        """Give back the leases ``owner`` holds on ``feed_ids`` (after fetching them)."""
        if not feed_ids:
            return 0
        ids = list(feed_ids)
        with self.db.write() as conn:
            done = conn.execute(
                feeds.update()
                .where(feeds.c.id.in_(ids), feeds.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            ).rowcount
            conn.execute(
                host_slots.update()
                .where(host_slots.c.feed_id.in_(ids), host_slots.c.owner == owner)
                .values(feed_id=None, owner=None, lease_until=None)
            )
        return int(done)

    def release_all(self, owner: str) -> int:
        """Give back everything ``owner`` holds (a worker shutting down)."""
        with self.db.write() as conn:
            done = conn.execute(
                feeds.update().where(feeds.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            ).rowcount
            conn.execute(
                host_slots.update().where(host_slots.c.owner == owner)
                .values(feed_id=None, owner=None, lease_until=None)
            )
        return int(done)

    def due_unclaimed(self, now: datetime | None = None,
                      due_before: datetime | None = None) -> int:
        """How many feeds are due and not leased (a ``--once`` worker stops at zero)."""
        with self.db.read() as conn:
            now = now or self._clock(conn)
            query = (
                sa.select(sa.func.count()).select_from(feeds)
                .join(sources, sources.c.id == feeds.c.source_id)
                .where(*_due(now, due_before or now))
            )
            return int(conn.execute(query).scalar_one())

    def _clock(self, conn: sa.Connection) -> datetime:
        """The time leases are measured in: the database server's clock on PostgreSQL, so
        workers on hosts whose clocks disagree still agree on when a lease runs out."""
        if self.db.dialect == "postgresql":
            value = conn.execute(sa.select(sa.func.now())).scalar_one()
            return value.astimezone(UTC)
        return datetime.now(UTC)

    def active(self, now: datetime) -> list[tuple[int, str, str]]:
        """(feed id, owner, host) of every lease in force at ``now``."""
        query = (
            sa.select(host_slots.c.feed_id, host_slots.c.owner, host_slots.c.host)
            .where(host_slots.c.lease_until >= now, host_slots.c.feed_id.is_not(None))
            .order_by(host_slots.c.host, host_slots.c.slot)
        )
        with self.db.read() as conn:
            return [(int(r.feed_id), str(r.owner), str(r.host)) for r in conn.execute(query)]


def _due(now: datetime, due_before: datetime) -> list[sa.ColumnElement[bool]]:
    return [
        feeds.c.disabled == sa.false(),
        sources.c.paused == sa.false(),
        sa.or_(feeds.c.next_check_at.is_(None), feeds.c.next_check_at <= due_before),
        sa.or_(feeds.c.lease_until.is_(None), feeds.c.lease_until < now),
    ]
