"""Progress on a terminal: drawn on a (fake, then real pseudo-) TTY, silent when piped or
with --json; the work functions report through a plain ``progress(done, total)``."""

from __future__ import annotations

import io
import logging
import os
import pty
import select
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tidings import console
from tidings.cli.progress import Progress, render
from tidings.config import Settings
from tidings.importers.opml import import_opml
from tidings.store import open_store


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_render_counts_rate_and_time_left() -> None:
    assert render("fetch", 0, 40, 0.0) == "fetch [ 0/40] 0%"
    assert render("fetch", 10, 40, 5.0, "feeds") == "fetch [10/40] 25% 2.0 feeds/s, 0:15 left"
    assert render("x", 40, 40, 8.0) == "x [40/40] 100% 5.0/s"
    assert render("x", 1, 10_000, 1.0).endswith("2:46:39 left")


def test_progress_draws_in_place_on_a_terminal() -> None:
    tty, clock = FakeTTY(), Clock()
    bar = Progress("import", stream=tty, clock=clock, unit="feeds")
    with bar:
        bar(0, 4)
        clock.now += 1
        bar(2, 4)
        bar(3, 4)  # too soon after the last drawing: skipped
        bar.note("  one line of its own")
        clock.now += 1
        bar(4, 4)  # the last step is always drawn
    out = tty.getvalue()
    assert out.startswith("\r\x1b[Kimport [0/4] 0%")
    assert "\r\x1b[Kimport [2/4] 50% 2.0 feeds/s, 0:01 left" in out
    assert "[3/4]" not in out
    assert "\r\x1b[K  one line of its own\nimport [2/4]" in out
    assert "\r\x1b[Kimport [4/4] 100% 2.0 feeds/s" in out
    assert out.endswith("\r\x1b[K")  # cleared for the command's own summary
    assert console.live is None


def test_log_records_clear_the_progress_line_first() -> None:
    tty, clock = FakeTTY(), Clock()
    handler = logging.StreamHandler(tty)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with Progress("fetch", stream=tty, clock=clock) as bar:
            bar(1, 3)
            logging.getLogger("tidings.test").warning("a record")
            bar(2, 3)  # drawn again at once, whatever the clock says
        logging.getLogger("tidings.test").warning("after")
    finally:
        root.removeHandler(handler)
    assert "fetch [1/3] 33%\r\x1b[Ka record\n\r\x1b[Kfetch [2/3]" in tty.getvalue()
    assert tty.getvalue().endswith("\r\x1b[Kafter\n")
    assert not handler.filters


def test_progress_is_silent_when_piped_or_quiet() -> None:
    piped = io.StringIO()
    bar = Progress("fetch", stream=piped)
    bar(1, 2)
    bar.note("a note")
    bar.close()
    assert piped.getvalue() == "a note\n"  # notes are ordinary output; no progress line
    tty = FakeTTY()
    quiet = Progress("fetch", stream=tty, quiet=True)
    quiet(1, 2)
    quiet.note("a note")
    quiet.close()
    assert tty.getvalue() == ""


def test_work_functions_report_done_and_total(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 't.db'}")
    try:
        opml = ("<opml version='2.0'><body>"
                + "".join(f"<outline text='f{i}' xmlUrl='https://e{i}.example/feed'/>"
                          for i in range(3)) + "</body></opml>")
        seen: list[tuple[int, int]] = []
        import_opml(store, opml.encode(), now=datetime.now(UTC),
                    progress=lambda done, total: seen.append((done, total)))
        assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]
    finally:
        store.close()


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run ``tidings ARGS`` with stderr on a pseudo-terminal; (exit code, stdout, stderr)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", "from tidings.cli import main; main()",
                             *args], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    out = proc.stdout.read().decode() if proc.stdout else ""
    if proc.stdout:
        proc.stdout.close()
    return proc.wait(timeout=60), out, b"".join(chunks).decode(errors="replace")


def test_fetch_shows_progress_on_a_terminal_only(tmp_path: Path, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed = ("<rss version='2.0'><channel><title>T</title><link>https://t.example/</link>"
            "<item><guid>1</guid><title>One</title></item></channel></rss>")
    urls = [feed_server.add(f"/f{i}", feed) for i in range(3)]
    settings = Settings.from_dict({"home": str(tmp_path / "home")})
    store = open_store(settings.resolved_database_url)
    try:
        outlines = "".join(f"<outline text='f{i}' xmlUrl='{u}'/>" for i, u in enumerate(urls))
        import_opml(store, f"<opml version='2.0'><body>{outlines}</body></opml>".encode(),
                    now=datetime.now(UTC))
    finally:
        store.close()
    env = {**os.environ, "TIDINGS_HOME": str(tmp_path / "home"), "TIDINGS_ALLOW_PRIVATE": "1",
           "TIDINGS_DATABASE_URL": "", "TIDINGS_LOG_LEVEL": "WARNING"}
    code, out, err = _run_on_a_terminal(["fetch"], env)
    assert code == 0, err
    assert "fetch [3/3] 100%" in err and "\x1b[K" in err
    assert "extract [3/3] 100%" in err  # then the pages of the new articles
    assert "   1 new  " in err  # the per-feed lines stay
    assert out.strip().startswith("3 feeds: 3 new articles, 0 unchanged, 0 errors; extract: 3")

    code, out, err = _run_on_a_terminal(["fetch", "--fetch-only", "--json"], env)
    assert code == 0 and err == "" and out.strip().startswith("{")

    piped = subprocess.run([sys.executable, "-c", "from tidings.cli import main; main()",
                            "fetch", "--fetch-only"], env=env, capture_output=True, text=True,
                           timeout=60)
    assert piped.returncode == 0 and "[3/3]" not in piped.stderr and "\x1b" not in piped.stderr
