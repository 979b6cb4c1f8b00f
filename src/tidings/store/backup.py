"""Backups and restores of the store.

SQLite: SQLite's online backup API copies a consistent snapshot while writers keep working;
the copy is checked (``PRAGMA integrity_check``) before it is moved into place, so a backup
file either is complete or does not exist. A restore checks the backup the same way, keeps
the current database aside, copies the backup in through the same API (so other processes see
either the old or the new database, never half of each) and upgrades its schema.

PostgreSQL: ``pg_dump``/``pg_restore`` in custom format when they are installed, else an
error saying exactly what to run. A restore first checks the archive is a tidings database of a
schema this version knows, and upgrades the schema afterwards, as on SQLite.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from tidings.errors import StorageError
from tidings.store.engine import head_revision, normalize_url


@dataclass(slots=True)
class BackupResult:
    path: str
    bytes: int
    revision: str | None
    kept_aside: str | None = None


def sqlite_path(url: str) -> Path | None:
    """The database file of a ``sqlite:///`` URL (None for PostgreSQL)."""
    parsed = sa.engine.make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise StorageError("an in-memory database cannot be backed up")
    return Path(parsed.database).expanduser()


def check_sqlite_file(path: Path) -> str | None:
    """Raise unless ``path`` is an intact tidings database; return its schema revision."""
    if not path.is_file():
        raise StorageError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StorageError(f"{path}: cannot open: {exc}") from None
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in result] != ["ok"]:
            raise StorageError(f"{path}: integrity check failed: {result[0][0]}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"articles", "sources", "alembic_version"} <= tables:
            raise StorageError(f"{path}: not a tidings database")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path}: not a usable SQLite database ({exc})") from None
    finally:
        conn.close()


def _copy(src: sqlite3.Connection, dst: sqlite3.Connection) -> None:
    # pages=0 copies everything in one step: a single consistent snapshot
    src.backup(dst, pages=0)


def backup(url: str, target: Path, *, force: bool = False) -> BackupResult:
    """A consistent copy of the live store at ``target``."""
    target = target.expanduser()
    if target.exists() and not force:
        raise StorageError(f"{target} exists; use --force to replace it")
    db_path = sqlite_path(url)
    if db_path is None:
        return _pg_dump(url, target)
    if not db_path.is_file():
        raise StorageError(f"{db_path}: no database to back up")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(db_path, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        _copy(src, dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise StorageError(f"backup failed: {exc}") from None
    finally:
        dst.close()
        src.close()
    revision = check_sqlite_file(partial)
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, target)
    return BackupResult(str(target), target.stat().st_size, revision)


def restore(url: str, source: Path, *, force: bool = False) -> BackupResult:
    """Bring a backup back as the live store (refusing to replace data without ``force``)."""
    source = source.expanduser()
    db_path = sqlite_path(url)
    if db_path is None:
        return _pg_restore(url, source, force=force)
    revision = check_sqlite_file(source)
    if revision is not None and not _known_revision(revision):
        raise StorageError(f"{source} was made by a newer tidings (schema {revision}); "
                           "upgrade tidings first")
    kept: str | None = None
    if db_path.exists() and db_path.stat().st_size > 0:
        if not force and _has_data(db_path):
            raise StorageError(f"{db_path} already holds data; use --force to replace it "
                               "(the current database is kept aside)")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
        backup(url, aside, force=True)
        kept = str(aside)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(db_path, timeout=30)
    try:
        _copy(src, dst)
    except sqlite3.Error as exc:
        raise StorageError(f"restore failed: {exc}") from None
    finally:
        src.close()
        dst.close()
    check_sqlite_file(db_path)
    from tidings.store.engine import create_engine, migrate

    engine = create_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return BackupResult(str(db_path), db_path.stat().st_size, head_revision(), kept)


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    from tidings.store.engine import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config())
    try:
        return script.get_revision(revision) is not None
    except Exception:
        return False


def _has_data(db_path: Path) -> bool:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        try:
            for table in ("sources", "articles", "users"):
                if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                    return True
        except sqlite3.Error:
            return False
    return False


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_dump(url: str, target: Path) -> BackupResult:
    tool = shutil.which("pg_dump")
    if tool is None:
        raise StorageError("pg_dump is not installed; on the database host run: "
                           f"pg_dump --format=custom --file {target} '<your database URL>'")
    partial = target.with_name(target.name + ".partial")
    done = subprocess.run([tool, "--format=custom", "--no-owner", "--file", str(partial),
                           "--dbname", _libpq_url(url)], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        message = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise StorageError(f"pg_dump failed: {message}")
    os.replace(partial, target)
    return BackupResult(str(target), target.stat().st_size, None)


def _pg_restore(url: str, source: Path, *, force: bool) -> BackupResult:
    if not source.is_file():
        raise StorageError(f"{source}: no such file")
    tool = shutil.which("pg_restore")
    if tool is None:
        raise StorageError("pg_restore is not installed; on the database host run: "
                           f"pg_restore --clean --if-exists --no-owner --dbname '<URL>' {source}")
    if not force:
        raise StorageError("restoring into PostgreSQL replaces the database's tables; "
                           "use --force to go ahead")
    listed = subprocess.run([tool, "--list", str(source)], capture_output=True, text=True,
                            check=False)
    if listed.returncode != 0:
        raise StorageError(f"{source}: not a pg_dump custom-format archive")
    tables = {line.split()[-2] for line in listed.stdout.splitlines()
              if " TABLE public " in line and " TABLE DATA " not in line}
    if not {"articles", "sources", "alembic_version"} <= tables:
        raise StorageError(f"{source}: not a tidings database")
    revision = _pg_archive_revision(tool, source)
    if revision is not None and not _known_revision(revision):
        raise StorageError(f"{source} was made by a newer tidings (schema {revision}); "
                           "upgrade tidings first")
    done = subprocess.run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           "--dbname", _libpq_url(url), str(source)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise StorageError(f"pg_restore failed: {message}")
    # an older backup is brought up to this version's schema, as on SQLite
    from tidings.store.engine import create_engine, migrate

    engine = create_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    # the database restored into (without its password), as SQLite reports its file
    target = sa.engine.make_url(url).render_as_string(hide_password=True)
    return BackupResult(target, source.stat().st_size, head_revision())


def _pg_archive_revision(tool: str, source: Path) -> str | None:
    """The schema revision stored in a pg_dump archive (its ``alembic_version`` row)."""
    done = subprocess.run([tool, "--data-only", "--table=alembic_version", "--file=-",
                           str(source)], capture_output=True, text=True, check=False)
    lines = done.stdout.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and n + 1 < len(lines):
            value = lines[n + 1].strip()
            return None if value in ("", "\\.") else value
    return None
