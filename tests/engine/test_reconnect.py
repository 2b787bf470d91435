"""Reconnecting: RECONNECT_IVL back-off, RECONNECT_STOP, IMMEDIATE, and TCP keepalives.

Where libzmq applies, the same scenario runs with pyzmq's sockets as an oracle and
must tell the same story.
"""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
import zmq as pyzmq

import purezmq as zmq
from purezmq.utils.monitor import parse_monitor_message
from tests.helpers.waiting import wait_for

LIBS = pytest.mark.parametrize("lib", [zmq, pyzmq], ids=["purezmq", "libzmq"])


@pytest.fixture
def free_port() -> int:
    """A tcp port nobody listens on (connects to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def raw_listener() -> Iterator[socket.socket]:
    """A plain tcp listener: a peer that is not ZeroMQ."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listener.setblocking(False)
        yield listener


def _events_for(mon: Any, seconds: float) -> list[str]:
    """Every monitor event name seen during ``seconds`` (an observation period)."""
    names = []
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if mon.poll(max(1, int(left * 1000))):
            names.append(pyzmq.Event(parse_monitor_message(mon.recv_multipart())["event"]).name)
    return names


def _socket(ctx: Any, lib: ModuleType, kind: int, **options: Any) -> Any:
    sock = ctx.socket(kind)
    sock.linger = 0
    for name, value in options.items():
        sock.setsockopt(getattr(lib, name.upper()), value)
    return sock


def test_retry_interval_doubles_up_to_the_maximum(ctx: zmq.Context, free_port: int) -> None:
    """CONNECT_RETRIED carries the delay: RECONNECT_IVL, doubled to RECONNECT_IVL_MAX."""
    push = _socket(ctx, zmq, zmq.PUSH, reconnect_ivl=10, reconnect_ivl_max=80)
    mon = push.get_monitor_socket(zmq.EVENT_CONNECT_RETRIED)
    mon.rcvtimeo = 5000
    push.connect(f"tcp://127.0.0.1:{free_port}")
    delays = [parse_monitor_message(mon.recv_multipart())["value"] for _ in range(6)]
    assert delays == [10, 20, 40, 80, 80, 80]


@LIBS
def test_stop_on_refused_connect(lib: ModuleType, free_port: int) -> None:
    """RECONNECT_STOP_CONN_REFUSED: one refused attempt and the endpoint is given up;
    the queue is gone (send: EAGAIN) and so is the endpoint (disconnect: ENOENT)."""
    ctx = lib.Context()
    try:
        dealer = _socket(ctx, lib, lib.DEALER, reconnect_ivl=20)
        dealer.setsockopt(lib.RECONNECT_STOP, lib.RECONNECT_STOP_CONN_REFUSED)
        mon = dealer.get_monitor_socket()
        endpoint = f"tcp://127.0.0.1:{free_port}"
        dealer.connect(endpoint)
        assert _events_for(mon, 0.3) == ["CONNECT_DELAYED", "CLOSED"]
        with pytest.raises(lib.Again):
            dealer.send(b"x", lib.NOBLOCK)
        with pytest.raises(lib.ZMQError) as info:
            dealer.disconnect(endpoint)
        assert info.value.errno == errno.ENOENT
    finally:
        ctx.destroy(linger=0)


@LIBS
def test_refused_connects_are_retried_by_default(lib: ModuleType, free_port: int) -> None:
    ctx = lib.Context()
    try:
        dealer = _socket(ctx, lib, lib.DEALER, reconnect_ivl=20)
        mon = dealer.get_monitor_socket()
        dealer.connect(f"tcp://127.0.0.1:{free_port}")
        assert _events_for(mon, 0.3).count("CONNECT_RETRIED") >= 2
        dealer.send(b"queued", lib.NOBLOCK)  # the pipe made at connect() is still there
    finally:
        ctx.destroy(linger=0)


def _accept_and_close(listener: socket.socket) -> int:
    """Accept and hang up on every waiting connection; how many there were."""
    n = 0
    while True:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return n
        conn.close()
        n += 1


@LIBS
@pytest.mark.parametrize("stop", [True, False], ids=["stop", "retry"])
def test_stop_on_failed_handshake(lib: ModuleType, raw_listener: socket.socket, stop: bool) -> None:
    """RECONNECT_STOP_HANDSHAKE_FAILED: a peer that hangs up before the handshake ends
    is not dialled again; without it, it is."""
    ctx = lib.Context()
    try:
        dealer = _socket(ctx, lib, lib.DEALER, reconnect_ivl=20)
        if stop:
            dealer.setsockopt(lib.RECONNECT_STOP, lib.RECONNECT_STOP_HANDSHAKE_FAILED)
        port = raw_listener.getsockname()[1]
        dealer.connect(f"tcp://127.0.0.1:{port}")
        seen = [wait_for(lambda: _accept_and_close(raw_listener))]
        if stop:
            end = time.monotonic() + 0.4  # an observation period: nobody calls again
            while time.monotonic() < end:
                seen.append(_accept_and_close(raw_listener))
                time.sleep(0.01)
            assert sum(seen) == 1
        else:
            wait_for(lambda: _accept_and_close(raw_listener))  # a second call comes
    finally:
        ctx.destroy(linger=0)


