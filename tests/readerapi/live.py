"""``tidings serve`` as a real process on loopback, over a SQLite file the test also opens: the
server the real clients (newsboat, the PyPI Google Reader and Fever clients) talk to."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.web.test_serve import free_port, wait_until_ready


@contextmanager
def live_tidings(home: Path, database_url: str, **env: str) -> Iterator[str]:
    """The base URL of a ``tidings serve --no-worker`` on 127.0.0.1; stopped afterwards."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    environment.update(TIDINGS_HOME=str(home), TIDINGS_DATABASE_URL=database_url, **env)
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "serve.log").open("w")  # a file, not a pipe nobody reads that could fill up
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tidings.cli import main; main()", "serve", "--no-worker",
         "--host", "127.0.0.1", "--port", str(port)],
        env=environment, stdout=subprocess.DEVNULL, stderr=log, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_ready(base, proc)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; its log: {(home / 'serve.log').read_text()[-2000:]}"
                                 ) from None
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.__exit__(None, None, None)
        log.close()
