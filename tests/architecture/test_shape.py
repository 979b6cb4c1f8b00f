"""The shape of the code: no import cycles, small modules (read from the source, not imported)."""

from __future__ import annotations

from pathlib import Path

from tests.architecture.imports import all_modules, cycles, graph, package_graph

MAX_MODULE_LINES = 400


def test_no_import_cycle_between_modules() -> None:
    assert cycles(graph()) == []


def test_no_import_cycle_between_packages() -> None:
    assert cycles(package_graph(graph())) == []


def test_modules_stay_small() -> None:
    long = {name: n for name, path in all_modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}, f"split these by what they do: {long}"


def test_the_checker_sees_a_cycle() -> None:
    """The cycle finder itself: a → b → a is one cycle, a chain is none."""
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}}) == []


def test_the_graph_sees_relative_and_lazy_imports_but_not_type_checking(tmp_path: Path) -> None:
    package = tmp_path / "tidings"
    (package / "web").mkdir(parents=True)
    for name in ("__init__", "store", "web/__init__", "web/views", "web/data"):
        (package / f"{name}.py").write_text("")
    (package / "web" / "views.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import data\n"
        "if TYPE_CHECKING:\n    from tidings.web.data import Thing\n"
        "def later():\n    from ..store import open_store\n")
    (package / "web" / "data.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tidings.web.views\n")
    edges = graph(tmp_path)
    assert edges["tidings.web.views"] == {"tidings.web.data", "tidings.store"}
    assert edges["tidings.web.data"] == set()
    assert package_graph(edges)["tidings.web"] == {"tidings.store"}
