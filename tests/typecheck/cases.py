"""Right and wrong uses of purezmq's public types: mypy --strict checks this file in
tests/typecheck/test_types.py; it is never run.

A line that must be an error ends with ``# E: <mypy error code>``; every other line
must check clean, and ``assert_type`` pins a type exactly. So the test fails when a
wrong use stops being an error, or when a right one becomes one.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

import purezmq as zmq
import purezmq.asyncio as azmq
from purezmq.constants import SocketType


class MySocket(zmq.Socket[bytes]):
    pass


def the_issue(ctx: zmq.Context[zmq.Socket[bytes]]) -> None:
    """The three uses the issue found accepted."""
    sock = ctx.socket(zmq.PULL)
    x: int = sock.recv()  # E: assignment
    y: int = sock.recv_string()  # E: assignment
    sock.nosuchmethod()  # E: attr-defined


def contexts() -> None:
    ctx = zmq.Context()
    assert_type(ctx, zmq.Context[zmq.Socket[bytes]])
    assert_type(ctx.socket(zmq.PULL), zmq.Socket[bytes])
    assert_type(ctx.socket(zmq.PAIR, socket_class=MySocket), MySocket)
    assert_type(zmq.SyncContext.instance(), zmq.Context[zmq.Socket[bytes]])
    shadow: zmq.Context[Any] = zmq.Context.shadow(ctx)
    assert_type(ctx.io_threads, int)
    assert_type(ctx.linger, int)
    ctx.linger = 0
    ctx.IPV6 = 1
    ctx.linger = "0"  # E: assignment
    ctx.lingr = 0  # E: attr-defined
    ctx.nosuchmethod()  # E: attr-defined
    ctx.socket("PULL")  # E: call-overload
    with zmq.Context() as managed:
        assert_type(managed, zmq.Context[zmq.Socket[bytes]])
    ctx.term()
    shadow.term()


def receiving(sock: zmq.Socket[bytes], flag: bool) -> None:
    assert_type(sock.recv(), bytes)
    assert_type(sock.recv(zmq.NOBLOCK), bytes)
    assert_type(sock.recv(copy=False), zmq.Frame)
    assert_type(sock.recv(0, False), zmq.Frame)
    assert_type(sock.recv(copy=flag), bytes | zmq.Frame)
    assert_type(sock.recv_multipart(), list[bytes])
    assert_type(sock.recv_multipart(copy=False), list[zmq.Frame])
    assert_type(sock.recv_string(), str)
    assert_type(sock.recv_json(), Any)
    assert_type(sock.recv_pyobj(), Any)
    assert_type(sock.recv_serialized(lambda frames: len(frames)), int)
    assert_type(sock.recv_into(bytearray(10)), int)
    assert_type(sock.poll(10), int)
    frame: bytes = sock.recv(copy=False)  # E: assignment
    text: bytes = sock.recv_string()  # E: assignment
    parts: list[str] = sock.recv_multipart()  # E: assignment
    sock.recv(copy="no")  # E: call-overload


def sending(sock: zmq.Socket[bytes]) -> None:
    assert_type(sock.send(b"x"), None)
    assert_type(sock.send(b"x", zmq.SNDMORE), None)
    assert_type(sock.send(bytearray(b"x")), None)
    assert_type(sock.send(memoryview(b"x")), None)
    assert_type(sock.send(zmq.Frame(b"x")), None)
    assert_type(sock.send(b"x", track=True), None)
    assert_type(sock.send(b"x", copy=False, track=True), zmq.MessageTracker)
    assert_type(sock.send(b"x", copy=False), zmq.MessageTracker | None)
    assert_type(sock.send(b"x", 0, False, True), zmq.MessageTracker)
    assert_type(sock.send_multipart([b"a", zmq.Frame(b"b")]), None)
    assert_type(sock.send_multipart([b"a"], track=True), None)
    assert_type(sock.send_multipart([b"a"], copy=False, track=True), zmq.MessageTracker)
    assert_type(sock.send_string("x"), zmq.MessageTracker | None)
    assert_type(sock.send_json({"a": 1}), zmq.MessageTracker | None)
    assert_type(sock.send_pyobj(object()), zmq.MessageTracker | None)
    sock.send("text")  # E: call-overload
    sock.send_multipart(["text"])  # E: list-item
    sock.send_string(b"bytes")  # E: arg-type
    sock.subscribe(b"topic")
    sock.subscribe(1)  # E: arg-type


def options(sock: zmq.Socket[bytes]) -> None:
    assert_type(sock.linger, int)
    assert_type(sock.LINGER, int)
    assert_type(sock.rcvhwm, int)
    assert_type(sock.routing_id, bytes)
    assert_type(sock.identity, bytes)
    assert_type(sock.IDENTITY, bytes)
    assert_type(sock.last_endpoint, bytes)
    assert_type(sock.rcvmore, int)
    assert_type(sock.fd, int)
    assert_type(sock.type, SocketType)
    assert_type(sock.TYPE, SocketType)
    assert_type(sock.hwm, int)
    assert_type(sock.closed, bool)
    sock.linger = 0
    sock.routing_id = b"me"
    sock.hwm = 10
    sock.linger = "0"  # E: assignment
    sock.routing_id = "me"  # E: assignment
    sock.lingr = 0  # E: attr-defined
    print(sock.lingr)  # E: attr-defined
    sock.rcvmore = 1  # E: misc
    sock.last_endpoint = b"tcp://x"  # E: misc


def endpoints(sock: zmq.Socket[bytes]) -> None:
    with sock.bind("tcp://127.0.0.1:*") as bound:
        assert_type(bound, zmq.Socket[bytes])
    with MySocket(zmq.Context(), zmq.PAIR).connect("tcp://127.0.0.1:5555") as mine:
        assert_type(mine, MySocket)
    assert_type(sock.get_monitor_socket(), zmq.Socket[bytes])
    shadow: zmq.Socket[bytes] = zmq.Socket.shadow(sock)
    assert_type(zmq.Socket(sock), zmq.Socket[bytes])
    sock.bind(5555)  # E: arg-type
    shadow.close()


def polling(sock: zmq.Socket[bytes]) -> None:
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    assert_type(poller.poll(100), list[tuple[Any, int]])
    assert_type(zmq.zmq_version(), str)


def module() -> None:
    assert_type(zmq.curve_keypair(), tuple[bytes, bytes])
    zmq.nosuchthing  # E: attr-defined
    zmq.Socket.nosuchmethod  # E: attr-defined


async def asyncio_sockets(sync_ctx: zmq.Context[zmq.Socket[bytes]]) -> None:
    ctx = azmq.Context()
    assert_type(ctx, azmq.Context)
    assert_type(azmq.Context(sync_ctx), azmq.Context)
    sock = ctx.socket(zmq.PULL)
    assert_type(sock, azmq.Socket)
    assert_type(await sock.recv(), bytes)
    assert_type(await sock.recv(copy=False), zmq.Frame)
    assert_type(await sock.recv_multipart(), list[bytes])
    assert_type(await sock.recv_multipart(copy=False), list[zmq.Frame])
    assert_type(await sock.recv_string(), str)
    assert_type(await sock.recv_json(), Any)
    assert_type(await sock.recv_pyobj(), Any)
    assert_type(await sock.poll(10), int)
    assert_type(await sock.send(b"x"), None)
    assert_type(await sock.send_multipart([b"a", b"b"]), None)
    assert_type(await sock.send(b"x", copy=False, track=True), zmq.MessageTracker)
    assert_type(await sock.send(b"x", 0, False, True), zmq.MessageTracker)
    assert_type(await sock.send(b"x", copy=False), zmq.MessageTracker | None)
    assert_type(await sock.send_multipart([b"a"], copy=False, track=True), zmq.MessageTracker)
    assert_type(await sock.send_string("x"), None)
    assert_type(await azmq.Poller().poll(10), list[tuple[Any, int]])
    assert_type(sock.linger, int)
    assert_type(azmq.Socket.from_socket(ctx.socket(zmq.PUSH)), azmq.Socket)
    received: bytes = sock.recv()  # E: assignment
    number: int = await sock.recv()  # E: assignment
    text: bytes = await sock.recv_string()  # E: assignment
    await sock.send("text")  # E: call-overload
    sock.nosuchmethod()  # E: attr-defined
