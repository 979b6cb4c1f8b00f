"""What the two sync APIs answer alike: uncached JSON and text, and errors in the API's one
shape. Nothing here sets a cookie; every answer is about one reader and is never cached
(``no-store``), so no client ever gets a 304 for state that has changed."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from tidings.errors import FetchError, InputError, NotFoundError, OperationError, TidingsError
from tidings.web.responses import JSON, NO_STORE, api_error


def json_answer(content: Any) -> Response:
    return JSON(content, headers=NO_STORE)


def text_answer(text: str, media_type: str = "text/plain; charset=utf-8") -> Response:
    return Response(text, media_type=media_type, headers=NO_STORE)


def error_answer(exc: TidingsError) -> Response:
    """A reader's mistake is a 4xx with its one-line message; anything else is raised on."""
    if isinstance(exc, NotFoundError):
        return api_error(404, str(exc))
    if isinstance(exc, InputError | OperationError | FetchError):
        return api_error(400, str(exc))
    raise exc
