"""purezmq.eventloop.future: sockets awaited in tornado coroutines, as pyzmq's."""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Callable, Coroutine, Generator
from typing import Any

import pytest
from tornado import gen
from tornado.ioloop import IOLoop

import purezmq as zmq
import purezmq.asyncio as azmq
from purezmq.eventloop import future

TIMEOUT = 10


def run_sync(main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run ``main`` on a new tornado IOLoop, then close the loop (and its fds)."""
    loop = IOLoop(make_current=False)
    try:
        return loop.run_sync(main, timeout=TIMEOUT)
    finally:
        loop.close(all_fds=True)


def pair(ctx: Any, kinds: tuple[int, int] = (zmq.PUSH, zmq.PULL)) -> tuple[Any, Any]:
    a, b = ctx.socket(kinds[0]), ctx.socket(kinds[1])
    a.linger = b.linger = 0
    port = a.bind_to_random_port("tcp://127.0.0.1")
    b.connect(f"tcp://127.0.0.1:{port}")
    return a, b


@pytest.fixture
def fctx() -> Any:
    ctx = future.Context()
    yield ctx
    ctx.destroy(linger=0)


def test_sockets_in_tornado_coroutines(fctx: future.Context) -> None:
    async def main() -> list[Any]:
        push, pull = pair(fctx)
        assert isinstance(push, future.Socket)
        got = pull.recv_multipart()
        assert isinstance(got, future._TornadoFuture) and not got.done()
        await push.send_multipart([b"a", b"b"])
        await push.send_string("ü")
        await push.send_json({"n": 1})
        return [await got, await pull.recv_string(), await pull.recv_json()]

    assert run_sync(main) == [[b"a", b"b"], "ü", {"n": 1}]


def test_gen_coroutine_style(fctx: future.Context) -> None:
    """Old-style ``@gen.coroutine`` generators yield the sockets' Futures too."""

    @gen.coroutine
    def main() -> Generator[Any, Any, Any]:
        req, rep = pair(fctx, (zmq.REQ, zmq.REP))
        yield req.send(b"ping")
        msg = yield rep.recv()
        yield rep.send(msg + b" pong")
        reply = yield req.recv()
        return reply

    assert run_sync(main) == b"ping pong"


def test_cancel_raises_this_modules_error_and_loses_nothing(fctx: future.Context) -> None:
    async def main() -> None:
        push, pull = pair(fctx)
        first = pull.recv()
        second = pull.recv_multipart()
        assert first.cancel() and first.done() and first.cancelled()
        assert not first.cancel()  # once
        await push.send(b"kept")
        assert await second == [b"kept"]
        with pytest.raises(future.CancelledError):
            await first
        loaded = pull.recv_json()
        loaded.cancel()
        await push.send_json([1])
        with pytest.raises(future.CancelledError):
            await loaded
        assert await gen.with_timeout(IOLoop.current().time() + TIMEOUT, pull.recv_json()) == [1]

    run_sync(main)


def test_poll_with_no_timeout_resolves_at_once(fctx: future.Context) -> None:
    async def main() -> None:
        push, pull = pair(fctx)
        assert pull.poll(timeout=0).result() == 0
        poller = future.Poller()
        poller.register(pull, zmq.POLLIN)
        assert poller.poll(0).result() == []
        waiting = poller.poll(TIMEOUT * 1000)
        assert not waiting.done()
        await push.send(b"x")
        assert await waiting == [(pull, zmq.POLLIN)]
        assert pull.poll(timeout=0).result() == zmq.POLLIN

    run_sync(main)


def test_asyncio_poll_with_no_timeout_resolves_at_once() -> None:
    """zmq.asyncio too: pyzmq resolves ``sock.poll(timeout=0)`` before returning it."""

    async def main() -> None:
        ctx = azmq.Context()
        try:
            sock = ctx.socket(zmq.PULL)
            polled = sock.poll(timeout=0)
            assert polled.done() and polled.result() == 0
        finally:
            ctx.destroy(linger=0)

    asyncio.run(main())


def test_poller_over_sync_sockets_and_plain_fds() -> None:
    ctx = zmq.Context()
    r, w = os.pipe()
    try:
        push, pull = pair(ctx)

        async def main() -> list[Any]:
            poller = future.Poller()
            poller.register(pull, zmq.POLLIN)
            poller.register(r, zmq.POLLIN)
            waiting = poller.poll(TIMEOUT * 1000)
            push.send(b"sync")
            first = await waiting
            assert pull.recv() == b"sync"
            os.write(w, b"!")
            return [first, await poller.poll(TIMEOUT * 1000)]

        assert run_sync(main) == [[(pull, zmq.POLLIN)], [(r, zmq.POLLIN)]]
    finally:
        os.close(r)
        os.close(w)
        ctx.destroy(linger=0)


def test_closing_the_ioloop_with_all_fds_closes_sockets_used_on_it(fctx: future.Context) -> None:
    """The sockets that run on its loop (those of a context one of whose sockets was
    used there), not others."""
    used = fctx.socket(zmq.PUB)
    elsewhere = future.Context()
    unused = elsewhere.socket(zmq.PUB)

    async def main() -> None:
        await used.send(b"on this loop")

    try:
        run_sync(main)
        assert used.closed and not unused.closed
    finally:
        elsewhere.destroy(linger=0)


def test_closing_a_socket_takes_it_off_the_ioloop(fctx: future.Context) -> None:
    async def main() -> bool:
        sock = fctx.socket(zmq.PUB)
        await sock.send(b"x")
        handlers = IOLoop.current().handlers  # type: ignore[attr-defined]
        registered = sock.fileno() in handlers
        fd = sock.fileno()
        sock.close()
        return registered and fd not in handlers

    assert run_sync(main)


def test_instance_is_per_class() -> None:
    mine = future.Context.instance()
    plain = zmq.Context.instance()
    try:
        assert type(mine) is future.Context and type(plain) is zmq.Context
        assert future.Context.instance() is mine
    finally:
        mine.term()
        plain.term()


def test_io_loop_argument_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="io_loop"):
        ctx = future.Context(io_loop=object())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sock = ctx.socket(zmq.PUSH)
    with pytest.warns(DeprecationWarning, match="io_loop"):
        other = future.Socket(ctx, zmq.PUSH, io_loop=object())
    sock.close()
    other.close()
    ctx.term()
