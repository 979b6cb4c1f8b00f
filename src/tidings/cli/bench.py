"""``tidings bench ingest|extract|cluster|serve|feeds``: the benchmark harnesses."""

from __future__ import annotations

import importlib
import pkgutil

import click

import tidings.benchmarks as benchmarks


class _BenchGroup(click.Group):
    """Finds each harness in ``tidings.benchmarks`` and imports it only when it is run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__)
                      if not m.name.startswith("_") and "_" not in m.name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.list_commands(ctx):
            return None
        module = importlib.import_module(f"tidings.benchmarks.{cmd_name}")
        command: click.Command = module.command
        return command


@click.group(cls=_BenchGroup)
def bench() -> None:
    """Benchmarks; with --json the last line printed is one JSON object."""


COMMANDS = [bench]
