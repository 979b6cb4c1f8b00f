"""Query and path parameters, declared once: each :class:`Param` both checks a request's value
(a malformed or out-of-range value is a 400 with one clear line) and describes itself in
``/openapi.json`` with exactly the limits it enforces, so the spec and the code cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from starlette.requests import Request

from tidings.errors import BadParam, NotFoundError

DEFAULT_LIMIT = 20
MAX_LIMIT = 200
#: most-read and trending lists are short by nature
MAX_SHORT_LIMIT = 100
MAX_OFFSET = 1_000_000
MAX_QUERY_CHARS = 500
MAX_ID = 2**63 - 1
#: the whitespace a text value is stripped of (and the spec's "not only blanks" pattern)
BLANKS = " \t\n\r\f\v"
LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
MAX_LANGUAGE_CHARS = 16
MAX_PATH_CHARS = 200

Kind = Literal["integer", "text", "language", "when", "id", "path"]


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter: how it is read, its limits, and its OpenAPI description."""

    name: str
    kind: Kind
    default: int | None = None
    low: int | None = None
    high: int | None = None
    #: a missing or blank value is a 400 on the API (a page shows its empty form instead)
    required: bool = False
    #: ``when`` only: a bare date means the end of that day
    end: bool = False
    aliases: tuple[str, ...] = ()
    description: str = ""
    #: ``path`` only: the names it may take, when they are a fixed set
    choices: tuple[str, ...] = ()

    def raw(self, query: Mapping[str, str], *, strict: bool = True) -> str | None:
        """The value given, if any. An empty field is no value (a form's blank filter), and
        so are blanks for text (stripped); a blank integer is one only on a page (a form's
        "all" choice), the API calls it malformed, as its spec says."""
        for name in (self.name, *self.aliases):
            value = query.get(name)
            if value is None:
                continue
            if self.kind in ("language", "when"):
                given = value != ""
            elif self.kind in ("integer", "id") and strict:
                given = True
            else:
                given = bool(value.strip(BLANKS))
            if given:
                return value
        return None

    def parse(self, query: Mapping[str, str], tz: ZoneInfo, *, strict: bool = True) -> Any:
        raw = self.raw(query, strict=strict)
        if self.kind == "text" and raw is None and (value := query.get(self.name)):
            _check_length(self.name, value)  # an over-long blank value is still too long
        if raw is None:
            if self.required and strict:
                raise BadParam(f"{self.name} is required")
            return self.default
        if self.kind in ("integer", "id"):
            return integer(self.name, raw, low=self.low, high=self.high)
        if self.kind == "text":
            _check_length(self.name, raw)
            return raw.strip(BLANKS)
        if self.kind == "language":
            if len(raw) > MAX_LANGUAGE_CHARS or not LANGUAGE.fullmatch(raw):
                raise BadParam(f"language must be a language code such as 'en', "
                               f"got {raw[:20]!r}")
            return raw.lower()
        return when(self.name, raw, tz, end=self.end)

    def openapi(self) -> dict[str, Any]:
        """This parameter as an OpenAPI 3.1 parameter object."""
        schema: dict[str, Any]
        if self.kind in ("integer", "id"):
            schema = {"type": "integer"}
            if self.low is not None:
                schema["minimum"] = self.low
            if self.high is not None:
                schema["maximum"] = self.high
            if self.default is not None:
                schema["default"] = self.default
        elif self.kind == "text":
            schema = {"type": "string", "maxLength": MAX_QUERY_CHARS}
            if self.required:
                schema |= {"minLength": 1, "pattern": f"[^{_escape(BLANKS)}]"}
        elif self.kind == "language":
            schema = {"type": "string", "maxLength": MAX_LANGUAGE_CHARS,
                      "pattern": f"^({LANGUAGE.pattern})?$"}
        elif self.kind == "when":
            schema = {"anyOf": [{"type": "string", "maxLength": 0},
                                {"type": "string", "format": "date"},
                                {"type": "string", "format": "date-time"}]}
        elif self.choices:
            schema = {"type": "string", "enum": list(self.choices)}
        else:
            schema = {"type": "string", "maxLength": MAX_PATH_CHARS}
        # the API calls every path id ``id`` (openapi.openapi_path), whatever the route's name
        out: dict[str, Any] = {"name": "id", "in": "path", "schema": schema} \
            if self.kind == "id" else {"name": self.name, "in": "path", "schema": schema} \
            if self.kind == "path" else {"name": self.name, "in": "query", "schema": schema}
        if self.required or self.kind in ("id", "path"):
            out["required"] = True
        if self.description:
            out["description"] = self.description
        return out


