"""A publisher that drops at a subscriber's HWM lets the I/O side catch up."""

from __future__ import annotations

import asyncio

import pytest

import purezmq as zmq
import purezmq.asyncio as azmq
from purezmq.core.sockets.xpub import STALLED_DROP_INTERVAL
from purezmq.sugar import socket as sync_socket
from tests.helpers.waiting import run


def _subscribed_pair(ctx: zmq.Context, name: str) -> tuple[zmq.Socket, zmq.Socket]:
    pub = ctx.socket(zmq.PUB)
    sub = ctx.socket(zmq.SUB)
    for sock in (pub, sub):
        sock.linger = 0
        sock.sndhwm = sock.rcvhwm = 1
    pub.bind(f"inproc://{name}")
    sub.connect(f"inproc://{name}")
    sub.subscribe(b"")
    return pub, sub


def test_sync_publisher_yields_once_per_stall(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first send a subscriber misses gives the GIL away; while it stays full the
    next drops do not, except once per STALLED_DROP_INTERVAL of the publisher's clock;
    once it drained, a new drop yields again."""
    yields: list[int] = []
    monkeypatch.setattr(sync_socket, "_yield_gil", lambda: yields.append(1))
    now = [0.0]
    ctx = zmq.Context()
    try:
        pub, sub = _subscribed_pair(ctx, "yield-sync")
        pub._core.drop_clock = lambda: now[0]
        pub.send(b"fits")  # inproc HWM 1 + 1: two messages fit, then drops begin
        pub.send(b"fits too")
        assert yields == []
        for _ in range(10_000):
            pub.send(b"dropped")
        assert len(yields) == 1
        assert pub._core.dropped == 10_000
        now[0] += STALLED_DROP_INTERVAL  # a subscriber that does not read: yield again
        pub.send(b"dropped")
        pub.send(b"dropped")
        assert len(yields) == 2
        assert sub.recv() == b"fits"
        assert sub.recv() == b"fits too"  # drained: the publisher hears of it
        pub.send(b"fits again")
        pub.send(b"fits again too")
        pub.send(b"dropped")
        assert len(yields) == 3
    finally:
        ctx.destroy(linger=0)


def test_asyncio_publisher_send_resolves_later_after_a_drop() -> None:
    """A send that a subscriber missed resolves one loop iteration later, not at once."""

    async def body() -> None:
        ctx = azmq.Context()
        try:
            pub, sub = _subscribed_pair(ctx, "yield-async")
            first = pub.send(b"fits")
            second = pub.send(b"fits too")
            assert first.done() and second.done()
            dropped = pub.send(b"dropped")
            assert not dropped.done()
            await asyncio.sleep(0)
            assert dropped.done()
            assert await sub.recv() == b"fits"
        finally:
            ctx.destroy(linger=0)

    run(body())
