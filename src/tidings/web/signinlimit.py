"""Failed sign-ins, counted in the database per address and per address + name, so a limit
holds across every web process and restarts: Google Reader's ``ClientLogin`` and Fever's
``api_key`` go through :class:`SignInLimit`, with the same table, window and limits as the
site's sign-in form.

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

    def keys(self, address: str, name: str) -> tuple[str, str]:
        def digest(text: str) -> str:
            return hashlib.sha256((self.secret + "\0" + text).encode()).hexdigest()
        return digest(address + "\0" + name.casefold()), digest(address)

    async def wait_seconds(self, address: str, name: str) -> int | None:
        """Seconds until another try is allowed, or None when one is allowed now."""
        key, address_key = self.keys(address, name)
        now = datetime.now(UTC)
        since = now - WINDOW
        by_name, oldest_name = await run_in_threadpool(
            lambda: self.users.failures_since(since, key=key))
        by_address, oldest_address = await run_in_threadpool(
            lambda: self.users.failures_since(since, address=address_key))
        if by_name < LIMIT_PER_NAME and by_address < LIMIT_PER_ADDRESS:
            return None
        oldest = oldest_name if by_name >= LIMIT_PER_NAME else oldest_address
        wait = WINDOW - (now - (oldest or now))
        return max(1, int(wait.total_seconds()) + 1)

    async def failed(self, address: str, name: str) -> None:
        key, address_key = self.keys(address, name)
        now = datetime.now(UTC)
        await run_in_threadpool(self.users.record_failure, key, address_key, now)
        await run_in_threadpool(self.users.prune_failures, now - WINDOW)

    async def succeeded(self, address: str, name: str) -> None:
        await run_in_threadpool(self.users.clear_failures, self.keys(address, name)[0])
