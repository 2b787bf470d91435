"""Sessions over loopback: faulty peers lose their connection, the socket carries on."""

from __future__ import annotations

import socket
import struct

import pytest

import purezmq as zmq
from tests.helpers.waiting import wait_for

GREETING_NULL_31 = (
    b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x01" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32
)


def ready_command(socket_type: bytes) -> bytes:
    prop = b"\x0bSocket-Type" + struct.pack(">I", len(socket_type)) + socket_type
    body = b"\x05READY" + prop
    return bytes((0x04, len(body))) + body


def raw_peer(port: int) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    return conn


def read_greeting(conn: socket.socket) -> bytes:
    data = b""
    while len(data) < 64:
        chunk = conn.recv(64 - len(data))
        assert chunk, "peer closed during the greeting"
        data += chunk
    return data


def closed_by_peer(conn: socket.socket) -> bool:
    """True once the other side has closed the connection (reads EOF or a reset)."""
    conn.settimeout(5)
    try:
        while conn.recv(65536):
            pass
    except (ConnectionResetError, BrokenPipeError):
        return True
    return True


@pytest.fixture
def pull(ctx: zmq.Context) -> zmq.Socket:
    sock = ctx.socket(zmq.PULL)
    sock.linger = 0
    sock.rcvtimeo = 5000
    sock.bind("tcp://127.0.0.1:*")
    return sock


def port_of(sock: zmq.Socket) -> int:
    return int(sock.last_endpoint.decode().rsplit(":", 1)[1])


def good_push(ctx: zmq.Context, pull: zmq.Socket) -> zmq.Socket:
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.connect(pull.last_endpoint.decode())
    return push


@pytest.mark.parametrize(
    "garbage",
    [
        b"GET / HTTP/1.1\r\n\r\n" + b"x" * 64,  # not a ZMTP signature
        b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x02\x00" + b"\x00" * 52,  # ZMTP 2.0
        GREETING_NULL_31.replace(b"NULL", b"XXXX"),  # unknown mechanism
        GREETING_NULL_31 + b"\x00\x03abc",  # a message before READY
        GREETING_NULL_31 + ready_command(b"PULL"),  # PULL cannot talk to PULL
        GREETING_NULL_31 + ready_command(b"PUSH") + b"\x02" + b"\xff" * 8,  # size > 2**63
    ],
    ids=["http", "zmtp2", "mechanism", "msg-before-ready", "bad-type", "huge-size"],
)
def test_faulty_peer_is_dropped_and_socket_keeps_serving(
    ctx: zmq.Context, pull: zmq.Socket, garbage: bytes
) -> None:
    """A faulty peer loses its connection; nothing reaches the user; a good peer still works."""
    conn = raw_peer(port_of(pull))
    conn.sendall(garbage)
    assert closed_by_peer(conn)
    conn.close()
    with pytest.raises(zmq.Again):
        pull.recv(zmq.NOBLOCK)
    push = good_push(ctx, pull)
    push.send(b"still serving")
    assert pull.recv() == b"still serving"


def test_peer_killed_mid_message_delivers_no_partial_message(
    ctx: zmq.Context, pull: zmq.Socket
) -> None:
    """A multipart message cut by a lost connection is never delivered in part."""
    conn = raw_peer(port_of(pull))
    # The greeting first: like libzmq, purezmq sends the rest of its own once it has the
    # peer's signature and version.
    conn.sendall(GREETING_NULL_31)
    read_greeting(conn)
    complete = b"\x00\x05whole"
    partial = b"\x01\x05first" + b"\x00\x10" + b"cut"  # second frame announces 16, sends 3
    conn.sendall(ready_command(b"PUSH") + complete + partial)
    assert pull.recv_multipart() == [b"whole"]
    conn.close()
    push = good_push(ctx, pull)
    push.send(b"next")
    assert pull.recv_multipart() == [b"next"]


def test_messages_before_a_clean_close_are_all_delivered(
    ctx: zmq.Context, pull: zmq.Socket
) -> None:
    """Complete messages a peer sent before closing are delivered, in order."""
    conn = raw_peer(port_of(pull))
    frames = b"".join(bytes((0, 4)) + b"m%03d" % i for i in range(500))
    conn.sendall(GREETING_NULL_31 + ready_command(b"PUSH") + frames)
    conn.close()
    got = [pull.recv() for _ in range(500)]
    assert got == [b"m%03d" % i for i in range(500)]


def test_reconnect_after_the_binder_restarts(ctx: zmq.Context) -> None:
    """A connecting socket reconnects (RECONNECT_IVL) when the bound side comes back."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.bind("tcp://127.0.0.1:*")
    address = pull.last_endpoint.decode()
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.reconnect_ivl = 20
    push.connect(address)
    push.send(b"one")
    pull.rcvtimeo = 5000
    assert pull.recv() == b"one"
    pull.close()
    pull2 = ctx.socket(zmq.PULL)
    pull2.linger = 0
    pull2.rcvtimeo = 100
    wait_for(lambda: _bind_ok(pull2, address))
    got: list[bytes] = []

    def delivered() -> bool:
        push.send(b"two", zmq.NOBLOCK)
        try:
            got.append(pull2.recv())
        except zmq.Again:
            return False
        return True

    wait_for(delivered)
    assert got[0] == b"two"


def _bind_ok(sock: zmq.Socket, address: str) -> bool:
    try:
        sock.bind(address)
    except zmq.ZMQError:
        return False
    return True
