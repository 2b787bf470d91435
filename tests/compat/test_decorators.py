"""purezmq.decorators: ``@context()`` and ``@socket(...)`` inject and clean up, as pyzmq's."""

from __future__ import annotations

from typing import Any

import pytest

import purezmq as zmq
from purezmq.decorators import context, socket


def test_context_is_appended_and_terminated_after_the_call() -> None:
    seen: list[zmq.Context] = []

    @context()
    def work(a: int, ctx: zmq.Context, b: str = "") -> str:
        seen.append(ctx)
        assert not ctx.closed
        return f"{a}{b}"

    assert work(1, b="x") == "1x"
    assert seen[0].closed
    work(2)
    assert seen[1] is not seen[0]


def test_context_by_name_with_factory_arguments() -> None:
    @context("ctx", 3)
    def positional(ctx: zmq.Context) -> int:
        return int(ctx.IO_THREADS)

    @context(name="ctx", io_threads=2)
    def keyword(ctx: zmq.Context | None = None) -> int:
        assert ctx is not None
        return int(ctx.IO_THREADS)

    assert (positional(), keyword()) == (3, 2)


def test_a_name_given_twice_is_a_type_error() -> None:
    @context(name="ctx")
    def work(ctx: zmq.Context) -> None:
        pass

    with pytest.raises(TypeError, match="multiple values for argument 'ctx'"):
        work(ctx="mine")


def test_socket_is_made_in_the_enclosing_context_and_closed() -> None:
    made: dict[str, Any] = {}

    @context()
    @socket(zmq.PUSH)
    @socket("pull", zmq.PULL)
    def work(ctx: zmq.Context, push: zmq.Socket, pull: zmq.Socket) -> None:
        made.update(ctx=ctx, push=push, pull=pull)
        port = push.bind_to_random_port("tcp://127.0.0.1")
        pull.connect(f"tcp://127.0.0.1:{port}")
        push.send(b"through")
        assert pull.recv() == b"through"

    work()
    assert made["push"].context is made["ctx"] is made["pull"].context
    assert (made["push"].type, made["pull"].type) == (zmq.PUSH, zmq.PULL)
    assert made["push"].closed and made["pull"].closed and made["ctx"].closed


def test_socket_closes_when_the_call_raises() -> None:
    made: list[zmq.Socket] = []

    @socket(zmq.PUB, name="pub")
    def work(pub: zmq.Socket) -> None:
        made.append(pub)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        work()
    assert made[0].closed
    assert made[0].context is zmq.Context.instance()


def test_socket_finds_its_context_by_keyword(ctx: zmq.Context) -> None:
    @socket("sock", zmq.PAIR, context_name="where")
    def work(where: zmq.Context, sock: zmq.Socket) -> zmq.Context:
        return sock.context  # type: ignore[no-any-return]

    assert work(where=ctx) is ctx


def test_socket_without_a_type_is_a_type_error() -> None:
    @socket("sock")
    def work(sock: zmq.Socket) -> None:
        pass

    with pytest.raises(TypeError):
        work()
