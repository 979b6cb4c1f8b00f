"""Running the site: uvicorn (one or several processes) plus the background worker thread.

``run`` blocks until SIGTERM or SIGINT, then stops accepting, finishes requests in flight,
writes buffered reads (the app's shutdown), and stops the worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn

from tidings import logs
from tidings.config import Settings
from tidings.store import Store, open_store
from tidings.web.app import create_app
from tidings.worker.loop import run_forever


def _config(app: Any, settings: Settings, host: str, port: int, forwarded_allow_ips: str
            ) -> uvicorn.Config:
    # log_config=None: uvicorn's loggers go through tidings.logs (text or JSON) like the rest
    return uvicorn.Config(
        app, host=host, port=port, log_level=settings.log_level.lower(), log_config=None,
        access_log=settings.access_log,
        proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips or "127.0.0.1",
        timeout_graceful_shutdown=10, server_header=False, lifespan="on",
    )


def _start_worker(settings: Settings, store: Store) -> tuple[threading.Event, threading.Thread]:
    """The worker with every stage (``tidings.worker.stages``), in a thread beside the site."""
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(store, settings, stop),
                              name="tidings-worker", daemon=True)
    thread.start()
    return stop, thread


def run(settings: Settings, store: Store, *, host: str, port: int, worker: bool,
        workers: int = 1, forwarded_allow_ips: str = "127.0.0.1") -> None:
    """Serve until SIGTERM/SIGINT. ``workers`` > 1 runs that many server processes."""
    stop: threading.Event | None = None
    thread: threading.Thread | None = None
    if worker:
        stop, thread = _start_worker(settings, store)
    try:
        if workers <= 1:
            server = uvicorn.Server(_config(create_app(settings, store), settings, host, port,
                                            forwarded_allow_ips))
            with _sigterm_ends_quietly():
                server.run()
        else:
            _run_processes(settings, store, host, port, workers, forwarded_allow_ips)
    finally:
        if stop is not None and thread is not None:
            stop.set()
            thread.join(timeout=15)


@contextlib.contextmanager
def _sigterm_ends_quietly() -> Iterator[None]:
    """uvicorn shuts down gracefully on SIGTERM and then re-sends the signal to the handler
    that was installed before it; with this one in place the process returns from ``run``
    (so the worker is stopped too) and exits 0 instead of dying by the signal."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _child(settings: Settings, url: str, sock: socket.socket, host: str, port: int,
           forwarded_allow_ips: str) -> None:
    logs.configure(settings.log_level, settings.log_format)  # a spawned process starts bare
    store = open_store(url, upgrade=False)
    try:
        config = _config(create_app(settings, store), settings, host, port, forwarded_allow_ips)
        with _sigterm_ends_quietly():
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        store.close()


def _run_processes(settings: Settings, store: Store, host: str, port: int, workers: int,
                   forwarded_allow_ips: str) -> None:
    """Several server processes sharing one listening socket (the kernel spreads accepts)."""
    sock = bind(host, port)
    url = store.db.engine.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    children = [ctx.Process(target=_child, name=f"tidings-web-{i}",
                            args=(settings, url, sock, host, port, forwarded_allow_ips))
                for i in range(workers)]
    for child in children:
        child.start()
    stopping = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping.is_set() and any(c.is_alive() for c in children):
            stopping.wait(0.5)
    finally:
        for child in children:
            if child.is_alive() and child.pid is not None:
                os.kill(child.pid, signal.SIGTERM)
        for child in children:
            child.join(timeout=15)
        for s, handler in previous.items():
            signal.signal(s, handler)
        sock.close()
