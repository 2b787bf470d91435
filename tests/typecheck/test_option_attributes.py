"""The typed option declarations (sugar/_option_attributes.py) match what sockets and
contexts do at run time, and the generic classes are subscriptable at run time."""

from __future__ import annotations

import ast
import importlib.util
import typing
from pathlib import Path
from typing import Any

import pytest

import purezmq as zmq
import purezmq.asyncio as azmq
from purezmq.constants import SocketType
from purezmq.sugar import _option_attributes
from purezmq.sugar.attrsettr import option_attributes

ROOT = Path(__file__).resolve().parents[2]
TYPES = {"int": int, "bytes": bytes, "SocketType": SocketType}
SOCKET_TYPES = [zmq.PAIR, zmq.PUB, zmq.SUB, zmq.REQ, zmq.REP, zmq.DEALER, zmq.ROUTER,
                zmq.PULL, zmq.PUSH, zmq.XPUB, zmq.XSUB]


def declared(class_name: str) -> dict[str, tuple[str, bool]]:
    """name -> (type, read-only) as the file declares them for ``class_name``."""
    tree = ast.parse(Path(_option_attributes.__file__).read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    block = next(n for n in cls.body if isinstance(n, ast.If))
    found: dict[str, tuple[str, bool]] = {}
    for node in block.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found[node.target.id] = (ast.unparse(node.annotation), False)
        elif isinstance(node, ast.FunctionDef) and node.returns is not None:
            found[node.name] = (ast.unparse(node.returns), True)
    return found


def test_the_declarations_are_up_to_date() -> None:
    """tools/option_attributes.py would write the file as it is."""
    spec = importlib.util.spec_from_file_location("option_attributes_tool",
                                                  ROOT / "tools" / "option_attributes.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main(["--check"]) == 0


def test_every_option_property_is_declared_and_nothing_else() -> None:
    assert set(declared("SocketOptionAttributes")) == set(option_attributes(zmq.Socket))


@pytest.mark.parametrize("socket_type", SOCKET_TYPES, ids=lambda t: SocketType(t).name)
def test_what_a_read_gives_is_the_declared_type(socket_type: int) -> None:
    """Every option a socket of this type can read has its declared type."""
    read = 0
    with zmq.Context() as ctx, ctx.socket(socket_type) as sock:
        for name, (kind, _) in declared("SocketOptionAttributes").items():
            try:
                value = getattr(sock, name)
            except AttributeError:
                continue  # write-only, or an option this purezmq rejects
            read += 1
            assert isinstance(value, TYPES[kind]), (name, value)
    assert read > 60


def test_read_only_options_refuse_a_write() -> None:
    """What is declared read-only fails to be set at run time too."""
    with zmq.Context() as ctx, ctx.socket(zmq.DEALER) as sock:
        for name, (_, readonly) in declared("SocketOptionAttributes").items():
            if readonly:
                with pytest.raises((zmq.ZMQError, AttributeError)):
                    setattr(sock, name, 1)


def test_aliases_read_as_their_option() -> None:
    """``sock.identity`` is ``sock.routing_id``, as in pyzmq."""
    with zmq.Context() as ctx, ctx.socket(zmq.DEALER) as sock:
        sock.routing_id = b"me"
        assert sock.identity == sock.IDENTITY == b"me"


def test_context_declarations_are_context_attributes() -> None:
    """Every declared context attribute can be set, then read back with its type."""
    ctx = zmq.Context()
    try:
        for name in declared("ContextOptionAttributes"):
            assert name.upper() in zmq.constants.ContextOption.__members__ or \
                name.upper() in zmq.constants.SocketOption.__members__, name
        ctx.linger = 5
        ctx.routing_id = b"me"
        assert isinstance(ctx.io_threads, int) and ctx.linger == 5
        assert ctx.routing_id == b"me"
    finally:
        ctx.term()


def test_the_generic_classes_subscript_at_run_time() -> None:
    """Annotations such as ``zmq.Context[Any]`` evaluate (ipykernel evaluates them)."""

    def annotated(ctx: zmq.Context[Any], sock: zmq.Socket[bytes]) -> zmq.SyncSocket:
        raise NotImplementedError

    hints = typing.get_type_hints(annotated, {"zmq": zmq, "Any": Any})
    assert typing.get_origin(hints["ctx"]) is zmq.Context
    assert typing.get_args(hints["sock"]) == (bytes,)
    assert typing.get_origin(zmq.SyncContext) is zmq.Context
    assert issubclass(azmq.Socket, zmq.Socket) and issubclass(azmq.Context, zmq.Context)


def test_the_sync_aliases_make_sync_objects() -> None:
    """``zmq.SyncContext()`` and ``zmq.SyncSocket(ctx, t)`` work as in pyzmq."""
    ctx = zmq.SyncContext()
    sock = zmq.SyncSocket(ctx, zmq.PAIR)
    assert type(ctx) is zmq.Context and type(sock) is zmq.Socket
    sock.close()
    ctx.term()
