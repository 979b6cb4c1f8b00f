"""CPU seconds of a PostgreSQL server on this machine, read from /proc, for the benchmarks
that charge the database's share of the work too."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from tidings.store.benchdb import postgres_backend_pid


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine (else None)."""
    if not url.startswith("postgres"):
        return None
    backend = postgres_backend_pid(url)
    if backend is None:
        return None
    try:
        status = Path(f"/proc/{backend}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines()
                        if line.startswith("PPid:")))
    except (OSError, StopIteration, ValueError):
        return None


def server_cpu(pid: int | None) -> float | None:
    """CPU seconds of the database server: its main process, the backends it has reaped
    (cutime/cstime) and the ones still running. Only for a server on this machine."""
    if pid is None:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            with contextlib.suppress(OSError):
                cf = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(cf[11]) + int(cf[12])
    except (OSError, ValueError, IndexError):
        return None
    return total / tick
