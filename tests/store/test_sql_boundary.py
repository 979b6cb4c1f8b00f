"""Every query lives in ``tidings.store``: no module outside it builds or runs SQL.

Read from the ``ast`` of every module (nothing is imported), so a lazy import inside a function
or under ``TYPE_CHECKING`` counts too. Outside ``store/`` a module may open a transaction
(``store.db.write()``) and hand it to repository methods, but not write a statement.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "tidings"
STORE = SRC / "store"

# the database libraries and the store's own SQL building blocks
FORBIDDEN_MODULES = ("sqlalchemy", "alembic", "psycopg", "psycopg2", "sqlite3",
                     "tidings.store.schema", "tidings.store.dialects")
# methods that send SQL to a connection
FORBIDDEN_CALLS = {"execute", "executemany", "exec_driver_sql", "execution_options", "scalar",
                   "scalars"}

# Exceptions, each with its reason. Keep this empty when you can: an entry that is no longer
# needed fails the test below, so the list cannot go stale.
ALLOWED: dict[str, str] = {}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if STORE not in p.parents)


def _resolve(module: str, level: int, path: Path) -> str:
    if level == 0:
        return module
    # a module's package, or for __init__.py the package itself: the path minus its last part
    base = list(path.relative_to(SRC.parent).with_suffix("").parts)[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def violations(path: Path) -> list[str]:
    """What in ``path`` builds or runs SQL, one line each."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module or "", node.level, path)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in FORBIDDEN_CALLS):
            found.append(f"line {node.lineno}: .{node.func.attr}(...)")
        for name in names:
            if any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES):
                found.append(f"line {node.lineno}: imports {name}")
                break
    return found


def test_no_sql_outside_the_store() -> None:
    offenders = {}
    for path in _modules():
        rel = path.relative_to(SRC).as_posix()
        if rel not in ALLOWED and (found := violations(path)):
            offenders[rel] = found
    assert not offenders, ("SQL outside src/tidings/store/ (give the query a repository "
                           f"method): {offenders}")


def test_every_exception_is_still_needed() -> None:
    stale = [rel for rel in ALLOWED if not (SRC / rel).exists() or not violations(SRC / rel)]
    assert not stale, f"no SQL left in {stale}: remove them from ALLOWED"


def test_the_scan_sees_sql(tmp_path: Path) -> None:
    """The checker itself: it catches the usual spellings, lazy imports included."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f(conn):\n    import sqlalchemy as sa\n"
                      "    from tidings.store.schema import articles\n"
                      "    return conn.execute(sa.select(articles))\n", encoding="utf-8")
    found = violations(sample)
    assert [line.split(":")[0] for line in found] == ["line 2", "line 3", "line 4"]
