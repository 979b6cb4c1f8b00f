"""Log output: key=value text and JSON from the same calls (fields travel in ``extra=``)."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from tidings import console, logs
from tidings.config import Settings
from tidings.errors import ConfigError


@pytest.fixture
def restore_root() -> Iterator[None]:
    """Undo what ``logs.configure`` changes for the whole process."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    sink, hook = console.sink, threading.excepthook
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    console.sink, threading.excepthook = sink, hook
    logging.captureWarnings(False)


def _emit(fmt: str, level: str = "INFO") -> str:
    out = io.StringIO()
    logs.configure(level, fmt, stream=out)
    log = logging.getLogger("tidings.test")
    log.info("feed refreshed", extra={"feed_id": 7, "url": "https://a.example/feed",
                                      "stage": "fetch", "duration_s": 0.25,
                                      "title": "two words"})
    try:
        raise ValueError("bad bytes\nmore detail")
    except ValueError:
        log.warning("feed failed", exc_info=True, extra={"feed_id": 7})
    log.debug("only at debug")
    return out.getvalue()


def test_text_format_is_key_value(restore_root: None) -> None:
    lines = _emit("text").splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("INFO tidings.test: feed refreshed feed_id=7 "
                             "url=https://a.example/feed stage=fetch duration_s=0.25 "
                             'title="two words"')
    assert lines[1].endswith('WARNING tidings.test: feed failed feed_id=7 '
                             'error="ValueError: bad bytes"')
    assert "Traceback" not in "\n".join(lines)


def test_json_format_is_one_object_per_line(restore_root: None) -> None:
    lines = _emit("json").splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "feed refreshed" and first["level"] == "INFO"
    assert first["logger"] == "tidings.test" and first["time"].endswith("Z")
    assert {k: first[k] for k in ("feed_id", "url", "stage", "duration_s")} == {
        "feed_id": 7, "url": "https://a.example/feed", "stage": "fetch", "duration_s": 0.25}
    assert second["error"] == "ValueError: bad bytes" and "traceback" not in second


def test_debug_shows_tracebacks(restore_root: None) -> None:
    text = _emit("text", "DEBUG")
    assert "Traceback" in text and "only at debug" in text
    last = json.loads(_emit("json", "DEBUG").splitlines()[-1])
    assert last["message"] == "only at debug"


def test_configure_replaces_its_own_handler_only(restore_root: None) -> None:
    root = logging.getLogger()
    others = [h for h in root.handlers if h.get_name() != "tidings"]
    logs.configure("INFO", "text")
    logs.configure("WARNING", "json")
    mine = [h for h in root.handlers if h.get_name() == "tidings"]
    assert len(mine) == 1 and isinstance(mine[0].formatter, logs.JsonFormatter)
    assert [h for h in root.handlers if h.get_name() != "tidings"] == others
    assert logging.getLogger("httpx2").level == logging.WARNING


def test_settings_check_level_and_format() -> None:
    assert Settings.from_dict({"log_format": "json"}).log_format == "json"
    with pytest.raises(ConfigError, match="TIDINGS_LOG_FORMAT"):
        Settings.from_dict({"log_format": "xml"})
    with pytest.raises(ConfigError, match="TIDINGS_LOG_LEVEL"):
        Settings.from_dict({"log_level": "loud"})


def test_json_sends_lines_for_people_and_thread_errors_through_the_log(restore_root: None
                                                                      ) -> None:
    out = io.StringIO()
    logs.configure("INFO", "json", stream=out)
    console.progress("worker: 3 feeds, 2 new articles")

    def fail() -> None:
        raise RuntimeError("boom")

    worker = threading.Thread(target=fail, name="doomed")
    worker.start()
    worker.join()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (lines[0]["logger"], lines[0]["message"]) == \
        ("tidings.console", "worker: 3 feeds, 2 new articles")
    assert lines[1]["thread_name"] == "doomed" and "RuntimeError: boom" in lines[1]["error"]
    logs.configure("INFO", "text", stream=out)
    assert console.sink is None  # text again: lines for people go straight to stderr
