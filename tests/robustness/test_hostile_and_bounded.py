"""A start on the fault suite: random peers, and queues that stay bounded."""

from __future__ import annotations

import random
import socket

import purezmq as zmq
from tests.engine.test_session import GREETING_NULL_31, ready_command
from tests.helpers.waiting import wait_for


def _garbage(rng: random.Random) -> bytes:
    """Random bytes, sometimes after a valid greeting (and READY) to reach deeper states."""
    noise = rng.randbytes(rng.randrange(1, 300))
    prefix = rng.choice([b"", GREETING_NULL_31, GREETING_NULL_31 + ready_command(b"PUSH")])
    return prefix + noise


def test_random_peers_never_hurt_the_socket(ctx: zmq.Context) -> None:
    """300 connections sending random bytes; the socket then still serves a good peer.

    Only complete, well-formed messages may arrive: a random peer that happens to send
    valid frames delivers whole messages, never parts.
    """
    rng = random.Random(20261128)
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = 5000
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    for _ in range(300):
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(_garbage(rng))
    while pull.poll(50):
        assert isinstance(pull.recv_multipart(), list)
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.connect(f"tcp://127.0.0.1:{port}")
    push.send(b"still serving")
    assert pull.recv() == b"still serving"


def test_publisher_queue_to_a_stalled_subscriber_stays_bounded(ctx: zmq.Context) -> None:
    """PUB to a SUB that never reads: 50 000 sends never block and the queues stay under HWM."""
    pub = ctx.socket(zmq.PUB)
    pub.linger = 0
    pub.sndhwm = 100
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub = ctx.socket(zmq.SUB)
    sub.linger = 0
    sub.rcvhwm = 100
    sub.subscribe(b"")
    sub.connect(f"tcp://127.0.0.1:{port}")
    wait_for(lambda: pub.poll(0, zmq.POLLOUT) and pub._core.statistics()["pipes"] == 1)
    # Wait for the subscription itself: until then PUB drops everything anyway.
    wait_for(lambda: bool(pub.send(b"probe") or pub._core.subscriptions.prefixes()))
    for _ in range(50_000):
        pub.send(b"x" * 100)
    sub.getsockopt(zmq.EVENTS)  # lets the SUB adopt its pipe, so it can be measured
    assert pub._core.statistics()["queued_out"] <= 100
    assert sub._core.statistics()["queued_in"] <= 100
    assert pub._core.dropped > 0  # the stalled subscriber missed messages, as RFC 29 says


def test_push_to_a_stalled_pull_blocks_instead_of_growing(ctx: zmq.Context) -> None:
    """PUSH to a PULL that never reads: NOBLOCK sends stop with Again at a bounded count."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvhwm = 50
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.sndhwm = 50
    push.connect(f"tcp://127.0.0.1:{port}")
    push.send(b"probe")
    pull.rcvtimeo = 5000
    assert pull.recv() == b"probe"  # connected both ways before the flood
    sent = 0

    def stalled() -> bool:
        nonlocal sent
        try:
            while True:
                push.send(b"y" * 1000, zmq.NOBLOCK)
                sent += 1
        except zmq.Again:
            return sent > 0

    wait_for(stalled)
    # The kernel's socket buffers hold some too; the pipes never exceed their HWMs.
    pull.getsockopt(zmq.EVENTS)  # lets the PULL adopt its pipe, so it can be measured
    assert push._core.statistics()["queued_out"] <= 50
    assert pull._core.statistics()["queued_in"] <= 50
    assert sent < 100_000