def test_nothing_is_dialled_after_disconnect(ctx: zmq.Context, raw_listener: socket.socket) -> None:
    """RECONNECT_STOP_AFTER_DISCONNECT is always so here: disconnect() ends the calls."""
    dealer = _socket(ctx, zmq, zmq.DEALER, reconnect_ivl=10)
    dealer.setsockopt(zmq.RECONNECT_STOP, zmq.RECONNECT_STOP_AFTER_DISCONNECT)
    assert dealer.getsockopt(zmq.RECONNECT_STOP) == zmq.RECONNECT_STOP_AFTER_DISCONNECT
    endpoint = f"tcp://127.0.0.1:{raw_listener.getsockname()[1]}"
    dealer.connect(endpoint)
    wait_for(lambda: _accept_and_close(raw_listener))
    dealer.disconnect(endpoint)
    time.sleep(0.3)  # an observation period: 30 retry intervals
    _accept_and_close(raw_listener)  # at most one attempt was already on its way
    time.sleep(0.2)
    assert _accept_and_close(raw_listener) == 0


@LIBS
@pytest.mark.parametrize("immediate", [0, 1])
def test_immediate_queues_only_to_live_connections(lib: ModuleType, immediate: int) -> None:
    """IMMEDIATE: a PUSH with one peer down and one up sends everything to the live one;
    without it, the peer that is down gets its share queued."""
    ctx = lib.Context()
    try:
        pull = _socket(ctx, lib, lib.PULL)
        pull.rcvtimeo = 200
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            dead = probe.getsockname()[1]
        push = _socket(ctx, lib, lib.PUSH, immediate=immediate, reconnect_ivl=5000)
        push.connect(f"tcp://127.0.0.1:{dead}")
        push.connect(f"tcp://127.0.0.1:{port}")
        push.send(b"first")  # with IMMEDIATE this may wait until the live peer is up
        got = [pull.recv()] if immediate else []
        for i in range(10):
            push.send(b"%d" % i)
        while True:
            try:
                got.append(pull.recv())
            except lib.Again:
                break
        if immediate:
            assert got == [b"first"] + [b"%d" % i for i in range(10)]
        else:
            assert 4 <= len(got) <= 7  # round-robin: about half went to the dead peer
    finally:
        ctx.destroy(linger=0)


def test_immediate_send_waits_for_a_connection(ctx: zmq.Context, free_port: int) -> None:
    """IMMEDIATE with no peer up: NOBLOCK sends fail with EAGAIN, nothing queues."""
    push = _socket(ctx, zmq, zmq.PUSH, immediate=1)
    push.connect(f"tcp://127.0.0.1:{free_port}")
    with pytest.raises(zmq.Again):
        push.send(b"x", zmq.NOBLOCK)
    assert push.poll(50, zmq.POLLOUT) == 0


def test_tcp_keepalive_reaches_the_os_socket(ctx: zmq.Context) -> None:
    """TCP_KEEPALIVE and its three tunables are set on both ends' OS sockets."""
    keepalive = {
        "tcp_keepalive": 1,
        "tcp_keepalive_idle": 37,
        "tcp_keepalive_intvl": 7,
        "tcp_keepalive_cnt": 3,
    }
    router = _socket(ctx, zmq, zmq.ROUTER, **keepalive)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer = _socket(ctx, zmq, zmq.DEALER, **keepalive)
    dealer.connect(f"tcp://127.0.0.1:{port}")
    dealer.send(b"up")
    router.rcvtimeo = 5000
    router.recv_multipart()
    for sock in (router, dealer):
        (session,) = sock._engine.sessions
        os_sock = session.transport.get_extra_info("socket")
        assert os_sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        if hasattr(socket, "TCP_KEEPIDLE"):
            assert os_sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 37
            assert os_sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 7
            assert os_sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 3


def test_tcp_keepalive_off_by_default(ctx: zmq.Context) -> None:
    router = _socket(ctx, zmq, zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer = _socket(ctx, zmq, zmq.DEALER)
    dealer.connect(f"tcp://127.0.0.1:{port}")
    dealer.send(b"up")
    router.rcvtimeo = 5000
    router.recv_multipart()
    (session,) = dealer._engine.sessions
    os_sock = session.transport.get_extra_info("socket")
    assert os_sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 0
