"""What every command receives: the settings, and the store opened on first use."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

import click

from tidings.cli.progress import Progress
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


def print_json(obj: Any) -> None:
    """One JSON object on one line (the contract for every ``--json`` output)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def progress(message: str) -> None:
    """A line for people, on stderr, so stdout stays clean for ``--json`` consumers (kept
    clear of a progress line being drawn, see :mod:`tidings.cli.progress`)."""
    drawing = Progress.current
    if drawing is not None and drawing.active:
        drawing.note(message)
    else:
        click.echo(message, err=True)
