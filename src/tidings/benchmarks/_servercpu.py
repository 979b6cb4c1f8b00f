"""CPU seconds of the PostgreSQL backends serving one database on this machine, read from
/proc, for the benchmarks that charge the database's share of the work too."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

from tidings.store.benchdb import postgres_backend_pid


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine (else None)."""
    if not url.startswith("postgres"):
        return None
    with postgres_backend_pid(url) as backend:  # read while the backend is alive
        if backend is None:
            return None
        try:
            status = Path(f"/proc/{backend}/status").read_text()
            return int(next(line.split()[1] for line in status.splitlines()
                            if line.startswith("PPid:")))
        except (OSError, StopIteration, ValueError):
            return None


#: the name of a thread that only measures: the CPU profile leaves it out
MEASURING_THREAD = "measuring"


class BackendCpu:
    """CPU seconds of the server processes serving one database, while ``with`` lasts.

    A poller reads, every ``interval`` seconds, the CPU of each PostgreSQL backend whose
    process title names the database (``postgres: … user dbname host(port) …``), and keeps
    the last figure of each, so a backend that exits before the end still counts. Other
    databases' sessions on the same server (other people's tests) are left out, and so are
    the shared background processes (WAL writer, checkpointer). ``seconds`` is None when the
    server is not on this machine.
    """

    def __init__(self, url: str, interval: float = 0.25):
        self.postmaster = postmaster_pid(url)
        self.database = sa_url_database(url)
        self.interval = interval
        self.seconds: float | None = None
        self.own_cpu_s = 0.0  # the poller's own CPU in this process, for the caller to leave out
        self._serves: dict[int, bool] = {}  # backend pid -> whether it serves the database
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name=MEASURING_THREAD, daemon=True)

    def __enter__(self) -> BackendCpu:
        if self.postmaster is not None:
            self._first = self._read()
            self._last = dict(self._first)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.postmaster is None:
            return
        self._stop.set()
        self._thread.join()
        self._last.update(self._read())
        self.seconds = sum(cpu - self._first.get(pid, 0.0) for pid, cpu in self._last.items())

    def _poll(self) -> None:
        started = time.thread_time()
        while not self._stop.wait(self.interval):
            self._last.update(self._read())
        self.own_cpu_s = time.thread_time() - started

    def _read(self) -> dict[int, float]:
        tick = os.sysconf("SC_CLK_TCK")
        found: dict[int, float] = {}
        try:
            children = Path(f"/proc/{self.postmaster}/task/{self.postmaster}/children") \
                .read_text().split()
        except OSError:
            return found
        for child in children:
            with contextlib.suppress(OSError, ValueError, IndexError):
                if not self._serves_database(int(child)):
                    continue
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                found[int(child)] = (int(fields[11]) + int(fields[12])) / tick
        return found


    def _serves_database(self, pid: int) -> bool:
        if pid not in self._serves:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
            self._serves[pid] = self.database.encode() in title
        return self._serves[pid]


def sa_url_database(url: str) -> str:
    """The database name of a ``postgresql://…/name?…`` URL."""
    return url.split("?", 1)[0].rsplit("/", 1)[-1]
