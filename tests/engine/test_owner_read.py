"""A sync socket blocked in recv() reads its connections itself (engine/stream.py).

The I/O thread yields the reading to the socket's thread while that thread waits,
and takes it back when it stops waiting; the socket's thread hands big messages,
commands and faults to the loop. These tests check that nothing is lost, cut,
duplicated or reordered whichever thread reads, that the mechanism is used at all
(statistics' ``owner_reads``), and that a faulty peer read by the socket's thread
still loses its connection.
"""

from __future__ import annotations

import socket
import threading

import pytest

import purezmq as zmq
from purezmq.utils.monitor import recv_monitor_message
from tests.conftest import bind, needs_fastpath
from tests.engine.test_session import (
    GREETING_NULL_31,
    closed_by_peer,
    port_of,
    raw_peer,
    read_greeting,
    ready_command,
)
from tests.helpers.waiting import wait_for


def _frame(body: bytes) -> bytes:
    if len(body) < 256:
        return bytes((0, len(body))) + body
    return b"\x02" + len(body).to_bytes(8, "big") + body


@needs_fastpath("owner_read")
@pytest.mark.parametrize("transport", ["tcp", "ipc"])  # inproc has no connection to read
def test_request_reply_replies_are_read_by_the_waiting_thread(
    ctx: zmq.Context, transport: str, ipc_dir: str
) -> None:
    """In a REQ/REP exchange each side's thread waits in recv(); the replies reach it
    through its own reads, not only through the I/O thread."""
    rep = ctx.socket(zmq.REP)
    rep.linger = 0
    endpoint = bind(rep, transport, ipc_dir)
    req = ctx.socket(zmq.REQ)
    req.linger = 0
    req.rcvtimeo = rep.rcvtimeo = 5000
    req.connect(endpoint)

    def serve() -> None:
        for _ in range(300):
            rep.send(rep.recv())

    server = threading.Thread(target=serve)
    server.start()
    for i in range(300):
        req.send(b"%d" % i)
        assert req.recv() == b"%d" % i
    server.join(10)
    assert not server.is_alive()
    assert req._engine.statistics()["owner_reads"] > 0
    assert rep._engine.statistics()["owner_reads"] > 0


@pytest.mark.parametrize("transport_name", ["tcp", "ipc"])
def test_mixed_sizes_and_waits_arrive_whole_and_in_order(
    ctx: zmq.Context, transport_name: str, ipc_dir: str
) -> None:
    """Small and big (over 64 KiB) messages, received with blocking recv(), a Poller,
    Socket.poll and NOBLOCK in turn: every message arrives once, whole, in order."""
    # DEALERs: a type whose waiting thread reads its connection itself.
    pull = ctx.socket(zmq.DEALER)
    pull.linger = 0
    endpoint = bind(pull, transport_name, ipc_dir)
    push = ctx.socket(zmq.DEALER)
    push.linger = 0
    push.connect(endpoint)

    sizes = [16, 300, 70_000, 16, 1 << 20, 5, 200_000] * 40
    expected = [i.to_bytes(4, "big") * (size // 4 + 1) for i, size in enumerate(sizes)]

    def send_all() -> None:
        for body in expected:
            push.send(body)

    sender = threading.Thread(target=send_all)
    sender.start()
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    got: list[bytes] = []
    for i in range(len(expected)):
        way = i % 4
        if way == 0:
            pull.rcvtimeo = 10_000
            got.append(pull.recv())
        elif way == 1:
            assert poller.poll(10_000), "the Poller saw no message"
            got.append(pull.recv(zmq.NOBLOCK))
        elif way == 2:
            assert pull.poll(10_000, zmq.POLLIN)
            got.append(pull.recv(zmq.NOBLOCK))
        else:
            got.append(wait_for(lambda: _try_recv(pull)))
    sender.join(10)
    assert [len(b) for b in got] == [len(b) for b in expected]
    assert got == expected


def _try_recv(sock: zmq.Socket) -> bytes | None:
    try:
        return bytes(sock.recv(zmq.NOBLOCK))
    except zmq.Again:
        return None


def _dealer(ctx: zmq.Context, timeout_ms: int) -> zmq.Socket:
    """A bound DEALER: a type whose waiting thread reads its connections itself."""
    sock = ctx.socket(zmq.DEALER)
    sock.linger = 0
    sock.rcvtimeo = timeout_ms
    sock.bind("tcp://127.0.0.1:*")
    return sock


def _raw_dealer(sock: zmq.Socket) -> socket.socket:
    conn = raw_peer(port_of(sock))
    conn.sendall(GREETING_NULL_31)
    read_greeting(conn)
    conn.sendall(ready_command(b"DEALER"))
    return conn


def _recv_in_a_thread_that_watches(sock: zmq.Socket) -> tuple[threading.Thread, list[bytes]]:
    """A thread blocked in sock.recv(), returned once it polls its connection (so the
    bytes sent next are read by that thread, not by the I/O thread); the list gets
    what it receives."""
    received: list[bytes] = []
    waiter = threading.Thread(target=lambda: received.append(sock.recv()))
    waiter.start()
    wait_for(lambda: any(r.waiting for r in sock._engine.owner_readers()))
    return waiter, received


def _good_dealer(ctx: zmq.Context, sock: zmq.Socket) -> zmq.Socket:
    peer = ctx.socket(zmq.DEALER)
    peer.linger = 0
    peer.connect(sock.last_endpoint.decode())
    return peer


@needs_fastpath("owner_read")
def test_a_faulty_peer_read_by_the_waiting_thread_is_dropped(ctx: zmq.Context) -> None:
    """A good message and then an oversized frame header, read by the socket's thread
    while it waits in recv(): the message is delivered, the connection dropped, and
    the socket still serves a good peer."""
    sock = _dealer(ctx, 5000)
    conn = _raw_dealer(sock)
    try:
        # One exchange makes sure the handshake is over.
        conn.sendall(_frame(b"first"))
        assert sock.recv() == b"first"
        waiter, received = _recv_in_a_thread_that_watches(sock)
        conn.sendall(_frame(b"second") + b"\x02" + b"\xff" * 8)
        waiter.join(10)
        assert received == [b"second"]
        assert closed_by_peer(conn)
    finally:
        conn.close()
    peer = _good_dealer(ctx, sock)
    peer.send(b"still serving")
    assert sock.recv() == b"still serving"


@needs_fastpath("owner_read")
def test_peer_gone_while_the_thread_waits_then_a_new_peer(ctx: zmq.Context) -> None:
    """The peer closes while the socket's thread watches its connection in recv(): the
    connection ends (monitor DISCONNECTED) and the same wait then gets a new peer's
    message."""
    sock = _dealer(ctx, 10_000)
    monitor = sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    monitor.rcvtimeo = 5000
    conn = _raw_dealer(sock)
    conn.sendall(_frame(b"hello"))
    assert sock.recv() == b"hello"

    waiter, received = _recv_in_a_thread_that_watches(sock)
    conn.shutdown(socket.SHUT_RDWR)
    conn.close()
    event = recv_monitor_message(monitor)
    assert event["event"] == zmq.EVENT_DISCONNECTED
    peer = _good_dealer(ctx, sock)
    peer.send(b"from the new peer")
    waiter.join(10)
    assert received == [b"from the new peer"]
    monitor.close()
