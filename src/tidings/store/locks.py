"""Named locks across processes, for work that must happen in one place at a time.

Story assignment is one such role: two workers clustering at once could each start a story
for the same event. On PostgreSQL the lock is a session advisory lock held on a dedicated
connection for the length of the block; on SQLite (one machine by nature) it is an
``flock`` on a file next to the database, plus a thread lock within the process.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

from tidings.store.engine import Database

# the named locks of the pipeline's stages (declared with their stage in tidings.worker.stages)
EXTRACT_LOCK = "tidings.extract"
CLUSTER_LOCK = "tidings.cluster"
WEBSUB_LOCK = "tidings.websub"
PUBLISH_LOCK = "tidings.publish"
INDEX_LOCK = "tidings.index"

_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()
_held = threading.local()  # names this thread holds: a nested ``exclusive`` is a no-op


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks take a bigint)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _local(name: str) -> threading.Lock:
    with _local_guard:
        return _local_locks.setdefault(name, threading.Lock())


@contextlib.contextmanager
def exclusive(db: Database, name: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold the lock called ``name`` for the block; yields whether it was acquired.

    With ``wait=False`` the block still runs when another process holds the lock, but sees
    ``False`` and should skip its work (someone else is doing it). Re-entering a lock this
    thread already holds succeeds at once, so a caller may wrap a stage that locks itself.
    """
    held: set[str] = _held.__dict__.setdefault("names", set())
    if name in held:
        yield True
        return
    local = _local(name)
    if not local.acquire(blocking=wait):
        yield False
        return
    cross_process = _file_lock if db.dialect != "postgresql" else _advisory_lock
    try:
        with cross_process(db, name, wait) as got:
            if got:
                held.add(name)
            try:
                yield got
            finally:
                held.discard(name)
    finally:
        local.release()


@contextlib.contextmanager
def _advisory_lock(db: Database, name: str, wait: bool) -> Iterator[bool]:
    """A PostgreSQL session advisory lock on a connection of its own."""
    key = lock_key(name)
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if wait:
            conn.exec_driver_sql("SELECT pg_advisory_lock(%(k)s)", {"k": key})
            got = True
        else:
            got = bool(conn.exec_driver_sql("SELECT pg_try_advisory_lock(%(k)s)",
                                            {"k": key}).scalar())
        try:
            yield got
        finally:
            if got:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(%(k)s)", {"k": key})


@contextlib.contextmanager
def _file_lock(db: Database, name: str, wait: bool) -> Iterator[bool]:
    database = db.engine.url.database
    if not database or database == ":memory:":
        yield True
        return
    path = Path(database).with_name(Path(database).name + f".{name}.lock")
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
