"""The command line does what the admin area does: accounts, health, re-runs, retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from tidings import passwords
from tidings.cli import cli
from tidings.store import open_store


def run(tmp_path: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    env = {"TIDINGS_HOME": str(tmp_path / "home"), "TIDINGS_DATABASE_URL": ""}
    return CliRunner().invoke(cli, list(args), env=env, input=stdin)


def test_user_commands(tmp_path: Path) -> None:
    created = run(tmp_path, "user", "create", "ed", "--admin",
                  stdin="first password\nfirst password\n")
    assert created.exit_code == 0, created.output
    assert "first password" not in created.output  # the prompt does not echo
    mismatch = run(tmp_path, "user", "create", "amy", stdin="one password\ntwo password\n" * 3)
    assert mismatch.exit_code != 0
    short = run(tmp_path, "user", "create", "bob", "--password", "short")
    assert short.exit_code != 0 and "8 characters" in str(short.exception)
    dup = run(tmp_path, "user", "create", "ed", "--password", "another one")
    assert dup.exit_code != 0 and "already exists" in str(dup.exception)
    listed = json.loads(run(tmp_path, "user", "list", "--json").output)
    assert [(u["name"], u["admin"]) for u in listed["users"]] == [("ed", True)]
    assert run(tmp_path, "user", "passwd", "ed", "--password", "second password").exit_code == 0
    store = open_store(f"sqlite:///{tmp_path / 'home' / 'tidings.db'}")
    user = store.users.by_name("ed")
    assert user is not None and passwords.verify_password(user.password_hash, "second password")
    store.close()
    assert run(tmp_path, "user", "admin", "ed", "--revoke").exit_code == 0
    assert run(tmp_path, "user", "delete", "ed").exit_code == 0
    missing = run(tmp_path, "user", "delete", "ed")
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_health_reextract_retention(tmp_path: Path) -> None:
    from tidings.models import Feed, Source
    from tidings.store.schema import articles

    assert run(tmp_path, "health").exit_code == 0  # creates the store
    store = open_store(f"sqlite:///{tmp_path / 'home' / 'tidings.db'}")
    now = datetime.now(UTC)
    source = store.sources.add(Source(None, "Planet", fulltext="never"), now)
    feed = store.feeds.add(Feed(None, source.id, "https://planet.example/rss"), now)
    store.feeds.update(feed.id, error_count=2, last_error="HTTP 500")
    with store.db.write() as conn:
        conn.execute(articles.insert().values(
            source_id=source.id, entry_key="a", title="A", published_at=now, fetched_at=now,
            extract_state="failed", extract_error="boom", cluster_state="done"))
    store.close()
    health = json.loads(run(tmp_path, "health", "--json").output)
    assert health["sources"][0]["status"] == "failing"
    assert health["sources"][0]["last_errors"] == ["HTTP 500"]
    assert health["extract_queue"] == {"failed": 1}
    out = run(tmp_path, "reextract", "--source", str(source.id))
    assert out.exit_code == 0 and "1 failed article(s)" in out.output
    out = run(tmp_path, "reextract", "--all", "--run")
    assert out.exit_code == 0 and "Extraction handled 1 article(s)" in out.output, out.output
    assert run(tmp_path, "retention", str(source.id), "30").exit_code == 0
    bad = run(tmp_path, "retention", str(source.id), "soon")
    assert bad.exit_code != 0
    pruned = json.loads(run(tmp_path, "prune", "--json").output)
    assert pruned["deleted"] == 0
