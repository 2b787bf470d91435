"""Connections over time: reconnecting, lingering on close, heartbeats, oversized messages."""

from __future__ import annotations

import errno
import socket
import threading
import time
from typing import Any

import pytest
import zmq as pyzmq

import purezmq

from ..helpers.waiting import wait_for
from .support import (
    DEADLINE,
    LIB,
    LIBS,
    PURE,
    TRANSPORTS,
    Sockets,
    armed_monitor,
    monitor_events,
    other,
    pending_events,
    try_send,
)

pytestmark = pytest.mark.interop

AGAIN = (pyzmq.Again, purezmq.Again)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("connecter_lib", LIBS, ids=lambda lib: f"PUSH_{lib}_connects")
def test_reconnect_to_restarted_peer(sockets: Sockets, connecter_lib: str, transport: str) -> None:
    """The bound PULL goes away and a new one binds the same address: PUSH reconnects.

    Messages written to the dying connection before the PUSH notices may be lost
    (so with libzmq on both ends); once one reaches the new PULL, none after it is.
    """
    push = sockets.make(connecter_lib, "PUSH")
    first = sockets.make(other(connecter_lib), "PULL")
    endpoint = sockets.bind(first, transport)
    push.connect(endpoint)
    push.send(b"before")
    assert first.recv() == b"before"
    first.close(linger=0)

    second = sockets.make(other(connecter_lib), "PULL")
    # close() is asynchronous in both libraries: the port is free a moment later.
    wait_for(lambda: _try_bind(second, endpoint))
    sent = 0
    end = time.monotonic() + DEADLINE
    while not second.poll(10):
        assert time.monotonic() < end, "the PUSH never reconnected"
        push.send(b"%d" % sent)
        sent += 1
    push.send(b"end")
    received = [second.recv()]
    while received[-1] != b"end":
        received.append(second.recv())
    first_number = int(received[0])
    assert received == [b"%d" % n for n in range(first_number, sent)] + [b"end"]


def _unused_endpoint(sockets: Sockets, transport: str) -> str:
    """An address nobody listens on: a port the kernel handed out and took back at once
    (a plain socket closes synchronously), or a fresh ipc path."""
    if transport != "tcp":
        return sockets.address(transport)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


def _try_bind(sock: Any, endpoint: str) -> bool:
    try:
        sock.bind(endpoint)
    except (pyzmq.ZMQError, purezmq.ZMQError) as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        return False
    return True


@pytest.mark.parametrize("peer", ["peer_bound", "peer_binds_later"])
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("sender_lib", LIBS, ids=lambda lib: f"PUSH_{lib}")
def test_close_with_linger_delivers_queued_messages(
    sockets: Sockets, sender_lib: str, transport: str, peer: str
) -> None:
    """connect, send, close(linger=2000) at once: the peer still gets every message.

    libzmq keeps connecting and handshaking during the linger period, so this
    holds even when the PULL only binds after the PUSH was closed. (The address it
    binds later is one nothing listens on: a socket bound and closed before would
    still be listening for a moment, as close() is asynchronous in both libraries,
    and take the PUSH's connection and its messages with it, with libzmq on both
    ends too.)
    """
    pull = sockets.make(other(sender_lib), "PULL")
    if peer == "peer_binds_later":
        endpoint = _unused_endpoint(sockets, transport)
    else:
        endpoint = sockets.bind(pull, transport)
    push = sockets.make(sender_lib, "PUSH")
    push.connect(endpoint)
    for n in range(200):
        push.send_multipart([b"%d" % n, b"x" * 1000])
    push.close(linger=2000)  # bounded: a failure cannot hang the test
    if peer == "peer_binds_later":
        wait_for(lambda: _try_bind(pull, endpoint))
    pull.rcvtimeo = 3000  # past the linger period nothing more can come
    assert [pull.recv_multipart()[0] for _ in range(200)] == [b"%d" % n for n in range(200)]


@pytest.mark.parametrize("pure_binds", [True, False], ids=["pure_binds", "lib_binds"])
def test_answers_libzmq_heartbeats(sockets: Sockets, pure_binds: bool) -> None:
    """libzmq PINGs every 20 ms and hangs up after 300 ms without an answer.

    purezmq must PONG: the libzmq monitor shows no disconnect, and the ROUTER's
    routing id for the peer (a reconnect would generate a new one) still works.
    The sleep is the period under observation, not a synchronisation.
    """
    router = sockets.make(PURE, "ROUTER")
    dealer = sockets.make(LIB, "DEALER", heartbeat_ivl=20, heartbeat_timeout=300, heartbeat_ttl=0)
    monitor = armed_monitor(dealer)
    if pure_binds:
        sockets.connect_pair(router, dealer, "tcp")
    else:
        sockets.connect_pair(dealer, router, "tcp")
    dealer.send(b"hello")
    routing_id, body = router.recv_multipart()
    assert body == b"hello"
    time.sleep(0.6)  # about 30 heartbeats; 300 ms without a PONG would end it
    seen = pending_events(monitor)
    assert pyzmq.EVENT_DISCONNECTED not in seen, seen
    router.send_multipart([routing_id, b"still here"])
    assert dealer.recv() == b"still here"


