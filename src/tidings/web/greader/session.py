"""Signing in: ``accounts/ClientLogin`` (the API password, never the site password), ``token``
and ``user-info``.

ClientLogin answers ``SID=…\\nLSID=…\\nAuth=…\\n`` (JSON with ``output=json``, as Miniflux
does); a wrong name or password is a 401, and failures count against the same per-address
limit as the site's sign-in form (a 429 with ``Retry-After`` past it). The Argon2 check runs
in the thread pool, so a sign-in never holds up other requests.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from tidings.operations import accounts
from tidings.store.users import User
from tidings.web.auth import check_api_password, client_address
from tidings.web.formargs import FormArgs
from tidings.web.greader import shapes
from tidings.web.greader.context import GReader
from tidings.web.greader.tokens import header_token, well_formed
from tidings.web.responses import api_error
from tidings.web.syncapi import json_answer, text_answer

MAX_NAME = 200
MAX_PASSWORD = 1000


async def client_login(api: GReader, request: Request, args: FormArgs) -> Response:
    name = (args.get("Email") or "").strip()[:MAX_NAME]
    password = (args.get("Passwd") or "")[:MAX_PASSWORD]
    address = client_address(request)
    wait = await api.limit.wait_seconds(address, name)
    if wait is not None:
        return api_error(429, "too many failed sign-ins; try again later",
                         {"retry-after": str(wait)})
    user = await check_api_password(api.store, name, password) if name and password else None
    if user is None:
        await api.limit.failed(address, name)
        return api_error(401, "wrong user name or API password")
    await api.limit.succeeded(address, name)
    token = await api.run(accounts.issue_api_token, api.store, user.id, datetime.now(UTC))
    if (args.get("output") or "").strip() == "json":
        return json_answer({"SID": token, "LSID": "null", "Auth": token})
    return text_answer(f"SID={token}\nLSID=null\nAuth={token}\n")


async def token(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    """The edit token ``T``: the token itself (a write may carry it alone), newline-ended."""
    given = header_token(request.headers.get("authorization")) \
        or well_formed(args.get("T")) or ""
    return text_answer(given + "\n")


async def user_info(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    return json_answer(shapes.user_info(user.id, user.name))
