"""``tidings bench serve``: the site under load, on loopback, with reads really counted.

A temporary SQLite store of synthetic outlets, stories and articles (100k by default, bulk
inserted) is served by ``tidings serve --no-worker`` in a subprocess; Debian's ``wrk``, pinned
to one core with ``taskset``, loads the front page, an article page, ``/api/latest`` and a
static file for ``--duration`` seconds each, at 64 and at 16 connections.

Article requests go to 200 articles (the 100 newest and 100 older ones at random: readers mostly
read what is new) and vary the visitor: every request carries a different ``X-Forwarded-For``
and ``User-Agent``. The server trusts ``X-Forwarded-For`` from 127.0.0.1 (the documented
``--forwarded-allow-ips`` default, as behind a local proxy), and reads.py hashes the resulting
client address with the user agent, so nearly every request is a new read that is buffered and
written. The number of reads written is checked in the store afterwards.

With ``--json`` the last line is ``{"front_page": {"rps", "p50_ms", "p99_ms"}, "article": ...,
"api_latest": ..., "static": ...}``: ``rps`` at 64 connections, ``p50_ms``/``p99_ms`` at 16
connections; the full measurements of both runs are kept under ``c64`` and ``c16``.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from tidings.console import print_json, progress
from tidings.errors import TidingsError
from tidings.models import ClusterState, ExtractState
from tidings.store import open_store
from tidings.store.benchdb import bulk_load

_VOCABULARY = """minister border talks market storm election court energy vote police budget
strike council report summit climate health school rail bank trade coast city river deal union
fire flood harbour museum award science space port"""
WORDS = tuple(_VOCABULARY.split())

ARTICLE_LUA = """
-- every request a new visitor: its own X-Forwarded-For and User-Agent (threads seeded apart)
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
local ids = {%s}
function init(args)
  math.randomseed(%d + tid * 7919)
