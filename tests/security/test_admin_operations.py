"""The admin area changes sources through the same operations as the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from starlette.testclient import TestClient

from tidings.cli import main
from tidings.models import Feed, Source
from tidings.store import Store
from tidings.worker import stages

from .conftest import csrf_of


def failing_source(store: Store, host: str = "planet.example") -> tuple[int, int]:
    """A paused source whose one feed was disabled after too many errors."""
    now = datetime.now(UTC)
    source = store.sources.add(Source(None, "Planet", f"https://{host}/"), now)
    feed = store.feeds.add(Feed(None, source.id, f"https://{host}/rss"), now)
    store.sources.update(source.id or 0, paused=True)
    store.feeds.update(feed.id or 0, error_count=9, last_error="HTTP 503 from planet",
                       disabled=True)
    return source.id or 0, feed.id or 0


def errors_of(store: Store, feed_id: int) -> tuple[int, str | None, bool]:
    feed = store.feeds.get(feed_id)
    return feed.error_count, feed.last_error, feed.disabled


def test_resume_in_admin_resets_feed_errors(admin_client: TestClient, accounts: Store) -> None:
    source_id, feed_id = failing_source(accounts)
    token = csrf_of(admin_client.get("/admin").text)
    done = admin_client.post(f"/admin/sources/{source_id}/resume", data={"csrf_token": token})
    assert done.status_code == 200 and "Resumed Planet." in done.text
    assert not accounts.sources.get(source_id).paused
    assert errors_of(accounts, feed_id) == (0, None, False)


def test_edit_in_admin_resets_feed_errors(admin_client: TestClient, accounts: Store) -> None:
    source_id, feed_id = failing_source(accounts)
    accounts.feeds.update(feed_id, poll_interval=900)
    accounts.sources.update(source_id, category="World", language="en")
    token = csrf_of(admin_client.get("/admin").text)
    done = admin_client.post(f"/admin/sources/{source_id}/edit", data={
        "csrf_token": token, "name": "Planet", "category": "", "fulltext": "auto",
        "language": "", "poll_interval": ""})
    assert done.status_code == 200 and "Saved." in done.text
    assert errors_of(accounts, feed_id) == (0, None, False)
    source = accounts.sources.get(source_id)
    assert (source.category, source.language) == (None, None)  # empty fields clear
    assert accounts.feeds.get(feed_id).poll_interval is None  # back to adaptive


def test_cli_and_admin_leave_a_resumed_source_alike(admin_client: TestClient, accounts: Store,
                                                     tmp_path: Path) -> None:
    first, first_feed = failing_source(accounts)
    token = csrf_of(admin_client.get("/admin").text)
    admin_client.post(f"/admin/sources/{first}/resume", data={"csrf_token": token})
    second, second_feed = failing_source(accounts, "mars.example")
    database = accounts.db.engine.url.render_as_string(hide_password=False)
    env = {"TIDINGS_HOME": str(tmp_path / "home"), "TIDINGS_DATABASE_URL": database}
    with CliRunner().isolation(env=env):
        main(["sources", "resume", str(second)])
    assert errors_of(accounts, first_feed) == errors_of(accounts, second_feed) == (0, None, False)
    assert accounts.sources.get(first).paused is accounts.sources.get(second).paused is False


def test_run_now_in_admin_goes_through_the_stage_table(
        admin_client: TestClient, accounts: Store,
        stage_calls: list[tuple[str, int | None, bool]]) -> None:
    token = csrf_of(admin_client.get("/admin").text)
    for action in ("run-extract", "run-cluster", "run-index"):
        done = admin_client.post("/admin/pipeline", data={"csrf_token": token, "action": action})
        assert done.status_code == 200 and "handled 0 article(s)" in done.text
    assert stage_calls == [("extract", stages.EXTRACT.run_limit, False),
                           ("cluster", stages.CLUSTER.run_limit, False),
                           ("index", stages.INDEX.run_limit, False)]
