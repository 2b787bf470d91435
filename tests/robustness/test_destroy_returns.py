"""destroy() and term() with a finite LINGER return within about that LINGER, whatever
state the sockets are in: handshaking with a peer that never speaks, queued for a peer
that never reads, half-closed, waiting on a peer that never answers, asyncio sockets
with futures pending."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import zmq as pyzmq

import purezmq as zmq
import purezmq.asyncio as azmq

LINGER_MS = 100
# Far more than LINGER: the call must not wait for anything but its LINGER.
DEADLINE = 5.0


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """A plain TCP server that accepts and never sends or reads a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}", accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def _returns_in_time(call: Callable[[], None]) -> float:
    """Seconds ``call`` took, run in a thread; fails past DEADLINE."""
    started = time.monotonic()
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    assert not thread.is_alive(), f"did not return within {DEADLINE} s"
    return time.monotonic() - started


def test_destroy_with_sockets_in_every_state(
    silent_server: tuple[str, list[socket.socket]],
) -> None:
    address, _ = silent_server
    ctx = zmq.Context()
    handshaking = ctx.socket(zmq.DEALER)  # the server never sends its greeting
    handshaking.connect(address)
    handshaking.send(b"queued behind a handshake that never ends")
    flooded = ctx.socket(zmq.PUSH)  # connected to a libzmq reader that never reads
    flooded.sndhwm = 0
    flooded.bind("tcp://127.0.0.1:*")
    pctx = pyzmq.Context()
    reader = pctx.socket(pyzmq.PULL)
    reader.rcvhwm = 1
    reader.rcvbuf = 4096
    reader.connect(flooded.last_endpoint.decode())
    for _ in range(2000):
        flooded.send(b"x" * 1000)
    waiting = ctx.socket(zmq.REQ)  # a request to nobody: recv would wait for ever
    waiting.connect("tcp://127.0.0.1:1")
    waiting.send(b"hello?")
    half = socket.create_connection(("127.0.0.1", int(flooded.last_endpoint.rsplit(b":", 1)[1])))
    half.shutdown(socket.SHUT_WR)
    took = _returns_in_time(lambda: ctx.destroy(linger=LINGER_MS))
    pctx.destroy(linger=0)
    half.close()
    assert took < DEADLINE


def test_term_with_a_finite_linger_and_a_peer_that_never_comes() -> None:
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.linger = LINGER_MS
    push.connect("tcp://127.0.0.1:1")
    push.send(b"for nobody")
    push.close()
    _returns_in_time(ctx.term)


def test_destroy_with_asyncio_futures_pending() -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pull = ctx.socket(zmq.PULL)
        pull.bind("tcp://127.0.0.1:*")
        push = ctx.socket(zmq.PUSH)
        push.connect("tcp://127.0.0.1:1")
        pending = [pull.recv(), push.send(b"x"), pull.poll()]
        ctx.destroy(linger=LINGER_MS)
        await asyncio.sleep(0)
        assert all(fut.done() for fut in pending)

    _returns_in_time(lambda: asyncio.run(main()))


def test_destroy_from_another_thread_while_a_thread_waits_in_poll() -> None:
    """jupyter_client's heartbeat thread polls its socket while stop_channels destroys
    the context: the poll ends (ContextTerminated or ENOTSOCK) and destroy returns."""
    ctx = zmq.Context()
    req = ctx.socket(zmq.REQ)
    req.connect("tcp://127.0.0.1:1")
    req.send(b"ping")
    poller = zmq.Poller()
    poller.register(req, zmq.POLLIN)
    ended: list[BaseException] = []

    def beat() -> None:
        try:
            while True:
                poller.poll(1000)
        except zmq.ZMQError as exc:
            ended.append(exc)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    _returns_in_time(lambda: ctx.destroy(linger=LINGER_MS))
    thread.join(DEADLINE)
    assert ended and ended[0].errno in (zmq.ETERM, zmq.ENOTSOCK)


def test_term_ends_an_engine_that_outlives_its_linger(
    monkeypatch: pytest.MonkeyPatch, silent_server: tuple[str, list[socket.socket]]
) -> None:
    """Whatever keeps an engine from ending when LINGER runs out (here it never notices
    that its connections are gone), term() ends it and returns."""
    from purezmq.engine.socket_engine import SocketEngine

    monkeypatch.setattr(SocketEngine, "check_done", lambda self: None)
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)  # a connection the silent server accepts, then nothing
    pull.linger = LINGER_MS
    pull.connect(silent_server[0])
    flooded = ctx.socket(zmq.PUSH)
    flooded.sndhwm = 0
    flooded.bind("tcp://127.0.0.1:*")
    pctx = pyzmq.Context()
    reader = pctx.socket(pyzmq.PULL)
    reader.rcvhwm = 1
    reader.connect(flooded.last_endpoint.decode())
    for _ in range(2000):
        flooded.send(b"x" * 1000)
    flooded.linger = LINGER_MS
    took = _returns_in_time(lambda: ctx.destroy())
    pctx.destroy(linger=0)
    assert took < DEADLINE


def test_term_bounds_many_stuck_engines_by_one_linger(
    monkeypatch: pytest.MonkeyPatch, silent_server: tuple[str, list[socket.socket]]
) -> None:
    """The LINGER of sockets closed together runs at the same time, as in libzmq: ten
    engines that outlive it cost one LINGER (and the grace to end them), not ten."""
    from purezmq.engine.socket_engine import SocketEngine

    monkeypatch.setattr(SocketEngine, "check_done", lambda self: None)
    ctx = zmq.Context()
    for _ in range(10):
        pull = ctx.socket(zmq.PULL)
        pull.linger = LINGER_MS
        pull.connect(silent_server[0])
    took = _returns_in_time(lambda: ctx.destroy())
    # One after the other, each waits LINGER + 0.5 s and then 0.5 s more to end: 6 s.
    assert took < 3.0
