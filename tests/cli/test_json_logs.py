"""``TIDINGS_LOG_FORMAT=json``: every line the command line and the server write to stderr
is one JSON object (time, level, logger, message, fields) — tidings' own records, library
loggers, uvicorn's error and access logs, a failing command's error line. Run as real
processes, parsing every stderr line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from fixtures_server import FixtureServer

RSS = ("<rss version='2.0'><channel><title>Loopback</title><link>https://loop.example/</link>"
       "<item><guid>j1</guid><title>JSON logs one</title><description>One</description></item>"
       "</channel></rss>")
CLI = [sys.executable, "-c", "from tidings.cli import main; main()"]


def records(stderr: str) -> list[dict[str, Any]]:
    """Every stderr line as a JSON object with the required keys (fails on any other line)."""
    found = []
    for line in stderr.splitlines():
        record = json.loads(line)  # a line that is not JSON fails the test here
        assert isinstance(record, dict), line
        assert {"time", "level", "logger", "message"} <= set(record), line
        found.append(record)
    return found


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "TIDINGS_HOME": str(tmp_path / "home"), "TIDINGS_LOG_FORMAT": "json",
            "TIDINGS_ALLOW_PRIVATE": "1", "PYTHONWARNINGS": "default"}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_verbose_fetch_logs_json_with_feed_fields(env: dict[str, str]) -> None:
    feeds = FixtureServer().start()
    try:
        url = feeds.add("/feed.xml", RSS, content_type="application/rss+xml")
        missing = feeds.add("/missing.xml", "no", status=404)
        assert run(env, "add", url).returncode == 0
        fetched = run(env, "-v", "fetch", "--json")
        plain = run(env, "fetch")  # per-feed lines for people become records too
        failed = run(env, "add", missing)
    finally:
        feeds.close()
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout.splitlines()[-1])["feeds"] == 1
    logged = records(fetched.stderr)
    refreshed = [r for r in logged if r["message"] == "feed refreshed"]
    assert refreshed, [r["message"] for r in logged]
    assert {"feed_id", "url", "status", "duration_s"} <= set(refreshed[0])
    assert refreshed[0]["url"] == url and refreshed[0]["status"] == 200
    assert {r["level"] for r in logged} <= {"DEBUG", "INFO", "WARNING", "ERROR"}
    assert any(r["level"] == "DEBUG" for r in logged)

    assert plain.returncode == 0
    notes = records(plain.stderr)
    assert any(r["logger"] == "tidings.console" and url in r["message"] for r in notes)

    assert failed.returncode != 0
    [error] = [r for r in records(failed.stderr) if r["level"] == "ERROR"]
    assert error["logger"] == "tidings.cli" and error["message"].startswith("error: ")


def test_a_verbose_failure_puts_its_traceback_in_the_record(env: dict[str, str]) -> None:
    failed = run(env, "-v", "sources", "show", "999")
    assert failed.returncode != 0
    [error] = [r for r in records(failed.stderr) if r["level"] == "ERROR"]
    assert "999" in error["message"]
    assert "Traceback" in error.get("traceback", "")


def test_serve_logs_json_including_uvicorn_and_access(env: dict[str, str], tmp_path: Path
                                                      ) -> None:
    from web.test_serve import free_port, wait_until_ready

    port = free_port()
    proc = subprocess.Popen([*CLI, "serve", "--no-worker", "--port", str(port)],
                            env={**env, "TIDINGS_ACCESS_LOG": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base, proc)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + "/no/such/page", timeout=5)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    logged = records(stderr)
    loggers = {r["logger"] for r in logged}
    assert "uvicorn.error" in loggers  # "Started server process", "Uvicorn running on ..."
    access = [r for r in logged if r["logger"] == "uvicorn.access"]
    assert {(r["method"], r["path"], r["status"]) for r in access} >= {
        ("GET", "/healthz", 200), ("GET", "/no/such/page", 404)}
