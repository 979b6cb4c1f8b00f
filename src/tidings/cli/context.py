"""What every command receives: the settings, and the store opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from tidings.config import Settings
from tidings.store import Store, open_store


@dataclass
class AppContext:
    settings: Settings
    _store: Store | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:
            if not self.settings.database_url:
                self.settings.ensure_home()
            self._store = open_store(self.settings.resolved_database_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_app = click.make_pass_decorator(AppContext)

