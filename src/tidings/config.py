"""Settings, read from ``TIDINGS_*`` environment variables (or a plain dict) and passed in.

Nothing in tidings reads the environment except :func:`Settings.from_env`; everything else
receives a ``Settings``. Every field is documented in ``docs/configuration.md`` and a test
fails when one is not.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tidings import __version__, logs
from tidings.errors import ConfigError

PREFIX = "TIDINGS_"


def _default_home() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local",
                                                           "share")
    return os.path.join(base, "tidings")


@dataclass(frozen=True, slots=True)
class Settings:
    """All knobs of tidings. Field names map to ``TIDINGS_<NAME>`` environment variables."""

    home: str = field(default_factory=_default_home)
    database_url: str = ""  # empty means sqlite:///$home/tidings.db
    timezone: str = "UTC"
    locale: str = "en"
    allow_private: bool = False
    user_agent: str = f"tidings/{__version__} (+https://github.com/tidings/tidings)"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    fetch_concurrency: int = 32
    per_host_concurrency: int = 4
    parse_processes: str = "auto"  # feed parsing beside the fetching: a count, or auto
    min_poll_interval: int = 300
    max_poll_interval: int = 86400
    max_feed_errors: int = 30
    fulltext_min_chars: int = 500
    extract_concurrency: int = 4
    story_window_days: int = 30
    retention_days: int = 0
    host: str = "127.0.0.1"
    port: int = 8080
    secret_key: str = ""  # empty means generated once and kept in $home/secret_key
    image_proxy: bool = False
    page_cache_seconds: int = 30
    max_concurrent_requests: int = 256
    read_flush_seconds: float = 2.0
    max_event_streams: int = 200
    events_poll_seconds: float = 0.25
    events_keep_hours: int = 24
    metrics_token: str = ""  # empty: no /metrics
    access_log: bool = False
    worker: bool = True
    log_level: str = "INFO"
    log_format: str = "text"
    signup: str = "closed"  # open: anyone may create a reader account on the site
    public_url: str = ""  # the site's public base URL (WebSub callbacks, pinged feed URLs)
    websub_hub: str = ""  # a hub the site's own feeds declare and ping

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``TIDINGS_*`` variables; ``overrides`` win (e.g. CLI flags)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(values)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Settings:
        """Build settings from plain values, converting strings to each field's type."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for name, raw in values.items():
            if name not in known:
                raise ConfigError(f"unknown setting {name!r}")
            kwargs[name] = _convert(name, known[name].type, raw)
        settings = cls(**kwargs)
        settings.validate()
        return settings

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"TIDINGS_TIMEZONE: unknown time zone {self.timezone!r}") from None
        if self.database_url and not self.database_url.startswith(("sqlite:", "postgresql")):
            raise ConfigError(
                "TIDINGS_DATABASE_URL must start with sqlite:/// or postgresql:// "
                f"(got {self.database_url.split(':', 1)[0]!r})"
            )
        positive = ("connect_timeout", "read_timeout", "max_body_bytes", "fetch_concurrency",
                    "per_host_concurrency", "min_poll_interval", "max_poll_interval",
                    "events_poll_seconds", "events_keep_hours")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ConfigError(f"TIDINGS_{name.upper()} must be greater than zero")
        processes = str(self.parse_processes).strip().lower()
        if processes != "auto" and not (processes.isdigit() and int(processes) <= 64):
            raise ConfigError("TIDINGS_PARSE_PROCESSES must be auto or a number from 0 to 64 "
                              f"(got {self.parse_processes!r})")
        if self.min_poll_interval > self.max_poll_interval:
            raise ConfigError("TIDINGS_MIN_POLL_INTERVAL must not exceed TIDINGS_MAX_POLL_INTERVAL")
        logs.check(self.log_level, self.log_format)
        if self.signup not in ("open", "closed"):
            raise ConfigError(f"TIDINGS_SIGNUP must be open or closed, not {self.signup!r}")
        for name in ("public_url", "websub_hub"):
            _check_http_url(name, getattr(self, name))
        if self.max_event_streams < 1:
            raise ConfigError("TIDINGS_MAX_EVENT_STREAMS must be at least 1")
        if self.fulltext_min_chars < 0 or self.retention_days < 0 or self.story_window_days <= 0:
            raise ConfigError("day and size limits must not be negative")

    @property
    def public_base(self) -> str:
        """``public_url`` without a trailing slash ('' when unset)."""
        return self.public_url.rstrip("/")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return "sqlite:///" + str(Path(self.home) / "tidings.db")

    def ensure_home(self) -> Path:
        path = Path(self.home)
        path.mkdir(parents=True, exist_ok=True)
        return path


def _check_http_url(name: str, value: str) -> None:
    """An empty value, or an absolute http(s) URL without a query or fragment."""
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment:
        raise ConfigError(f"TIDINGS_{name.upper()} must be an http:// or https:// URL "
                          f"without query or fragment (got {value!r})")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _convert(name: str, type_: Any, raw: Any) -> Any:
    type_name = type_ if isinstance(type_, str) else getattr(type_, "__name__", str(type_))
    env_name = PREFIX + name.upper()
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    try:
        if type_name == "bool":
            low = text.lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError
        if type_name == "int":
            return int(text.replace("_", ""))
        if type_name == "float":
            return float(text)
    except ValueError:
        raise ConfigError(f"{env_name}: expected {type_name}, got {raw!r}") from None
    return text


def documented_names() -> list[str]:
    """The environment variable of every setting, for the documentation test."""
    return [PREFIX + f.name.upper() for f in dataclasses.fields(Settings)]