def test_answers_libzmq_heartbeats_while_blocked_in_recv(sockets: Sockets) -> None:
    """As above, with purezmq's thread blocked in recv() the whole time, so that the
    PINGs reach it through its own reads of the connection (engine/stream.py): the
    I/O thread still answers them, and the connection survives."""
    router = sockets.make(PURE, "ROUTER")
    dealer = sockets.make(LIB, "DEALER", heartbeat_ivl=20, heartbeat_timeout=300, heartbeat_ttl=0)
    monitor = armed_monitor(dealer)
    sockets.connect_pair(router, dealer, "tcp")
    dealer.send(b"hello")
    routing_id, body = router.recv_multipart()
    assert body == b"hello"
    router.rcvtimeo = 600  # about 30 heartbeats; 300 ms without a PONG would end it
    with pytest.raises(AGAIN):
        router.recv_multipart()
    seen = pending_events(monitor)
    assert pyzmq.EVENT_DISCONNECTED not in seen, seen
    router.send_multipart([routing_id, b"still here"])
    assert dealer.recv() == b"still here"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_oversized_message_drops_only_that_connection(sockets: Sockets, transport: str) -> None:
    """MAXMSGSIZE on purezmq: libzmq's oversized message ends its connection, nothing more.

    The message is not delivered, nothing is raised in the receiving thread, and
    libzmq's reconnection delivers what it sends next.
    """
    pull = sockets.make(PURE, "PULL", maxmsgsize=1000)
    endpoint = sockets.bind(pull, transport)
    push = sockets.make(LIB, "PUSH")
    monitor = armed_monitor(push)
    push.connect(endpoint)
    push.send(b"small")
    assert pull.recv() == b"small"
    push.send(b"x" * 1001)
    monitor_events(monitor, {pyzmq.EVENT_DISCONNECTED})
    with pytest.raises(AGAIN):
        pull.recv(pyzmq.NOBLOCK)
    push.send(b"small again")  # queued until libzmq has reconnected
    assert pull.recv() == b"small again"


@pytest.mark.parametrize("sub_lib", LIBS, ids=lambda lib: f"SUB_{lib}")
def test_many_subscriptions(sockets: Sockets, sub_lib: str) -> None:
    """1 000 topics from one SUB all reach the other library's XPUB, in order."""
    xpub = sockets.make(other(sub_lib), "XPUB")
    sub = sockets.make(sub_lib, "SUB")
    sub.connect(sockets.bind(xpub, "tcp"))
    topics = [b"topic/%04d" % n for n in range(1000)]
    for topic in topics:
        sub.subscribe(topic)
    assert [xpub.recv() for _ in topics] == [b"\x01" + t for t in topics]
    xpub.send(b"topic/0999 last")
    assert sub.recv() == b"topic/0999 last"


@pytest.mark.parametrize("pure_side", ["PAIR_binds", "PAIR_connects"])
def test_pair_talks_to_one_peer_only(sockets: Sockets, pure_side: str) -> None:
    """A bound PAIR keeps its first peer; a second one (of the other library) is not heard."""
    pure_binds = pure_side == "PAIR_binds"
    binder = sockets.make(PURE if pure_binds else LIB, "PAIR")
    endpoint = sockets.bind(binder, "tcp")
    first = sockets.make(LIB if pure_binds else PURE, "PAIR")
    first.connect(endpoint)
    first.send(b"first")
    assert binder.recv() == b"first"
    second = sockets.make(LIB if pure_binds else PURE, "PAIR")
    second.connect(endpoint)
    try_send(second, b"second")
    first.send(b"first again")
    assert binder.recv() == b"first again"
    binder.send(b"to first")
    assert first.recv() == b"to first"
    with pytest.raises(AGAIN):
        binder.recv(pyzmq.NOBLOCK)


def test_libzmq_routing_id_of_255_octets(sockets: Sockets) -> None:
    """The longest routing id libzmq allows crosses both ways intact."""
    name = bytes(range(1, 256))
    router = sockets.make(PURE, "ROUTER")
    dealer = sockets.make(LIB, "DEALER", routing_id=name)
    dealer.connect(sockets.bind(router, "tcp"))
    dealer.send(b"hi")
    assert router.recv_multipart() == [name, b"hi"]
    back = sockets.make(LIB, "ROUTER")
    client = sockets.make(PURE, "DEALER", routing_id=name)
    client.connect(sockets.bind(back, "tcp"))
    client.send(b"hi")
    assert back.recv_multipart() == [name, b"hi"]
    back.send_multipart([name, b"ok"])
    assert client.recv() == b"ok"


def _term_in_thread(context: pyzmq.Context) -> threading.Thread:
    thread = threading.Thread(target=context.term, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pull_keeps_what_a_closed_libzmq_push_left_in_the_socket(
    sockets: Sockets, transport: str
) -> None:
    """A libzmq PUSH sends a burst, closes and terminates while the purezmq PULL, at its
    RCVHWM, has read none of it: every message still arrives, in order.

    The burst fits in the kernel's buffers and the PULL's input, so the sender's
    ``term()`` returns (its connection closed) before the application reads anything.
    libzmq's own PULL, in this position over ipc, drops what is still in its socket
    buffer when the peer hangs up (libzmq issue 4660); purezmq stops reading at its
    RCVHWM and reads the rest, then the end of the stream, when there is room again.
    """
    pull = sockets.make(PURE, "PULL", rcvhwm=10)
    endpoint = sockets.bind(pull, transport)
    sender_ctx = pyzmq.Context()
    push = sender_ctx.socket(pyzmq.PUSH)
    push.sndhwm = 0
    push.connect(endpoint)
    count = 300  # 30 KB of bodies: well within one socket buffer
    for n in range(count):
        push.send(b"%06d" % n + b"x" * 94)
    push.close(linger=-1)
    term = _term_in_thread(sender_ctx)
    term.join(DEADLINE)
    closed_first = not term.is_alive()
    got = [pull.recv()[:6] for _ in range(count)]
    term.join(DEADLINE)
    assert got == [b"%06d" % n for n in range(count)]
    assert closed_first, "the sender could not hand its burst to the kernel before a read"
