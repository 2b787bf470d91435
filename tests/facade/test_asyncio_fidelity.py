"""purezmq.asyncio behaves as pyzmq's zmq.asyncio where a program can tell."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from tests.conftest import bind_address

import purezmq as zmq
import purezmq.asyncio as azmq

DEADLINE = 10.0


def _run(body: Callable[[], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        return await asyncio.wait_for(body(), DEADLINE)

    return asyncio.run(main())


@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
def test_several_pending_recvs_resolve_in_order(transport: str, ipc_dir: str) -> None:
    """Four recv()s wait; one four-frame message arrives: each gets its frame, in order."""

    async def body() -> list[Any]:
        ctx = azmq.Context()
        pull = ctx.socket(zmq.PULL)
        pull.bind(bind_address(transport, ipc_dir))
        push = ctx.socket(zmq.PUSH)
        push.connect(pull.last_endpoint.decode())
        await push.send(b"warm-up")
        assert await pull.recv() == b"warm-up"
        pending = [pull.recv() for _ in range(4)]
        multipart = pull.recv_multipart()
        await push.send_multipart([b"a", b"b", b"c", b"d"])
        await push.send_multipart([b"e", b"f"])
        frames = await asyncio.gather(*pending)
        rest = await multipart
        ctx.destroy(linger=0)
        return [frames, rest]

    assert _run(body) == [[b"a", b"b", b"c", b"d"], [b"e", b"f"]]


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_a_socket_bound_before_the_loop_serves_once_any_socket_meets_it(
    transport: str, ipc_dir: str
) -> None:
    """Bound and connected before the loop runs; only the sender is ever awaited on."""
    ctx = azmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.bind(bind_address(transport, ipc_dir))
    push = ctx.socket(zmq.PUSH)
    push.connect(pull.last_endpoint.decode())

    async def body() -> None:
        await push.send(b"x")  # PUSH waits for a connection: PULL must accept it

    _run(body)
    ctx.destroy(linger=0)


@pytest.mark.parametrize("binder", ["PULL", "PUSH"])
def test_sockets_move_to_a_new_loop_after_the_old_one_closed(binder: str) -> None:
    """pyzmq's test_multiple_loops: one pair of sockets, three loops one after another.
    When the PUSH binds, its send waits for the PULL's connection: both must move."""
    ctx = azmq.Context()
    pull = ctx.socket(zmq.PULL)
    push = ctx.socket(zmq.PUSH)
    bound, connecting = (pull, push) if binder == "PULL" else (push, pull)
    bound.bind("tcp://127.0.0.1:*")
    connecting.connect(bound.last_endpoint.decode())

    async def exchange(i: int) -> bytes:
        await push.send(b"%d" % i)
        return bytes(await pull.recv())

    for i in range(3):
        loop = asyncio.new_event_loop()
        assert loop.run_until_complete(asyncio.wait_for(exchange(i), DEADLINE)) == b"%d" % i
        loop.close()
    ctx.destroy(linger=0)


def test_close_and_term_after_the_loop_closed() -> None:
    ctx = azmq.Context()
    pull = ctx.socket(zmq.PULL)
    push = ctx.socket(zmq.PUSH)

    async def body() -> None:
        pull.bind("tcp://127.0.0.1:*")
        push.connect(pull.last_endpoint.decode())
        await push.send(b"queued")
        await push.send(b"and never read")

    loop = asyncio.new_event_loop()
    loop.run_until_complete(body())
    loop.close()
    done = threading.Event()

    def finish() -> None:
        pull.close()
        push.close()
        ctx.term()
        done.set()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        thread = threading.Thread(target=finish, daemon=True)
        thread.start()
        assert done.wait(DEADLINE)
        thread.join(DEADLINE)
        gc.collect()
    # The connect its loop never started is closed, not left to be reported.
    assert not [w for w in caught if "never awaited" in str(w.message)]


def test_close_cancels_pending_operations() -> None:
    async def body() -> list[bool]:
        ctx = azmq.Context()
        sock = ctx.socket(zmq.PULL)
        recv = sock.recv()
        poll = sock.poll()
        sock.close()
        await asyncio.sleep(0)
        ctx.term()
        return [recv.cancelled(), poll.cancelled()]

    assert _run(body) == [True, True]


