"""Request parameters read from the query string and the body alike, as sync clients send them.

Google Reader and Fever clients mix the two freely, repeat names (``i=…&i=…``) and do not
always say what they post: newsboat sends its form body unescaped and without escaping the
newline after the token; some Fever clients post ``multipart/form-data``. Every value is kept
as text, in order; what a value means is the protocol modules' business.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request

from tidings.errors import BadParam

#: no client sends more than this many fields (10,000 item ids plus a few)
MAX_FIELDS = 10_100


@dataclass(frozen=True, slots=True)
class FormArgs:
    pairs: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        """The first value given for ``name``, if any."""
        return next((value for key, value in self.pairs if key == name), None)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.pairs)


async def read_args(request: Request) -> FormArgs:
    """The query string's fields, then the body's (url-encoded, with or without a content type,
    or multipart); blank values are kept (``?api&items`` names selectors by presence)."""
    try:
        pairs = parse_qsl(request.url.query, keep_blank_values=True,
                          max_num_fields=MAX_FIELDS)
        if request.method == "POST":
            pairs.extend(await _body_pairs(request))
    except ValueError:  # parse_qsl's "Max number of fields exceeded"
        raise BadParam(f"more than {MAX_FIELDS} fields in one request") from None
    return FormArgs(tuple(pairs))


async def _body_pairs(request: Request) -> list[tuple[str, str]]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form(max_files=0, max_fields=MAX_FIELDS)
        return [(key, value) for key, value in form.multi_items()
                if not isinstance(value, UploadFile)]
    body = await request.body()
    return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True,
                     max_num_fields=MAX_FIELDS)
