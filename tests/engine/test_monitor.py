"""Monitor events (zmq_socket_monitor(3)) in libzmq's wire format."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import time

import pytest
import zmq as pyzmq
import zmq.utils.monitor as pyzmq_monitor

import purezmq as zmq
import purezmq.asyncio as azmq
from purezmq.utils.monitor import parse_monitor_message, recv_monitor_message
from tests.helpers.waiting import run

E = zmq.Event


def events_until(mon: zmq.Socket, last: E, deadline: float = 5.0) -> list[tuple[E, int, bytes]]:
    """Read events until ``last`` arrives (fails after ``deadline`` seconds)."""
    got: list[tuple[E, int, bytes]] = []
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if not mon.poll(100):
            continue
        event = parse_monitor_message(mon.recv_multipart())
        got.append((event["event"], event["value"], event["endpoint"]))
        if event["event"] == last:
            return got
    raise AssertionError(f"no {last.name} within {deadline}s; got {got}")


def kinds(events: list[tuple[E, int, bytes]]) -> list[E]:
    return [e for e, _, _ in events]


def _sock(ctx: zmq.Context, kind: int) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = 5000
    return sock


def test_bind_side_events(ctx: zmq.Context) -> None:
    """LISTENING, ACCEPTED, HANDSHAKE_SUCCEEDED, DISCONNECTED, CLOSED, MONITOR_STOPPED."""
    rep = _sock(ctx, zmq.REP)
    mon = rep.get_monitor_socket()
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    endpoint = f"tcp://127.0.0.1:{port}".encode()
    req = _sock(ctx, zmq.REQ)
    req.connect(endpoint.decode())
    req.send(b"x")
    assert rep.recv() == b"x"
    got = events_until(mon, E.HANDSHAKE_SUCCEEDED)
    assert kinds(got) == [E.LISTENING, E.ACCEPTED, E.HANDSHAKE_SUCCEEDED]
    assert {ep for _, _, ep in got} == {endpoint}
    req.close()
    assert kinds(events_until(mon, E.DISCONNECTED)) == [E.DISCONNECTED]
    rep.close()
    assert kinds(events_until(mon, E.MONITOR_STOPPED)) == [E.CLOSED, E.MONITOR_STOPPED]


def test_connect_side_events_and_retries(ctx: zmq.Context) -> None:
    """CONNECT_DELAYED and CONNECT_RETRIED while nobody listens; CONNECTED once someone does."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    push = _sock(ctx, zmq.PUSH)
    push.reconnect_ivl = 20
    mon = push.get_monitor_socket()
    push.connect(f"tcp://127.0.0.1:{port}")
    got = events_until(mon, E.CONNECT_RETRIED)
    # libzmq 4.3.5 says the same: the failed attempt's socket is closed, then a retry.
    assert kinds(got)[:3] == [E.CONNECT_DELAYED, E.CLOSED, E.CONNECT_RETRIED]
    assert got[2][1] == 20  # the value is the delay in ms
    pull = _sock(ctx, zmq.PULL)
    pull.bind(f"tcp://127.0.0.1:{port}")
    assert E.CONNECTED in kinds(events_until(mon, E.HANDSHAKE_SUCCEEDED))


def test_protocol_error_is_reported_with_its_code(ctx: zmq.Context) -> None:
    """A peer with a bad greeting: HANDSHAKE_FAILED_PROTOCOL with a ZMTP error code."""
    pull = _sock(ctx, zmq.PULL)
    mon = pull.get_monitor_socket()
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\n\r\n" + b"x" * 64)
        got = events_until(mon, E.DISCONNECTED)
    failed = [value for event, value, _ in got if event == E.HANDSHAKE_FAILED_PROTOCOL]
    assert len(failed) == 1
    assert failed[0] & 0xF0000000 == zmq.PROTOCOL_ERROR_ZMTP_UNSPECIFIED


