"""ZMTP 3.1 heartbeats: HEARTBEAT_IVL / _TIMEOUT / _TTL against silent and live peers."""

from __future__ import annotations

import socket
import struct
import time

import zmq as pyzmq

import purezmq as zmq
from purezmq.utils.monitor import parse_monitor_message
from tests.engine.test_monitor import events_until
from tests.engine.test_session import GREETING_NULL_31, ready_command

E = zmq.Event


def _monitored_pull(
    ctx: zmq.Context, ivl_ms: int, timeout_ms: int
) -> tuple[zmq.Socket, zmq.Socket]:
    """A PULL with heartbeats (HEARTBEAT_IVL, _TIMEOUT) and a 5 s RCVTIMEO, and its monitor."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = 5000
    pull.heartbeat_ivl = ivl_ms
    pull.heartbeat_timeout = timeout_ms
    return pull, pull.get_monitor_socket()


def test_silent_peer_is_dropped_after_the_timeout(ctx: zmq.Context) -> None:
    """A peer that finishes its handshake, then never answers PING, is disconnected."""
    pull, mon = _monitored_pull(ctx, 50, 150)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.sendall(GREETING_NULL_31 + ready_command(b"PUSH"))
        got = events_until(mon, E.DISCONNECTED)
        assert E.HANDSHAKE_SUCCEEDED in [e for e, _, _ in got]
        # What purezmq sent after its READY: at least one PING command (flags 0x04, "PING").
        raw.settimeout(2)
        sent = b""
        try:
            while chunk := raw.recv(4096):
                sent += chunk
        except OSError:
            pass
        assert b"\x04PING" in sent


def test_peer_ttl_is_honoured(ctx: zmq.Context) -> None:
    """A peer that PINGs with a TTL and then goes silent is dropped after that TTL."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    mon = pull.get_monitor_socket()
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    with socket.create_connection(("127.0.0.1", port)) as raw:
        ping = b"\x04PING" + struct.pack(">H", 2)  # TTL 2 deciseconds = 200 ms
        raw.sendall(GREETING_NULL_31 + ready_command(b"PUSH") + bytes((0x04, len(ping))) + ping)
        start = time.monotonic()
        events_until(mon, E.DISCONNECTED)
        assert time.monotonic() - start >= 0.15  # not before the TTL


def test_live_libzmq_peer_keeps_the_connection(ctx: zmq.Context) -> None:
    """With heartbeats on both sides, a live libzmq peer is never dropped.

    The half second is the period under observation, not a synchronisation.
    """
    lctx = pyzmq.Context()
    try:
        push = lctx.socket(pyzmq.PUSH)
        push.linger = 0
        # Short intervals, so that the half second sees many PING/PONG rounds; timeouts
        # generous enough that a busy CI machine delaying a loop is not mistaken for death.
        for name, value in (("heartbeat_ivl", 20), ("heartbeat_timeout", 1000)):
            setattr(push, name, value)
        pull, mon = _monitored_pull(ctx, 20, 1000)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push.connect(f"tcp://127.0.0.1:{port}")
        push.send(b"first")
        assert pull.recv() == b"first"
        time.sleep(0.5)
        push.send(b"second")
        assert pull.recv() == b"second"
        seen = []
        while mon.poll(50):
            seen.append(parse_monitor_message(mon.recv_multipart())["event"])
        assert E.DISCONNECTED not in seen and seen.count(E.ACCEPTED) == 1
    finally:
        lctx.destroy(linger=0)


def test_a_slowly_arriving_large_body_keeps_the_connection(ctx: zmq.Context) -> None:
    """Every octet counts as traffic for the heartbeat, inside a large frame too.

    The peer sends a 1 MiB frame over about two seconds, longer than HEARTBEAT_TIMEOUT,
    in pieces. A receiver that awaited the body whole (SO_RCVLOWAT) would see no
    traffic meanwhile and drop a live peer. The pauses are the slow peer under test.
    """
    # A timeout well under the body's two seconds, and ten times the pauses between
    # its pieces, for a busy machine's stalls.
    pull, mon = _monitored_pull(ctx, 50, 1000)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    body = bytes(range(256)) * 4096  # 1 MiB
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.sendall(GREETING_NULL_31 + ready_command(b"PUSH"))
        events_until(mon, E.HANDSHAKE_SUCCEEDED)
        raw.sendall(b"\x02" + struct.pack(">Q", len(body)))  # a long, final frame
        pieces = 20
        step = len(body) // pieces
        for i in range(pieces):
            raw.sendall(body[i * step : (i + 1) * step if i < pieces - 1 else len(body)])
            time.sleep(0.1)
        assert pull.recv() == body
        # Still inside the block: once the peer's socket closes, DISCONNECTED is due.
        seen = [parse_monitor_message(mon.recv_multipart()) for _ in range(4) if mon.poll(0)]
        assert not seen, f"the connection was dropped while the body arrived: {seen}"
