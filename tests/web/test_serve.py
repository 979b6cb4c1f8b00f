"""``tidings serve`` as a process: prints its address, answers, stops cleanly on SIGTERM and
writes the reads it buffered before exiting (one process and several)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tidings.store import open_store

from .seeding import seed

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_ready(base: str, proc: subprocess.Popen[str], seconds: float = 30) -> None:
    """Until ``{base}/healthz`` answers 200; fails early if the server process has ended."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                assert answer.status == 200
                return
        except OSError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else "it ended"
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_prints_address_and_stops_on_sigterm(tmp_path: Path, workers: int) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    store = open_store(url)
    seeded = seed(store)
    aid = seeded.articles["arch"]
    before = store.articles.get(aid).views
    store.close()
    port = free_port()
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_HOME": str(tmp_path),
           "TIDINGS_READ_FLUSH_SECONDS": "3600"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tidings.cli import main; main()", "serve", "--no-worker",
         "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == f"tidings: serving on http://127.0.0.1:{port}/"
        wait_until_ready(f"http://127.0.0.1:{port}", proc)
        for _ in range(4):  # one visitor, several requests (maybe on several processes)
            request = urllib.request.Request(f"http://127.0.0.1:{port}/articles/{aid}",
                                             headers={"User-Agent": BROWSER})
            with urllib.request.urlopen(request, timeout=5) as r:
                assert r.status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.__exit__(None, None, None)  # closes the pipes
    store = open_store(url)
    try:
        assert store.articles.get(aid).views == before + 1  # written at shutdown, once
    finally:
        store.close()