def _escape(chars: str) -> str:
    return chars.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\f", "\\f").replace("\v", "\\v")


def _check_length(name: str, raw: str) -> None:
    if len(raw) > MAX_QUERY_CHARS:
        raise BadParam(f"{name} is longer than {MAX_QUERY_CHARS} characters")


def integer(name: str, raw: str, *, low: int | None = None, high: int | None = None) -> int:
    try:
        value = int(raw.strip(BLANKS))
    except ValueError:
        raise BadParam(f"{name} must be an integer, got {raw[:40]!r}") from None
    if abs(value) > MAX_ID:
        raise BadParam(f"{name} is out of range")
    if low is not None and value < low:
        raise BadParam(f"{name} must be at least {low}")
    if high is not None and value > high:
        raise BadParam(f"{name} must be at most {high}")
    return value


def when(name: str, raw: str, tz: ZoneInfo, *, end: bool = False) -> datetime:
    """A date (``2026-02-13``, the whole day in the site's zone) or an ISO 8601 time."""
    try:
        if len(raw) == 10:
            day = datetime.strptime(raw, "%Y-%m-%d").date()
            moment = datetime.combine(day, time.max if end else time.min, tzinfo=tz)
        else:
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
    except ValueError:
        raise BadParam(f"{name} must be a date (YYYY-MM-DD) or an ISO 8601 time") from None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # within a day of year 1 or 9999: the edge of time itself
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)


def path_id(request: Request, name: str) -> int:
    """A path id (Starlette's ``int`` convertor took only digits); ids beyond the database's
    integers cannot exist: a 404, not a crash."""
    value = int(request.path_params[name])
    if value > MAX_ID:
        raise NotFoundError(f"no {name.removesuffix('_id')} with id {value}")
    return value


def path_text(request: Request, name: str) -> str:
    """A named path segment (a topic's slug); one too long to exist is a 404."""
    value = str(request.path_params[name])
    if len(value) > MAX_PATH_CHARS:
        raise NotFoundError(f"no {name} {value[:40]!r}…")
    return value


def parse(params: Sequence[Param], request: Request, tz: ZoneInfo, *, strict: bool = True
          ) -> dict[str, Any]:
    """Every declared parameter of ``request``, checked (path ids first: an unknown id is a 404
    whatever the query says)."""
    if not params:  # the front page, sources: no query string to parse
        return {}
    out: dict[str, Any] = {p.name: path_id(request, p.name) for p in params if p.kind == "id"}
    out |= {p.name: path_text(request, p.name) for p in params if p.kind == "path"}
    query = request.query_params
    out |= {p.name: p.parse(query, tz, strict=strict) for p in params
            if p.kind not in ("id", "path")}
    return out


def limit(high: int = MAX_LIMIT) -> Param:
    return Param("limit", "integer", default=DEFAULT_LIMIT, low=1, high=high)


OFFSET = Param("offset", "integer", default=0, low=0, high=MAX_OFFSET)
PAGING = (limit(), OFFSET)
SHORT_PAGING = (limit(MAX_SHORT_LIMIT), OFFSET)
SOURCE = Param("source", "integer", low=1, high=MAX_ID, description="only this outlet's articles")
Q = Param("q", "text", description="words to search for")
Q_REQUIRED = Param("q", "text", required=True, description="words to search for")
LANGUAGE_FILTER = Param("language", "language", aliases=("lang",), description="e.g. en")
REPORT_LANGUAGE = Param("language", "language", aliases=("lang",),
                        description="only the story's reports in this language, e.g. ru")
SEARCH = (*PAGING, Q_REQUIRED, SOURCE, LANGUAGE_FILTER,
          Param("since", "when", description="YYYY-MM-DD or ISO 8601"),
          Param("until", "when", end=True, description="YYYY-MM-DD (the whole day) or ISO 8601"))


def ident(name: str) -> Param:
    return Param(name, "id", low=0)


def segment(name: str, choices: tuple[str, ...] = ()) -> Param:
    """A path segment that names something (``/topics/{slug}``, ``/sections/{name}``)."""
    return Param(name, "path", choices=choices)
