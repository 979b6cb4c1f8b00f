"""Where a benchmark's CPU goes, by stage: a sampler weighted by each thread's own CPU clock.

Every few milliseconds a background thread reads every other thread's CPU clock
(``pthread_getcpuclockid``) and its current stack (``sys._current_frames``); the CPU a thread
used since the last sample is charged to the stage its innermost recognised frame belongs to.
A thread waiting for the GIL, a lock or a socket uses no CPU and is charged nothing, so the
figures are CPU seconds (load-independent), not wall time, and the parse threads and the event
loop add up instead of overlapping. Time spent in C (lxml, nh3, SQLite) is charged to the
Python frame that called it.
"""

from __future__ import annotations

import sys
import threading
import time
from types import FrameType, TracebackType

from tidings.benchmarks._servercpu import MEASURING_THREAD

#: stages named by one function: a frame of it anywhere on the stack decides
SPECIFIC: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sanitize", ("tidings/sanitize.py:",)),
    ("dedup", (":drop_known",)),
    ("fts", (":index_for_search",)),
    ("commit", (":_commit_impl",)),
)
#: (stage, markers): else a frame belongs to the first stage one of whose markers is in its
#: ``file:function``, and the innermost frame that belongs to any stage decides
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("parse", ("tidings/parse/", "lxml/", "_floor.py:bare_rows")),
    ("sql", ("sqlalchemy/", "sqlite3/", "psycopg/", "tidings/store/", "_floor.py:write_rows")),
    ("schedule", ("tidings/fetch/schedule.py:",)),
    # a parse process's answers crossing the pipe: read, unpickled, rows rebuilt
    ("handoff", ("tidings/ingest/parsing.py:_unpack", "concurrent/futures/process.py:",
                 "multiprocessing/connection.py:", "multiprocessing/queues.py:")),
    ("fetch", ("httpx2/", "httpcore2/", "anyio/", "h11/", "tidings/fetch/", "/ssl.py:",
               "/socket.py:", "asyncio/selector_events.py:")),
)
INTERVAL_S = 0.002


def stage_of(frame: FrameType | None) -> str:
    """The specific stage on the stack, else the innermost frame's that has one, else
    ``other``."""
    found = None
    while frame is not None:
        code = frame.f_code
        where = f"{code.co_filename}:{code.co_name}"
        for stage, markers in SPECIFIC:
            if any(marker in where for marker in markers):
                return stage
        if found is None:
            found = next((stage for stage, markers in STAGES
                          if any(marker in where for marker in markers)), None)
        frame = frame.f_back
    return found or "other"


class CpuProfile:
    """``with CpuProfile() as profile: ...`` then ``profile.seconds`` (stage → CPU s)."""

    def __init__(self, interval_s: float = INTERVAL_S):
        self.interval_s = interval_s
        self.seconds: dict[str, float] = {}
        self.own_cpu_s = 0.0  # the sampler's own cost, kept out of ``seconds``
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=MEASURING_THREAD, daemon=True)
        self._last: dict[int, float] = {}

    def __enter__(self) -> CpuProfile:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        # itself and the other measuring threads (the database CPU poller)
        skip = {t.ident for t in threading.enumerate() if t.name == MEASURING_THREAD}
        started = time.thread_time()
        while not self._stop.wait(self.interval_s):
            self._sample(skip)
        self._sample(skip)
        self.own_cpu_s = time.thread_time() - started

    def _sample(self, skip: set[int | None]) -> None:
        for ident, frame in sys._current_frames().items():
            if ident in skip:
                continue
            try:
                now = time.clock_gettime(time.pthread_getcpuclockid(ident))
            except OSError:  # the thread ended meanwhile
                continue
            before = self._last.get(ident)
            self._last[ident] = now
            if before is not None and now > before:
                stage = stage_of(frame)
                self.seconds[stage] = self.seconds.get(stage, 0.0) + now - before

    def rounded(self) -> dict[str, float]:
        """Stage → CPU seconds (3 decimals), largest first, with their ``total``."""
        out: dict[str, float] = {stage: round(s, 3) for stage, s in
                                  sorted(self.seconds.items(), key=lambda kv: -kv[1])}
        out["total"] = round(sum(self.seconds.values()), 3)
        return out
