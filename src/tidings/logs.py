"""Log output: one record per line, as readable ``key=value`` text or as JSON.

Log calls say what happened in the message and carry the facts in ``extra=`` (``feed_id``,
``url``, ``stage``, ``duration_s``, ...), so the output format is chosen here, once, by
``TIDINGS_LOG_FORMAT``, and no call has to change for it. A traceback is shown only at
``DEBUG`` (``tidings -v``); otherwise an exception adds one ``error=`` field.

Everything that reaches stderr goes through here: library loggers (uvicorn's error and access
logs too: the server is started with no logging config of its own), Python warnings, uncaught
exceptions in threads, and, with ``json``, the command line's lines for people
(:data:`tidings.console.sink`), so that with ``TIDINGS_LOG_FORMAT=json`` every line on stderr
is one JSON object.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from typing import Any, TextIO

from tidings import console
from tidings.errors import ConfigError, one_line

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: chatty libraries: never below WARNING, whatever the level of tidings itself
NOISY = ("httpx2", "httpcore2", "alembic", "trafilatura", "htmldate", "charset_normalizer")

_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName", "color_message"}  # the last: uvicorn's duplicate


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra=`` fields of a record, in the order they were given."""
    return {k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")}


def _timestamp(record: logging.LogRecord) -> str:
    when = datetime.fromtimestamp(record.created, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _text_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value == value else "nan"
    text = str(value)
    if not text or any(c.isspace() or c in '"=\\' for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


class _Formatter(logging.Formatter):
    """What both formats share: the record as a dict, and the traceback only when asked."""

    def __init__(self, *, tracebacks: bool = False):
        super().__init__()
        self.tracebacks = tracebacks

    def document(self, record: logging.LogRecord) -> dict[str, Any]:
        doc: dict[str, Any] = {"time": _timestamp(record), "level": record.levelname,
                               "logger": record.name, "message": record.getMessage()}
        for key, value in fields(record).items():
            doc.setdefault(key, value)
        if record.exc_info and record.exc_info[1] is not None:
            doc["error"] = _describe(record.exc_info[1])
            if self.tracebacks:
                doc["traceback"] = self.formatException(record.exc_info)
        return doc


class TextFormatter(_Formatter):
    """``2026-02-15T12:00:00.000Z INFO tidings.x: message key=value ...`` for people."""

    def format(self, record: logging.LogRecord) -> str:
        doc = self.document(record)
        trace = doc.pop("traceback", None)
        if trace is not None:
            doc.pop("error")
        line = f"{doc.pop('time')} {doc.pop('level')} {doc.pop('logger')}: {doc.pop('message')}"
        if doc:
            line += " " + " ".join(f"{k}={_text_value(v)}" for k, v in doc.items())
        return line if trace is None else line + "\n" + trace


class JsonFormatter(_Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, the fields."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(self.document(record), ensure_ascii=False, default=str)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {one_line(exc)}"


_HANDLER_NAME = "tidings"


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


#: uvicorn's access record arguments, in its order, as named fields
_ACCESS_ARGS = ("client", "method", "path", "http_version", "status")


class _AccessFields(logging.Filter):
    """uvicorn's access lines carry their facts as format arguments: name them as fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (record.name == "uvicorn.access" and isinstance(record.args, tuple)
                and len(record.args) == len(_ACCESS_ARGS)):
            for key, value in zip(_ACCESS_ARGS, record.args, strict=True):
                setattr(record, key, value)
        return True


def _thread_failed(args: threading.ExceptHookArgs) -> None:
    """An exception that ended a thread: one record (Python would print a bare traceback)."""
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("tidings").error(
        "a thread ended with an error", extra={"thread_name": name},
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


CONSOLE_LOGGER = "tidings.console"


def _note(message: str) -> None:
    logging.getLogger(CONSOLE_LOGGER).info(message)


def check(level: str, fmt: str) -> None:
    """Refuse a level or format the logging setup cannot use (a :class:`ConfigError`)."""
    if level.upper() not in LEVELS:
        raise ConfigError(f"TIDINGS_LOG_LEVEL: one of {', '.join(LEVELS)}, got {level!r}")
    if fmt.lower() not in FORMATS:
        raise ConfigError(f"TIDINGS_LOG_FORMAT: text or json, got {fmt!r}")


def configure(level: str = "INFO", fmt: str = "text", *, stream: TextIO | None = None) -> None:
    """Send tidings' logs to ``stream`` (stderr) at ``level`` in format ``fmt``.

    Calling it again replaces the handler it installed before (and no other), so test
    runners' capture handlers stay in place.
    """
    check(level, fmt)
    level = level.upper()
    tracebacks = level == "DEBUG"
    formatter: logging.Formatter = (JsonFormatter(tracebacks=tracebacks) if fmt.lower() == "json"
                                    else TextFormatter(tracebacks=tracebacks))
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(formatter)
    handler.addFilter(_AccessFields())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler.set_name(_HANDLER_NAME)
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # through this handler only
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.captureWarnings(True)
    threading.excepthook = _thread_failed
    as_json = fmt.lower() == "json"
    # lines for people (``tidings fetch``'s per-feed lines, ...) become records in JSON
    console.sink = _note if as_json else None
    logging.getLogger(CONSOLE_LOGGER).setLevel(logging.INFO)
