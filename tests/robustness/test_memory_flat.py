"""Resident memory stays flat while a socket is pushed hard for a long time.

Each test runs a warm-up phase (pipes at their HWM, allocator pools and caches
filled), reads the resident set size, then does ten times as much again and
reads it once more. The growth allowed is a fixed slack; each phase is sized so
that keeping what it sends, or one object per send, would exceed it many times.
No timing is measured: only memory and counts.
"""

from __future__ import annotations

import gc
import os
import sys

import pytest

import purezmq as zmq
from purezmq.engine.session import Session
from purezmq.engine.socket_engine import SocketEngine
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc/self/statm"
)

MiB = 1 << 20
SLACK = 16 * MiB
FILLER = b"m" * 1016


def _rss() -> int:
    """Resident set size in bytes, after a full collection."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def _message(n: int, size: int = 1024) -> bytes:
    """A fresh object per send, so a kept reference would keep its memory too."""
    return FILLER * (size // 1024) + n.to_bytes(8, "big")


def _settled_pipes(sock: zmq.Socket) -> int:
    sock.getsockopt(zmq.EVENTS)  # run pending commands (pipe attach / terminate)
    return sock._core.statistics()["pipes"]


def _live(kind: type) -> int:
    gc.collect()
    return sum(isinstance(obj, kind) for obj in gc.get_objects())


def test_publisher_to_a_subscriber_that_never_reads(ctx: zmq.Context) -> None:
    """20 000 messages of 10 KiB to a stalled SUB after warm-up: 200 MB if they were kept."""
    pub = ctx.socket(zmq.PUB)
    pub.linger = 0
    pub.sndhwm = 1000
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub = ctx.socket(zmq.SUB)
    sub.linger = 0
    sub.rcvhwm = 1000
    sub.subscribe(b"")
    sub.connect(f"tcp://127.0.0.1:{port}")
    # The subscription must be in: until then PUB drops everything on its own.
    wait_for(lambda: bool(pub.send(b"probe") or pub._core.subscriptions.prefixes()))

    def publish(count: int) -> int:
        """Publish `count` messages; return how many the stalled SUB missed."""
        dropped: int = pub._core.dropped
        for n in range(count):
            pub.send(_message(n, 10 * 1024))
        return int(pub._core.dropped) - dropped

    # Warm-up: once PUB drops, every queue downstream of it is full (SUB's pipe, its
    # session's backlog, both kernel buffers); then as much again for the allocator.
    wait_for(lambda: publish(100) > 0)
    publish(2_000)
    before = _rss()
    dropped = publish(20_000)
    grown = _rss() - before
    assert grown < SLACK, f"resident memory grew by {grown / MiB:.1f} MiB"
    assert pub._core.statistics()["queued_out"] <= 1000
    assert dropped >= 20_000 - 1000  # the stalled SUB missed nearly all


def test_push_to_a_stalled_pull_failing_with_again(ctx: zmq.Context) -> None:
    """200 000 NOBLOCK sends of 1 KiB refused with Again after warm-up: nothing accumulates.

    Keeping 100 bytes per refused send would already be 20 MB.
    """
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvhwm = 1000
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.sndhwm = 1000
    push.connect(f"tcp://127.0.0.1:{port}")

    def flood(first: int, count: int) -> int:
        refused = 0
        for n in range(first, first + count):
            try:
                push.send(_message(n), zmq.NOBLOCK)
            except zmq.Again:
                refused += 1
        return refused

    # Every queue on the way full, the kernel's buffers included: they grow (TCP
    # autotuning) for a while after the first refusals, so wait for a long refusal run.
    wait_for(lambda: flood(0, 20_000) == 20_000)
    before = _rss()
    refused = flood(0, 200_000)
    grown = _rss() - before
    # A few get through: the kernel grows its TCP buffers (autotuning) as they stay full.
    assert refused > 190_000
    assert grown < SLACK, f"resident memory grew by {grown / MiB:.1f} MiB"
    pull.getsockopt(zmq.EVENTS)
    assert push._core.statistics()["queued_out"] <= 1000
    assert pull._core.statistics()["queued_in"] <= 1000


CHURN_WARMUP = 200
CHURN = 2_000
CHURN_SLACK = 4 * MiB


def test_connection_churn_on_a_router(ctx: zmq.Context) -> None:
    """2 000 DEALERs connect, ask, get an answer and close, one after the other.

    The ROUTER ends with no pipe, session or routing id left, the process with no
    socket engine or session left over, and resident memory flat. A closed
    socket's engine (its options, pipes, connecters) is several KiB: keeping
    each one would be over 10 MiB here.
    """
    router = ctx.socket(zmq.ROUTER)
    router.linger = 0
    router.rcvtimeo = 5000
    port = router.bind_to_random_port("tcp://127.0.0.1")

    def churn(count: int) -> None:
        for n in range(count):
            dealer = ctx.socket(zmq.DEALER)
            dealer.linger = 0
            dealer.rcvtimeo = 5000
            dealer.connect(f"tcp://127.0.0.1:{port}")
            dealer.send(_message(n))
            routing_id, request = router.recv_multipart()
            router.send_multipart([routing_id, request[-8:]])
            assert dealer.recv() == n.to_bytes(8, "big")
            dealer.close()

    churn(CHURN_WARMUP)
    before = _rss()
    churn(CHURN)
    wait_for(lambda: _settled_pipes(router) == 0 and not router._engine.sessions)
    grown = _rss() - before
    assert grown < CHURN_SLACK, f"resident memory grew by {grown / MiB:.1f} MiB"
    assert not router._core.out_pipes
    # What is left: the ROUTER's engine, and the last DEALERs' still winding down.
    assert _live(SocketEngine) < 20
    assert _live(Session) < 20
