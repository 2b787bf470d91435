"""Socket.FD / ZMQ_EVENTS: a file descriptor that foreign event loops can watch."""

from __future__ import annotations

import asyncio
import selectors

import purezmq as zmq
from tests.helpers.waiting import run


def _pair(ctx: zmq.Context) -> tuple[zmq.Socket, zmq.Socket]:
    a = ctx.socket(zmq.PAIR)
    b = ctx.socket(zmq.PAIR)
    for sock in (a, b):
        sock.linger = 0
    a.bind("tcp://127.0.0.1:*")
    b.connect(a.last_endpoint.decode())
    return a, b


def test_fd_becomes_readable_when_a_message_arrives(ctx: zmq.Context) -> None:
    """select on FD, then EVENTS shows POLLIN and recv(NOBLOCK) succeeds (libzmq's protocol)."""
    a, b = _pair(ctx)
    fd = a.getsockopt(zmq.FD)
    assert isinstance(fd, int) and fd == a.fileno()
    assert not a.getsockopt(zmq.EVENTS) & zmq.POLLIN  # reading EVENTS clears the fd
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        b.send(b"wake")
        got = None
        for _ in range(50):  # each readiness: read EVENTS, act, wait again
            if not sel.select(0.2):
                continue
            if a.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                got = a.recv(zmq.NOBLOCK)
                break
        assert got == b"wake"


def test_fd_with_loop_add_reader() -> None:
    """A sync socket's FD drives a plain asyncio loop (loop.add_reader), no busy wait."""
    ctx = zmq.Context()
    try:
        a, b = _pair(ctx)

        async def body() -> bytes:
            loop = asyncio.get_running_loop()
            ready = asyncio.Event()
            loop.add_reader(a.fileno(), ready.set)
            try:
                a.getsockopt(zmq.EVENTS)
                b.send(b"via add_reader")
                while True:
                    await ready.wait()
                    ready.clear()
                    if a.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                        return bytes(a.recv(zmq.NOBLOCK))
            finally:
                loop.remove_reader(a.fileno())

        assert run(body()) == b"via add_reader"
    finally:
        ctx.destroy(linger=0)
