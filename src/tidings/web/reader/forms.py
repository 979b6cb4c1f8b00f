"""What the reader's addresses and forms say: which list (view and scope), where to go back.

A list is a view (``unread``, ``starred``, ``all``) over a scope (everything, one folder, one
source, one story or one saved search). The same few query parameters name it in links and in
the hidden fields of "mark all as read", so both sides read them with one parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

from tidings.errors import FormError

VIEWS = ("unread", "starred", "all")
SCOPES = ("folder", "source", "story", "search")
MAX_NAME = 100
MAX_CONTINUATION = 200


@dataclass(frozen=True, slots=True)
class Scope:
    """The list a page shows: ``kind`` is "" (everything) or one of :data:`SCOPES`."""

    view: str = "unread"
    kind: str = ""
    value: str = ""

    @property
    def number(self) -> int:
        """The id of the folder, source, story or saved search."""
        return int(self.value)

    @property
    def fields(self) -> list[tuple[str, str]]:
        """The scope as (name, value) pairs: query parameters and hidden form fields."""
        return [(self.kind, self.value)] if self.kind else []

    def url(self, view: str | None = None, *, continuation: str | None = None) -> str:
        pairs = list(self.fields)
        chosen = view or self.view
        if chosen != "unread":
            pairs.append(("view", chosen))
        if continuation:
            pairs.append(("c", continuation))
        return "/reader" + ("?" + urlencode(pairs) if pairs else "")

    def views(self) -> dict[str, str]:
        """This scope's address in each view."""
        return {view: self.url(view) for view in VIEWS}


def parse_scope(values: Mapping[str, str]) -> Scope:
    """The scope named by query parameters or form fields; a bad value is a :class:`FormError`."""
    view = values.get("view") or "unread"
    if view not in VIEWS:
        raise FormError(f"view must be one of {', '.join(VIEWS)}")
    given = [kind for kind in SCOPES if values.get(kind)]
    if len(given) > 1:
        raise FormError("name one folder, source, story or saved search, not several")
    if not given:
        return Scope(view)
    kind = given[0]
    value = values[kind].strip()
    if not value.isdigit() or len(value) > 18:
        raise FormError(f"{kind} must be a number")
    return Scope(view, kind, str(int(value)))


def continuation(values: Mapping[str, str]) -> str | None:
    """The opaque "older articles" token of a page, bounded in length."""
    value = values.get("c") or None
    if value is not None and len(value) > MAX_CONTINUATION:
        raise FormError("continuation too long")
    return value


def safe_back(value: str | None) -> str:
    """Where a form sends the browser back to: a local ``/reader`` address, never elsewhere."""
    if (value and (value == "/reader" or value.startswith(("/reader?", "/reader/")))
            and "\\" not in value and "//" not in value and len(value) <= 2000):
        return value
    return "/reader"


def positive_id(text: str, what: str) -> int:
    text = text.strip()
    if not text.isdigit() or len(text) > 18 or int(text) == 0:
        raise FormError(f"{what} must be a positive number")
    return int(text)


def ids_of(values: list[str]) -> list[int]:
    """Article ids from repeated ``id`` fields (at most a page's worth)."""
    if not values:
        raise FormError("no article given")
    if len(values) > 200:
        raise FormError("too many articles at once")
    return [positive_id(v, "an article id") for v in values]


def wants_json(request: Request) -> bool:
    """A fetch from the reader's script asks for JSON; a plain form post gets a redirect."""
    return "application/json" in request.headers.get("accept", "")
