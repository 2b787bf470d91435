"""The layers import only what DESIGN.md "Layers" allows them.

zmtp/ and core/ never import asyncio, socket, selectors, threading, ssl or time
(STYLE.md habit 1). Each layer imports only from the layers below it: zmtp/ from
itself, core/ from itself and the constants, engine/ from itself, core/, zmtp/ and the constants (a
leaf module of names and numbers); the facade (everything else) from anything. No
layer below the facade has an import cycle, counting the imports made only for the
type checker.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "purezmq"
SANS_IO = ("zmtp", "core")
FORBIDDEN = frozenset({"asyncio", "socket", "selectors", "threading", "ssl", "time"})


LAYERS = ("zmtp", "core", "engine")
# What each layer below the facade may import from purezmq, by top-level name.
ALLOWED = {
    "zmtp": {"zmtp"},
    "core": {"core", "constants"},
    "engine": {"engine", "core", "zmtp", "constants"},
}


def _sources(layer: str) -> list[Path]:
    root = PACKAGE / layer
    assert root.is_dir(), f"{layer}/ is missing from {PACKAGE}"
    return sorted(root.rglob("*.py"))


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, with_names: bool = False) -> Iterator[tuple[int, str]]:
    """Yield (line, absolute module name) for every import in `path`.

    With ``with_names``, ``from package import name`` also yields ``package.name``
    (which is a module when ``name`` is a submodule).
    """
    # The package a relative import starts from: the file's directory, which
    # for an __init__.py is also the package it defines.
    package = list(path.relative_to(PACKAGE.parent).parent.parts)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            if with_names:
                for alias in node.names:
                    yield node.lineno, f"{module}.{alias.name}"


def _graph(layers: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the purezmq modules it imports (those under TYPE_CHECKING too)."""
    paths = {_module(path): path for layer in layers for path in _sources(layer)}
    return {
        name: {
            imported
            for _, imported in _imports(path, with_names=True)
            if imported in paths and imported != name
        }
        for name, path in paths.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph, or [] (depth-first search)."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        stack.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


@pytest.mark.parametrize("layer", SANS_IO)
def test_no_io_imports(layer: str) -> None:
    """No file under the layer imports an I/O or clock module."""
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line} imports {name}"
        for path in _sources(layer)
        for line, name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line} imports {name}"
        for path in _sources(layer)
        for line, name in _imports(path)
        if name.split(".")[0] == "purezmq"
        and name != "purezmq"
        and name.split(".")[1] not in ALLOWED[layer]
    ]
    assert offenders == []


def test_the_constants_are_a_leaf() -> None:
    """The engine may name constants because they import nothing of purezmq."""
    names = [name for _, name in _imports(PACKAGE / "constants.py")]
    assert [name for name in names if name.startswith("purezmq")] == []


def test_no_import_cycle_below_the_facade() -> None:
    assert _cycle(_graph(LAYERS)) == []


def test_the_cycle_finder_finds_one() -> None:
    """Self-test: a cycle of three is reported as a closed path."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_the_checker_sees_relative_imports() -> None:
    """Self-test: relative imports resolve to absolute names."""
    names = {name for _, name in _imports(PACKAGE / "zmtp" / "mechanisms" / "null.py")}
    assert "purezmq.zmtp.codec" in names
    assert "purezmq.zmtp.mechanisms.base" in names
