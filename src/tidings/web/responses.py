"""The API's response shapes, written once: JSON bodies and the one error shape.

``{"error": {"status": 404, "message": "..."}}`` (DESIGN.md) is built here and nowhere else:
by the handlers, the image proxy and the security guard (which answers before Starlette runs
and so works on raw bytes, :func:`error_body`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

NO_STORE = {"cache-control": "no-store"}


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def error_body(status: int, message: str) -> bytes:
    """The bytes of the API's one error shape."""
    return dumps({"error": {"status": status, "message": message}})


def api_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """An API error answer; never cached (an error is about this request only)."""
    return Response(error_body(status, message), status_code=status,
                    media_type=JSON.media_type, headers={**NO_STORE, **(headers or {})})