end
request = function()
  n = n + 1
  local id = ids[(n %% #ids) + 1]
  local ip = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "."
             .. math.random(1, 254)
  local headers = {}
  headers["X-Forwarded-For"] = ip
  headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) tidings-bench/" .. tid .. "."
                          .. n .. "." .. math.random(1, 1000000)
  return wrk.format("GET", "/articles/" .. id, headers)
end
"""


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build_store(url: str, n_articles: int, *, seed: int = 7) -> dict[str, int]:
    """Bulk-insert outlets, stories and articles; returns counts."""
    rng = random.Random(seed)
    store = open_store(url)
    now = datetime.now(UTC)
    n_sources = 200
    n_stories = max(1, n_articles // 4)
    span = timedelta(days=30).total_seconds()
    story_rows: list[dict[str, Any]] = []
    for sid in range(1, n_stories + 1):
        first = now - timedelta(seconds=span * (sid / n_stories) ** 2)
        story_rows.append({"id": sid, "title": _sentence(rng, 8).capitalize(),
                           "first_published_at": first, "last_published_at": first,
                           "image_url": f"https://img.example/{sid}.jpg",
                           "created_at": first, "updated_at": first})

    def article_rows() -> Iterator[dict[str, Any]]:
        for aid in range(1, n_articles + 1):
            sid = 1 + int(n_stories * rng.random() ** 1.5)
            opened: datetime = story_rows[sid - 1]["first_published_at"]
            published = min(opened + timedelta(minutes=rng.randint(0, 600)), now)
            text = _sentence(rng, 60)
            yield {
                "id": aid, "source_id": rng.randint(1, n_sources), "feed_id": None,
                "entry_key": f"k{aid}", "url": f"https://outlet.example/a/{aid}",
                "title": _sentence(rng, 9).capitalize(), "published_at": published,
                "fetched_at": published, "summary": text[:160], "content_text": text,
                "content_html": f"<p>{text}</p>", "language": "en",
                "views": rng.randint(0, 500), "story_id": sid,
                "extract_state": ExtractState.DONE, "cluster_state": ClusterState.DONE}

    try:
        bulk_load(
            store,
            source_rows=[{"id": i, "name": f"Outlet {i}", "url": f"https://outlet{i}.example",
                          "created_at": now} for i in range(1, n_sources + 1)],
            feed_rows=[{"id": i, "source_id": i, "url": f"https://outlet{i}.example/feed.xml",
                        "created_at": now, "last_checked_at": now, "error_count": i % 17 == 0}
                       for i in range(1, n_sources + 1)],
            story_rows=story_rows, article_rows=article_rows())
    finally:
        store.close()
    return {"articles": n_articles, "stories": n_stories, "sources": n_sources}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # loopback only
        return bytes(response.read())


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise TidingsError("the server exited before it was ready")
        try:
            _get(base + "/healthz", 1.0)
            return
        except OSError:
            time.sleep(0.2)
    raise TidingsError("the server did not answer /healthz within a minute")


def _cache_stats(base: str, workers: int) -> dict[int, dict[str, Any]]:
    """Per-process cache counters, polling /healthz until every process has answered."""
    seen: dict[int, dict[str, Any]] = {}
    for _ in range(400):
        body = json.loads(_get(base + "/healthz"))
        seen[body["pid"]] = body
        if len(seen) >= workers:
            break
    return seen


def _parse_wrk(text: str) -> dict[str, Any]:
    def ms(value: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s|m)", value)
        if not m:
            return float("nan")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]
        return round(float(m.group(1)) * scale, 3)

    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    total = re.search(r"(\d+) requests in", text)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    return {
        "rps": round(float(rps.group(1)), 1) if rps else 0.0,
        "p50_ms": ms(p50.group(1)) if p50 else float("nan"),
        "p99_ms": ms(p99.group(1)) if p99 else float("nan"),
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }


def _wrk(url: str, connections: int, duration: int, script: Path | None, core: int | None
         ) -> dict[str, Any]:
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "5s"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if core is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(core), *command]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise TidingsError(f"wrk failed: {(done.stderr or done.stdout).strip()[:200]}")
    return _parse_wrk(done.stdout)


def _settled_reads(url: str, timeout: float = 60.0) -> int:
    """The reads in the store once buffered reads have all been written (count stops moving)."""
    last, deadline = -1, time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(2.5)
        now = _count_reads(url)
        if now == last:
            break
        last = now
    return last


def _count_reads(url: str) -> int:
    store = open_store(url, upgrade=False)
    try:
        return store.reads.count()
    finally:
        store.close()


@click.command("serve")
@click.option("--articles", "n_articles", default=100_000, show_default=True,
              help="Articles in the synthetic store.")
@click.option("--duration", default=10, show_default=True, help="Seconds per load run.")
@click.option("--workers", default=2, show_default=True, help="Server processes.")
@click.option("--core", default=1, show_default=True,
              help="CPU core wrk is pinned to (-1: no pinning).")
@click.option("--only", default="", help="Comma-separated targets to run (default: all four).")
@click.option("--keep", is_flag=True, help="Keep the temporary store.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (last line).")
def command(n_articles: int, duration: int, workers: int, core: int, only: str, keep: bool,
            as_json: bool) -> None:
    """Serve a 100k-article store and load it with wrk on loopback."""
    if shutil.which("wrk") is None:
        raise TidingsError("wrk is not installed (apt-get install -y wrk)")
    home = Path(tempfile.mkdtemp(prefix="tidings-bench-serve-"))
    url = f"sqlite:///{home / 'bench.db'}"
    proc: subprocess.Popen[bytes] | None = None
    try:
        started = time.monotonic()
        counts = build_store(url, n_articles)
        build_s = round(time.monotonic() - started, 2)
        progress(f"built a store of {n_articles} articles in {build_s} s")
        proc, base = _start_server(url, home, workers)
        script = home / "article.lua"
        targets = _targets(base, script, only)
        id_list = ", ".join(map(str, _article_ids(base, n_articles)))
        pin = None if core < 0 else core
        for path, _ in targets.values():  # warm every process's caches and connections
            _wrk(path, 8, 1, None, pin)
        results: dict[str, Any] = {}
        for name, (target, lua) in targets.items():
            reads_before = _count_reads(url)
            results[name] = _load(name, target, lua, id_list, base, workers, duration, pin)
            if name == "article":
                _add_reads(results[name], url, base, workers, reads_before)
        summary: dict[str, Any] = {}
        for name, runs in results.items():
            summary[name] = {"rps": runs["c64"]["rps"], "p50_ms": runs["c16"]["p50_ms"],
                             "p99_ms": runs["c16"]["p99_ms"], **runs}
        summary["store"] = {**counts, "build_s": build_s, "workers": workers,
                            "wrk_core": pin, "duration_s": duration}
        _print_summary(summary, targets, as_json)
    finally:
        _stop_server(proc)
        if not keep:
            shutil.rmtree(home, ignore_errors=True)
        else:
            progress(f"store kept at {home}")


_Targets = dict[str, tuple[str, Path | None]]


def _start_server(url: str, home: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """``tidings serve --no-worker`` on a free loopback port, once it answers; its base URL."""
    port = _free_port()
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_HOME": str(home),
           "TIDINGS_LOG_LEVEL": "WARNING", "TIDINGS_WORKER": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tidings.cli import main; main()", "serve",
         "--no-worker", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    _wait_ready(base, proc)
    return proc, base


def _stop_server(proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM for a graceful shutdown (buffered reads are written), SIGKILL after 20 s."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _article_ids(base: str, n_articles: int) -> list[int]:
    """The 100 newest articles and 100 older ones at random: readers mostly read what is new."""
    latest = json.loads(_get(base + "/api/latest?limit=100"))["items"]
    return [item["id"] for item in latest] + random.Random(1).sample(
        range(1, n_articles + 1), k=min(100, n_articles))


def _targets(base: str, script: Path, only: str) -> _Targets:
    """URL and wrk script of every target, narrowed to ``--only``; unknown names refused."""
    targets: _Targets = {
        "front_page": (base + "/", None),
        "article": (base + "/", script),
        "api_latest": (base + "/api/latest", None),
        "static": (base + "/static/site.css", None),
    }
    if not only:
        return targets
    wanted = {t.strip() for t in only.split(",") if t.strip()}
    unknown = wanted - set(targets)
    if unknown:
        raise TidingsError(f"unknown target(s) {', '.join(sorted(unknown))}; "
                           f"choose from {', '.join(targets)}")
    return {k: v for k, v in targets.items() if k in wanted}


def _load(name: str, target: str, lua: Path | None, id_list: str, base: str, workers: int,
          duration: int, pin: int | None) -> dict[str, Any]:
    """wrk runs on one target at 64 then 16 connections, with the cache hit rate of each."""
    runs: dict[str, Any] = {}
    for conns in (64, 16):
        if lua is not None:  # new visitors for every run (a repeat would be deduplicated)
            lua.write_text(ARTICLE_LUA % (id_list, random.randrange(1, 2**30)))
        before = _cache_stats(base, workers)
        run = _wrk(target, conns, duration, lua, pin)
        after = _cache_stats(base, workers)
        run["cache_hit_rate"] = _hit_rate(before, after)
        runs[f"c{conns}"] = run
        progress(f"{name} c={conns}: {run['rps']} req/s, p50 {run['p50_ms']} ms, "
                 f"p99 {run['p99_ms']} ms, cache hits {run['cache_hit_rate']}"
                 + (f", {run['non_2xx']} NOT 2xx/3xx" if run["non_2xx"] else ""))
    return runs


def _hit_rate(before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]]
              ) -> float | None:
    """Cache hits (stale ones included) over lookups between two snapshots of every process.

    A process missing from ``before`` (started in between) counts from its own first numbers.
    """
    hits = sum(after[p]["cache"][k] - before.get(p, after[p])["cache"][k]
               for p in after for k in ("hits", "stale"))
    misses = sum(after[p]["cache"]["misses"]
                 - before.get(p, after[p])["cache"]["misses"] for p in after)
    return round(hits / (hits + misses), 4) if hits + misses else None


def _add_reads(runs: dict[str, Any], url: str, base: str, workers: int,
               reads_before: int) -> None:
    """Article requests against the reads the store gained: every visit should be counted."""
    runs["requests"] = sum(runs[f"c{c}"]["requests"] for c in (64, 16))
    runs["reads_written"] = _settled_reads(url) - reads_before
    states = _cache_stats(base, workers).values()
    runs["reads_pending"] = sum(p["reads"]["pending"] for p in states)
    progress(f"article requests: {runs['requests']}, reads written to the "
             f"store: {runs['reads_written']}, still buffered: "
             f"{runs['reads_pending']}")


def _print_summary(summary: dict[str, Any], targets: _Targets, as_json: bool) -> None:
    if as_json:
        print_json(summary)
        return
    for name in targets:
        s = summary[name]
        click.echo(f"{name:11s} {s['rps']:>9.1f} req/s (64 conn)   p50 {s['p50_ms']} ms  "
                   f"p99 {s['p99_ms']} ms (16 conn)")
