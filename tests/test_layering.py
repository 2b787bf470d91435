"""The sans-I/O layers import no I/O module (STYLE.md habit 1, DESIGN.md "Layers").

zmtp/ and core/ never import asyncio, socket, selectors, threading, ssl or
time; zmtp/ also imports nothing from the rest of purezmq.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "purezmq"
SANS_IO = ("zmtp", "core")
FORBIDDEN = frozenset({"asyncio", "socket", "selectors", "threading", "ssl", "time"})


def _sources(layer: str) -> list[Path]:
    root = PACKAGE / layer
    return sorted(root.rglob("*.py")) if root.is_dir() else []


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line, absolute module name) for every import in `path`."""
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
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            else:
                yield node.lineno, node.module or ""


@pytest.mark.parametrize("layer", SANS_IO)
def test_no_io_imports(layer: str) -> None:
    """No file under the layer imports an I/O or clock module."""
    if not (PACKAGE / layer).is_dir():
        pytest.skip(f"{layer}/ does not exist yet")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line} imports {name}"
        for path in _sources(layer)
        for line, name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_zmtp_is_self_contained() -> None:
    """zmtp/ imports nothing from purezmq outside purezmq.zmtp."""
    if not (PACKAGE / "zmtp").is_dir():
        pytest.skip("zmtp/ does not exist yet")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line} imports {name}"
        for path in _sources("zmtp")
        for line, name in _imports(path)
        if name.split(".")[0] == "purezmq" and not name.startswith("purezmq.zmtp")
    ]
    assert offenders == []


def test_the_checker_sees_relative_imports() -> None:
    """Self-test: relative imports resolve to absolute names."""
    names = {name for _, name in _imports(PACKAGE / "zmtp" / "mechanisms" / "null.py")}
    assert "purezmq.zmtp.codec" in names
    assert "purezmq.zmtp.mechanisms.base" in names
