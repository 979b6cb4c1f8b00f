"""Failed sign-ins, counted in the database per address and per address + name, so a limit
holds across every web process and restarts: the site's sign-in form (and its sign-up limit),
Google Reader's ``ClientLogin`` and Fever's ``api_key`` all go through :class:`SignInLimit`.

Addresses and names are stored only as keyed digests (the site's secret), never in clear.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool

from tidings.store.users import UserRepo

WINDOW = timedelta(minutes=15)
LIMIT_PER_NAME = 5  # failures per address + user name within the window
LIMIT_PER_ADDRESS = 20  # failures per address, whatever the names tried


class SignInLimit:
    def __init__(self, users: UserRepo, secret: str):
        self.users = users
        self.secret = secret

    def digest(self, text: str) -> str:
        return hashlib.sha256((self.secret + "\0" + text).encode()).hexdigest()

    def keys(self, address: str, name: str) -> tuple[str, str]:
        return self.digest(address + "\0" + name.casefold()), self.digest(address)

    async def blocked_for(self, now: datetime, *, key: str | None = None,
                          address: str | None = None, limit: int) -> int:
        """Seconds to wait when the attempts counted under ``key``/``address`` reached
        ``limit`` within the window; 0 when another attempt may be made."""
        count, oldest = await run_in_threadpool(
            lambda: self.users.failures_since(now - WINDOW, key=key, address=address))
        if count < limit:
            return 0
        wait = WINDOW - (now - (oldest or now))
        return max(1, int(wait.total_seconds()) + 1)

    async def wait_seconds(self, address: str, name: str) -> int | None:
        """Seconds until another try is allowed, or None when one is allowed now."""
        key, address_key = self.keys(address, name)
        now = datetime.now(UTC)
        return (await self.blocked_for(now, key=key, limit=LIMIT_PER_NAME)
                or await self.blocked_for(now, address=address_key, limit=LIMIT_PER_ADDRESS)
                or None)

    async def failed(self, address: str, name: str) -> None:
        key, address_key = self.keys(address, name)
        now = datetime.now(UTC)
        await run_in_threadpool(self.users.record_failure, key, address_key, now)
        await run_in_threadpool(self.users.prune_failures, now - WINDOW)

    async def succeeded(self, address: str, name: str) -> None:
        await run_in_threadpool(self.users.clear_failures, self.keys(address, name)[0])
