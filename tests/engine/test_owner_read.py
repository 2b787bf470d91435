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
from tests.conftest import bind
from tests.engine.test_session import (
    GREETING_NULL_31,
    closed_by_peer,
    good_push,
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


def test_request_reply_replies_are_read_by_the_waiting_thread(
    ctx: zmq.Context, transport: str, ipc_dir: str
) -> None:
    """In a REQ/REP exchange each side's thread waits in recv(); the replies reach it
    through its own reads, not only through the I/O thread."""
    if transport == "inproc":
        pytest.skip("inproc has no connection to read")
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
    assert req._core.statistics()["owner_reads"] > 0
    assert rep._core.statistics()["owner_reads"] > 0


@pytest.mark.parametrize("transport_name", ["tcp", "ipc"])
def test_mixed_sizes_and_waits_arrive_whole_and_in_order(
    ctx: zmq.Context, transport_name: str, ipc_dir: str
) -> None:
    """Small and big (over 64 KiB) messages, received with blocking recv(), a Poller,
    Socket.poll and NOBLOCK in turn: every message arrives once, whole, in order."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    endpoint = bind(pull, transport_name, ipc_dir)
    push = ctx.socket(zmq.PUSH)
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


def test_a_faulty_peer_read_by_the_waiting_thread_is_dropped(ctx: zmq.Context) -> None:
    """A good message and then an oversized frame header, while the socket's thread waits
    in recv(): the message is delivered, the connection dropped, and the socket still
    serves a good peer."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = 5000
    pull.bind("tcp://127.0.0.1:*")
    conn = raw_peer(port_of(pull))
    try:
        conn.sendall(GREETING_NULL_31)
        read_greeting(conn)
        conn.sendall(ready_command(b"PUSH"))
        # One exchange makes sure the handshake is over and the thread waits in recv().
        conn.sendall(_frame(b"first"))
        assert pull.recv() == b"first"
        received: list[bytes] = []
        waiter = threading.Thread(target=lambda: received.append(pull.recv()))
        waiter.start()
        conn.sendall(_frame(b"second") + b"\x02" + b"\xff" * 8)
        waiter.join(10)
        assert received == [b"second"]
        assert closed_by_peer(conn)
    finally:
        conn.close()
    push = good_push(ctx, pull)
    push.send(b"still serving")
    assert pull.recv() == b"still serving"


def test_peer_gone_while_the_thread_waits_then_a_new_peer(ctx: zmq.Context) -> None:
    """The peer closes while the socket's thread waits in recv(): the connection ends
    (monitor DISCONNECTED) and the same wait then gets a new peer's message."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = 10_000
    pull.bind("tcp://127.0.0.1:*")
    monitor = pull.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    monitor.rcvtimeo = 5000
    conn = raw_peer(port_of(pull))
    conn.sendall(GREETING_NULL_31)
    read_greeting(conn)
    conn.sendall(ready_command(b"PUSH") + _frame(b"hello"))
    assert pull.recv() == b"hello"

    received: list[bytes] = []
    waiter = threading.Thread(target=lambda: received.append(pull.recv()))
    waiter.start()
    conn.shutdown(socket.SHUT_RDWR)
    conn.close()
    event = recv_monitor_message(monitor)
    assert event["event"] == zmq.EVENT_DISCONNECTED
    push = good_push(ctx, pull)
    push.send(b"from the new peer")
    waiter.join(10)
    assert received == [b"from the new peer"]
    monitor.close()
