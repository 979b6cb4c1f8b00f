"""The error tree, the one-line helper, driver errors wrapped at the store, and the CLI's
error boundary (one line, a traceback only with -v)."""

from __future__ import annotations

import ast
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tidings import errors
from tidings.cli import cli, main
from tidings.errors import ConstraintError, StorageError, TidingsError, UserExistsError, one_line
from tidings.store import Store, open_store
from tidings.store.schema import users

SRC = Path(errors.__file__).resolve().parent
NOW = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)


def _exception_classes() -> dict[str, str]:
    """Every class in src/tidings whose base is an exception class, and its module."""
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [ast.unparse(b) for b in node.bases]
            if any(b.endswith(("Error", "Exception")) or b in found or b == "BadParam"
                   for b in bases):
                found[node.name] = str(path.relative_to(SRC))
    return found


def test_every_exception_class_lives_in_errors_and_is_drawn_in_the_tree() -> None:
    classes = _exception_classes()
    assert classes, "the scan found nothing"
    elsewhere = {name: where for name, where in classes.items() if where != "errors.py"}
    assert elsewhere == {}
    tree = errors.__doc__ or ""
    for name, value in vars(errors).items():
        if isinstance(value, type) and issubclass(value, BaseException):
            assert f" {name} " in tree, f"{name} is missing from the tree in errors.py"
            assert value is TidingsError or issubclass(value, TidingsError)


def test_one_line() -> None:
    assert one_line(ValueError("first\nsecond")) == "first"
    assert one_line(ValueError("\n  \n  indented\nmore")) == "indented"
    assert one_line(KeyError()) == "KeyError"
    assert one_line(ValueError("x" * 50), limit=10) == "x" * 10
    wrapped = sa.exc.OperationalError("SELECT 1", {}, Exception("driver says no\nat line 1"))
    assert one_line(wrapped) == "driver says no"


def test_driver_errors_become_storage_errors(store: Store) -> None:
    store.users.create("ada", "hash", is_admin=False, now=NOW)
    with pytest.raises(ConstraintError) as info, store.db.write() as conn:
        conn.execute(users.insert().values(name="ada", password_hash="x", is_admin=False,
                                           created_at=NOW))
    assert "\n" not in str(info.value) and "users" in str(info.value).lower()
    with pytest.raises(StorageError) as broken, store.db.read() as conn:
        conn.execute(sa.text("SELECT * FROM no_such_table"))
    assert not isinstance(broken.value, ConstraintError)
    assert "no_such_table" in str(broken.value)
    assert not isinstance(broken.value, sa.exc.SQLAlchemyError)
    # "already exists" stays its own, more specific, error
    with pytest.raises(UserExistsError):
        store.users.create("ada", "hash", is_admin=False, now=NOW)


def test_an_unreachable_database_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="cannot prepare the database"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


@click.command("boom-for-test")
@click.option("--kind", default="bug")
def _boom(kind: str) -> None:
    logging.getLogger("tidings.test").warning("about to fail", extra={"stage": "test"})
    if kind == "bug":
        raise RuntimeError("something broke\nsecond line")
    if kind == "storage":
        try:
            raise OSError("disk on fire")
        except OSError as exc:
            raise StorageError("cannot write the store") from exc
    raise errors.NotFoundError("no source with id 7")


@pytest.fixture
def invoke(tmp_path: Path) -> Iterator[object]:
    cli.add_command(_boom)
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)

    def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        runner = CliRunner()
        base = {"TIDINGS_HOME": str(tmp_path / "home"), "TIDINGS_DATABASE_URL": ""}
        with runner.isolation(env=base | (env or {})) as (_out, err, _):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            return code, err.getvalue().decode()

    yield run
    cli.commands.pop(_boom.name or "", None)
    root.handlers[:] = handlers
    root.setLevel(level)


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("tidings: error:")]


def test_a_bug_is_one_line_without_verbose(invoke) -> None:  # type: ignore[no-untyped-def]
    code, err = invoke("boom-for-test")
    assert code == 1 and "Traceback" not in err
    assert _error_lines(err) == ["tidings: error: internal error: RuntimeError: something broke "
                                 "(run with -v for details)"]


def test_verbose_shows_the_traceback(invoke) -> None:  # type: ignore[no-untyped-def]
    code, err = invoke("-v", "boom-for-test")
    assert code == 1 and "Traceback" in err and "RuntimeError: something broke" in err
    assert err.strip().splitlines()[-1].startswith("tidings: error: internal error:")


def test_expected_errors_are_one_line_with_a_hint_only_when_there_is_more(  # type: ignore[no-untyped-def]
        invoke) -> None:
    code, err = invoke("boom-for-test", "--kind", "missing")
    assert code == 1 and _error_lines(err) == ["tidings: error: no source with id 7"]
    code, err = invoke("boom-for-test", "--kind", "storage")
    assert code == 1 and "Traceback" not in err
    assert _error_lines(err) == ["tidings: error: cannot write the store "
                                 "(run with -v for details)"]
    code, err = invoke("-v", "boom-for-test", "--kind", "storage")
    assert "OSError: disk on fire" in err


def test_log_level_and_format_options(invoke) -> None:  # type: ignore[no-untyped-def]
    _code, err = invoke("boom-for-test", "--kind", "missing")
    assert "WARNING tidings.test: about to fail stage=test" in err
    _code, err = invoke("--log-level", "error", "boom-for-test", "--kind", "missing")
    assert "about to fail" not in err
    _code, err = invoke("boom-for-test", "--kind", "missing", env={"TIDINGS_LOG_FORMAT": "json"})
    assert '"message": "about to fail", "stage": "test"' in err
    code, err = invoke("boom-for-test", env={"TIDINGS_LOG_FORMAT": "yaml"})
    assert code == 1 and _error_lines(err) == [
        "tidings: error: TIDINGS_LOG_FORMAT: text or json, got 'yaml'"]
