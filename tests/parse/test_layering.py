"""The parse package reads bytes only: no module of it imports the network side."""

from __future__ import annotations

import ast
from pathlib import Path

import tidings.parse

PARSE = Path(tidings.parse.__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_parse_never_imports_fetch_or_private_names_across_modules() -> None:
    for path in sorted(PARSE.glob("*.py")):
        mods = imported_modules(path)
        assert not any(m == "tidings.fetch" or m.startswith("tidings.fetch.") for m in mods), path
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tidings."):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports private {private} from {node.module}"