def test_bind_failed_carries_the_errno(ctx: zmq.Context) -> None:
    """BIND_FAILED's value is the errno that bind() raised."""
    first = _sock(ctx, zmq.PULL)
    port = first.bind_to_random_port("tcp://127.0.0.1")
    second = _sock(ctx, zmq.PULL)
    mon = second.get_monitor_socket()
    with pytest.raises(zmq.ZMQError):
        second.bind(f"tcp://127.0.0.1:{port}")
    assert events_until(mon, E.BIND_FAILED)[-1][1] == errno.EADDRINUSE


def test_disable_monitor_stops_events(ctx: zmq.Context) -> None:
    """disable_monitor sends MONITOR_STOPPED; later events are not sent."""
    pull = _sock(ctx, zmq.PULL)
    mon = pull.get_monitor_socket(zmq.EVENT_LISTENING | zmq.EVENT_MONITOR_STOPPED)
    pull.disable_monitor()
    assert kinds(events_until(mon, E.MONITOR_STOPPED)) == [E.MONITOR_STOPPED]
    pull.bind("tcp://127.0.0.1:*")
    assert mon.poll(200) == 0


def test_monitor_address_must_be_inproc(ctx: zmq.Context) -> None:
    """libzmq monitors only over inproc: another transport is EPROTONOSUPPORT."""
    pull = _sock(ctx, zmq.PULL)
    with pytest.raises(zmq.ZMQError) as info:
        pull.monitor("tcp://127.0.0.1:5555")
    assert info.value.errno == errno.EPROTONOSUPPORT


def test_pyzmq_parses_purezmq_events(ctx: zmq.Context) -> None:
    """pyzmq's own parse_monitor_message reads purezmq's events unchanged."""
    pull = _sock(ctx, zmq.PULL)
    mon = pull.get_monitor_socket()
    pull.bind("tcp://127.0.0.1:*")
    assert mon.poll(5000)
    event = pyzmq_monitor.parse_monitor_message(mon.recv_multipart())
    assert event["event"] == pyzmq.EVENT_LISTENING
    assert event["endpoint"] == pull.last_endpoint


def test_asyncio_monitor_socket() -> None:
    """get_monitor_socket on an asyncio socket gives an awaitable PAIR."""

    async def body() -> None:
        ctx = azmq.Context()
        try:
            pull = ctx.socket(zmq.PULL)
            mon = pull.get_monitor_socket()
            pull.bind("tcp://127.0.0.1:*")
            event = await recv_monitor_message(mon)
            assert event["event"] == E.LISTENING
            pull.close(linger=0)
            assert (await recv_monitor_message(mon))["event"] == E.CLOSED
        finally:
            ctx.destroy(linger=0)

    run(body())


_ACCEPT_FAILED_SCRIPT = r"""
import errno, os, resource, socket
import purezmq as zmq
from purezmq.utils.monitor import recv_monitor_message

ctx = zmq.Context()
pull = ctx.socket(zmq.PULL)
pull.linger = 0
mon = pull.get_monitor_socket(zmq.EVENT_ACCEPT_FAILED | zmq.EVENT_ACCEPTED)
mon.rcvtimeo = 5000
port = pull.bind_to_random_port("tcp://127.0.0.1")
client = socket.socket()
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 8, hard))
hogs = []
while True:
    try:
        hogs.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        break
client.connect(("127.0.0.1", port))  # the kernel completes it; accept() cannot
first = recv_monitor_message(mon)
for fd in hogs:
    os.close(fd)
second = recv_monitor_message(mon)  # accepting resumed by itself
print(first["event"].name, first["value"] == errno.EMFILE, second["event"].name)
ctx.destroy(linger=0)
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc")
def test_accept_failed_reports_the_errno_and_accepting_resumes() -> None:
    """Out of descriptors: ACCEPT_FAILED with EMFILE; once some are free, ACCEPTED.

    Run in a child process, whose descriptor limit can be lowered safely.
    """
    result = subprocess.run(
        [sys.executable, "-c", _ACCEPT_FAILED_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ACCEPT_FAILED", "True", "ACCEPTED"]
