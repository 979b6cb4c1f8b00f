"""Copying a whole store into another database (``tidings migrate-store``).

Typically SQLite → PostgreSQL when a site outgrows one machine. Both ends are brought to the
newest schema by the usual migrations; then every table is copied in dependency order, in
batches, inside one target transaction (a failure leaves the target as it was). Foreign keys
that point into the same table or a later one (``duplicate_of``, ``merged_into``) are filled
in afterwards, PostgreSQL sequences are moved past the copied ids, and row counts and
per-table checksums are compared at the end: any difference is reported as a mismatch.
Lives in the store because it is SQL through and through, dialect branches included.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tidings.errors import StorageError
from tidings.models import ProgressFn
from tidings.store.schema import UTCDateTime, metadata

if TYPE_CHECKING:
    from tidings.store import Store

Report = Callable[[str], None]


def _quiet(_line: str) -> None:
    """The default report: say nothing."""


#: not copied: the schema's version, and the search queue (the target queues every copied
#: article itself and indexes them before the copy commits)
SKIP_TABLES = {"alembic_version", "search_queue"}


@dataclass
class TablePlan:
    """What to copy of one table: its typed definition, the shared columns, the late ones."""

    table: sa.Table
    columns: list[sa.Column[Any]]
    key: list[sa.Column[Any]]
    late: list[sa.Column[Any]] = field(default_factory=list)  # FKs filled after every insert

    @property
    def name(self) -> str:
        return self.table.name


def _reflect(engine: sa.Engine) -> sa.MetaData:
    reflected = sa.MetaData()
    reflected.reflect(engine)
    return reflected


def _typed(name: str, reflected: sa.Table) -> sa.Table:
    """The schema's own table (its types convert values), else the reflected one with
    datetimes read as UTC, so an undeclared table still round-trips faithfully."""
    if name in metadata.tables:
        return metadata.tables[name]
    loose = sa.MetaData()
    columns = []
    for col in reflected.columns:
        type_ = UTCDateTime() if isinstance(col.type, sa.DateTime) else col.type
        columns.append(sa.Column(col.name, type_, primary_key=col.primary_key))
    return sa.Table(name, loose, *columns)


def plan(source: sa.Engine, target: sa.Engine) -> tuple[list[TablePlan], list[str]]:
    """Tables to copy in dependency order, and the source tables with no home in the target
    (derived data such as SQLite's full-text shadow tables, rebuilt on the other side)."""
    src, dst = _reflect(source), _reflect(target)
    order = [t for t in dst.sorted_tables if t.name not in SKIP_TABLES]
    seen: set[str] = set()
    plans = []
    for target_table in order:
        name = target_table.name
        if name not in src.tables:
            seen.add(name)
            continue
        typed = _typed(name, target_table)
        source_cols = set(src.tables[name].columns.keys())
        shared = [c for c in typed.columns
                  if c.name in source_cols and c.name in target_table.columns
                  and target_table.columns[c.name].computed is None]
        key = [c for c in typed.primary_key.columns if c.name in source_cols] or shared
        late = []
        for fk in target_table.foreign_keys:
            if fk.column.table.name == name or fk.column.table.name not in seen:
                late += [c for c in shared if c.name == fk.parent.name]
        plans.append(TablePlan(typed, shared, key, late))
        seen.add(name)
    ignored = sorted(set(src.tables) - set(dst.tables) - SKIP_TABLES)
    return plans, ignored


def _rows(conn: sa.Connection, p: TablePlan, batch: int) -> Iterator[Sequence[sa.Row[Any]]]:
    query = sa.select(*p.columns).order_by(*p.key)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
    yield from result.partitions(batch)


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def checksum(conn: sa.Connection, p: TablePlan, batch: int = 2000) -> tuple[int, str]:
    """Row count and SHA-256 of the rows' canonical values in key order, as read through
    the typed columns (so SQLite's text dates and PostgreSQL's timestamps compare equal)."""
    digest = hashlib.sha256()
    count = 0
    for rows in _rows(conn, p, batch):
        for row in rows:
            line = json.dumps([_canonical(v) for v in row], ensure_ascii=False, default=str)
            digest.update(line.encode() + b"\n")
            count += 1
    return count, digest.hexdigest()


def _empty_target(conn: sa.Connection, plans: list[TablePlan], dialect: str) -> None:
    if dialect == "postgresql":
        names = ", ".join(f'"{name}"' for name in [*(p.name for p in plans), "search_queue"])
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    for p in reversed(plans):
        for col in p.late:
            conn.execute(p.table.update().values({col.name: None}))
    for p in reversed(plans):
        conn.execute(p.table.delete())


def _fix_sequences(conn: sa.Connection, plans: list[TablePlan]) -> None:
    """Move each serial/identity sequence past the largest copied id."""
    for p in plans:
        if len(p.key) != 1 or not isinstance(p.key[0].type, sa.Integer):
            continue
        column = p.key[0].name
        sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": p.name, "c": column}).scalar()
        if sequence:
            conn.execute(sa.text(
                f'SELECT setval(:s, COALESCE((SELECT MAX("{column}") FROM "{p.name}"), 0) + 1,'
                " false)"), {"s": sequence})


def copy_store(source: Store, target: Store, *, force: bool, batch: int,
               report: Report = _quiet,
               progress: ProgressFn | None = None) -> dict[str, Any]:
    """Copy every table of ``source`` into ``target`` in one target transaction, then verify.

    ``report`` receives one line per step (tables skipped, copied, linked), and
    ``progress(rows, total)`` the count of rows copied so far.
    """
    plans, ignored = plan(source.db.engine, target.db.engine)
    for name in ignored:
        report(f"migrate-store: {name}: not in the target schema (derived data), skipped")
    with target.db.read() as conn:
        filled = {p.name: n for p in plans if (n := _count(conn, p.table))}
    if filled and not force:
        listing = ", ".join(f"{k} ({v} rows)" for k, v in sorted(filled.items()))
        raise StorageError(f"the target is not empty: {listing}; use --force to replace it")
    copied: dict[str, int] = {}
    total = 0
    if progress is not None:
        with source.db.read() as conn:
            total = sum(_count(conn, p.table) for p in plans)
        progress(0, total)
    with source.db.read() as src, target.db.write() as dst:
        if filled:
            report("migrate-store: --force: emptying the target")
            _empty_target(dst, plans, target.dialect)
        for p in plans:
            late = {c.name for c in p.late}
            copied[p.name] = 0
            for rows in _rows(src, p, batch):
                values = [{c.name: (None if c.name in late else v)
                           for c, v in zip(p.columns, row, strict=True)} for row in rows]
                dst.execute(p.table.insert(), values)
                copied[p.name] += len(values)
                if progress is not None:
                    so_far = sum(copied.values())
                    progress(so_far, max(total, so_far))
            report(f"migrate-store: {p.name}: {copied[p.name]} rows")
        for p in plans:
            _fill_late(src, dst, p, batch, report)
        if target.dialect == "postgresql":
            _fix_sequences(dst, plans)
        indexed = target.search_index.index_all(dst)
        report(f"migrate-store: {indexed} articles indexed for search")
    return _verify(source, target, plans, copied)


def _fill_late(src: sa.Connection, dst: sa.Connection, p: TablePlan, batch: int,
               report: Report) -> None:
    if not p.late:
        return
    names = [c.name for c in p.late]
    query = (sa.select(*p.key, *p.late)
             .where(sa.or_(*[c.is_not(None) for c in p.late])).order_by(*p.key))
    binds: dict[str, sa.BindParameter[Any]] = {c.name: sa.bindparam(f"k_{c.name}")
                                               for c in p.key}
    statement = (p.table.update()
                 .where(*[p.table.c[n] == b for n, b in binds.items()])
                 .values({n: sa.bindparam(f"v_{n}") for n in names}))
    done = 0
    for rows in src.execution_options(stream_results=True, yield_per=batch).execute(query) \
            .partitions(batch):
        params = [{**{f"k_{c.name}": r[i] for i, c in enumerate(p.key)},
                   **{f"v_{n}": r[len(p.key) + j] for j, n in enumerate(names)}} for r in rows]
        dst.execute(statement, params)
        done += len(params)
    if done:
        report(f"migrate-store: {p.name}: {done} rows linked ({', '.join(names)})")


def _verify(source: Store, target: Store, plans: list[TablePlan],
            copied: dict[str, int]) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    mismatched = []
    with source.db.read() as src, target.db.read() as dst:
        for p in plans:
            n_src, sum_src = checksum(src, p)
            n_dst, sum_dst = checksum(dst, p)
            ok = n_src == n_dst == copied[p.name] and sum_src == sum_dst
            tables[p.name] = {"rows": n_dst, "source_rows": n_src, "checksum": sum_dst[:16],
                              "ok": ok}
            if not ok:
                mismatched.append(p.name)
    return {"tables": tables, "rows": sum(t["rows"] for t in tables.values()),
            "mismatched": mismatched, "ok": not mismatched}
