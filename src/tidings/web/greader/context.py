"""The Google Reader API's request cycle: read the parameters (query and body alike), find
the reader behind the token, run the handler, turn a reader's mistakes into 4xx answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tidings.config import Settings
from tidings.errors import TidingsError
from tidings.operations import accounts
from tidings.store import Store
from tidings.store.users import User
from tidings.web import auth
from tidings.web.formargs import FormArgs, read_args
from tidings.web.greader.args import edit_token
from tidings.web.greader.tokens import request_token, unauthorized
from tidings.web.signinlimit import SignInLimit
from tidings.web.syncapi import error_answer
from tidings.web.syncdata import SyncData

T = TypeVar("T")
Endpoint = Callable[[Request], Awaitable[Response]]
Handler = Callable[[Request, FormArgs, User], Awaitable[Response]]
PublicHandler = Callable[[Request, FormArgs], Awaitable[Response]]


class GReader:
    """What every handler shares: settings, the store, the reader data, the sign-in limit."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.data = SyncData(settings, store)
        self.limit = SignInLimit(store.users, auth.load_secret(settings))

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """A blocking call (database, Argon2, nh3) off the event loop."""
        return await run_in_threadpool(fn, *args)

    def public(self, handler: PublicHandler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request, await read_args(request))
            except TidingsError as exc:
                return error_answer(exc)

        return endpoint

    def signed_in(self, handler: Handler) -> Endpoint:
        """``handler`` for the reader whose token the request carries; 401 without one."""
        async def endpoint(request: Request) -> Response:
            try:
                args = await read_args(request)
                token = request_token(request, edit_token(args))
                user = await self.run(accounts.user_for_token, self.store, token) \
                    if token else None
                if user is None:
                    return unauthorized("unknown or revoked token: sign in again")
                return await handler(request, args, user)
            except TidingsError as exc:
                return error_answer(exc)

        return endpoint