def test_operations_that_end_without_the_socket_leave_nothing_behind() -> None:
    """2,000 poll(timeout=1) and 2,000 cancelled recv(): no waiter is left."""

    async def body() -> tuple[int, int, int]:
        ctx = azmq.Context()
        sock = ctx.socket(zmq.PULL)
        sock.bind("inproc://nothing-left")
        for _ in range(2000):
            assert await sock.poll(timeout=1) == 0
        for _ in range(2000):
            pending = sock.recv()
            pending.cancel()
            await asyncio.sleep(0)
        for _ in range(10):  # pyzmq's test_poll_leak
            asyncio.ensure_future(sock.poll(timeout=1000)).cancel()
            await asyncio.sleep(0)
        sock.rcvtimeo = 1
        for _ in range(20):
            with pytest.raises(zmq.Again):
                await sock.recv()
        waiting = sock._waiting
        counts = (len(waiting.recv.queue), len(waiting.poll.queue), len(sock._recv_futures))
        ctx.destroy(linger=0)
        return counts

    assert _run(body) == (0, 0, 0)


def test_poll_with_timeout_zero_resolves_at_once() -> None:
    async def body() -> tuple[bool, int]:
        ctx = azmq.Context()
        sock = ctx.socket(zmq.PULL)
        fut = sock.poll(timeout=0)
        done = fut.done()
        result = await fut
        ctx.destroy(linger=0)
        return done, result

    assert _run(body) == (True, 0)


def test_poller_poll_returns_a_future() -> None:
    async def body() -> list[Any]:
        ctx = azmq.Context()
        pull = ctx.socket(zmq.PULL)
        pull.bind("inproc://poller-future")
        push = ctx.socket(zmq.PUSH)
        push.connect("inproc://poller-future")
        poller = azmq.Poller()
        poller.register(pull, zmq.POLLIN)
        fut = poller.poll(5000)
        assert isinstance(fut, asyncio.Future)
        await push.send(b"x")
        ready = await fut
        ctx.destroy(linger=0)
        return [(sock is pull, events) for sock, events in ready]

    assert _run(body) == [(True, zmq.POLLIN)]


def test_recv_into_awaits_a_frame() -> None:
    async def body() -> tuple[int, bytes]:
        ctx = azmq.Context()
        pull = ctx.socket(zmq.PULL)
        pull.bind("inproc://recv-into")
        push = ctx.socket(zmq.PUSH)
        push.connect("inproc://recv-into")
        buf = bytearray(4)
        pending = pull.recv_into(buf)
        await push.send(b"truncated")
        n = await pending
        ctx.destroy(linger=0)
        return n, bytes(buf)

    assert _run(body) == (9, b"trun")


def test_pyzmq_deprecated_asyncio_names_exist() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert issubclass(azmq.ZMQEventLoop, asyncio.AbstractEventLoop)
        assert callable(azmq.install)
        azmq.install()


def test_a_dropped_asyncio_socket_is_collected_and_closed() -> None:
    """Its connections on the loop do not keep it alive."""

    async def body() -> bool:
        ctx = azmq.Context()
        pull = ctx.socket(zmq.PULL)
        pull.bind("tcp://127.0.0.1:*")
        push = ctx.socket(zmq.PUSH)
        push.connect(pull.last_endpoint.decode())
        await push.send(b"x")
        assert await pull.recv() == b"x"
        core = pull._core
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            del pull
            gc.collect()
        closed = core.closed
        ctx.destroy(linger=0)
        return closed

    assert _run(body)


def _echo_server(ctx: Any, ready: threading.Event, address: list[str]) -> None:
    rep = ctx.socket(zmq.REP)
    rep.rcvtimeo = int(DEADLINE * 1000)
    rep.bind("tcp://127.0.0.1:*")
    address.append(rep.last_endpoint.decode())
    ready.set()
    try:
        while True:
            rep.send(rep.recv())
    except zmq.ZMQError:
        pass
    finally:
        rep.close(linger=0)


def test_a_sync_poller_sees_replies_while_the_loop_is_blocked() -> None:
    """jupyter_client's asyncio heartbeat: connect, register with a sync Poller, send,
    then block the loop's thread and poll(0). pyzmq's I/O goes on in libzmq's thread;
    here the I/O thread takes the socket over at register, before anything began."""
    server_ctx = zmq.Context()
    ready, address = threading.Event(), list[str]()
    server = threading.Thread(target=_echo_server, args=(server_ctx, ready, address))
    server.start()
    assert ready.wait(DEADLINE)

    async def beat() -> int:
        poller = zmq.Poller()
        req = ctx.socket(zmq.REQ)
        req.linger = 0
        req.connect(address[0])
        poller.register(req, zmq.POLLIN)
        beats = 0
        for i in range(3):
            await req.send(b"ping %d" % i)
            deadline = time.monotonic() + DEADLINE
            while not poller.poll(0) and time.monotonic() < deadline:
                threading.Event().wait(0.01)  # the loop stays blocked meanwhile
            if poller.poll(0):
                assert await req.recv() == b"ping %d" % i
                beats += 1
        req.close()
        return beats

    ctx = azmq.Context()
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(beat()) == 3
    finally:
        loop.close()
        ctx.term()
        server_ctx.term()
        server.join(DEADLINE)
