"""Closing a socket whose peer has stopped reading.

The PUSH's connection is stalled: its kernel buffers and the transport's buffer
are full and writing is paused. zmq_setsockopt(3) on LINGER: 0 discards what is
still queued at once, a positive value waits at most that long, -1 waits until
everything is delivered. libzmq's term() returns accordingly; so must ours. The
peer lives in its own Context so that terminating the PUSH's does not close it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

import purezmq as zmq
from tests.helpers.waiting import wait_for

MESSAGE = b"s" * 100_000
ROUNDS = 20


class Stalled:
    """A PULL that does not read (RCVHWM 1), and a PUSH flooding it until writing pauses."""

    def __init__(self, peer_ctx: zmq.Context, ctx: zmq.Context) -> None:
        self.pull = peer_ctx.socket(zmq.PULL)
        self.pull.linger = 0
        self.pull.rcvhwm = 1
        port = self.pull.bind_to_random_port("tcp://127.0.0.1")
        self.push = ctx.socket(zmq.PUSH)
        self.push.sndhwm = 20
        self.push.connect(f"tcp://127.0.0.1:{port}")
        self.sent = 0
        wait_for(self._paused)

    def _paused(self) -> bool:
        try:
            while True:
                self.push.send(b"%d " % self.sent + MESSAGE, zmq.NOBLOCK)
                self.sent += 1
        except zmq.Again:
            pass
        return any(session.writing_paused for session in self.push._engine.sessions)


@pytest.fixture
def peer_ctx() -> Iterator[zmq.Context]:
    """The stalled peer's Context. Destroying it ends the connection: a term() that hung
    in a failed test then returns."""
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


def _terminate(ctx: zmq.Context) -> threading.Thread:
    """Run ctx.term() in a thread (it may hang: that is what is being tested)."""
    thread = threading.Thread(target=ctx.term, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("linger", [0, 200])
def test_linger_bounds_close_when_the_peer_stalls(peer_ctx: zmq.Context, linger: int) -> None:
    """close(linger=0 or 200 ms) then term(): term returns though the peer never reads."""
    ours = zmq.Context()
    stalled = Stalled(peer_ctx, ours)
    stalled.push.close(linger=linger)
    terminating = _terminate(ours)
    terminating.join(5)  # LINGER is 0.2 s at most; libzmq returns in time
    assert not terminating.is_alive(), "term() still waits for a peer that does not read"


def test_linger_forever_delivers_everything_once_the_peer_reads(
    peer_ctx: zmq.Context, loop_errors: list[str]
) -> None:
    """close(linger=-1): term() waits; when the peer reads, every message arrives, in order.

    The connection then ends while asyncio is resuming its writes, which must not
    make asyncio report connection_lost twice (CPython gh-156512). Several rounds:
    that moment is not certain in any one of them.
    """
    for _ in range(ROUNDS):
        ours = zmq.Context()
        stalled = Stalled(peer_ctx, ours)
        stalled.push.close(linger=-1)
        terminating = _terminate(ours)
        stalled.pull.rcvtimeo = 5000
        for n in range(stalled.sent):
            assert stalled.pull.recv() == b"%d " % n + MESSAGE
        terminating.join(5)
        assert not terminating.is_alive()
        stalled.pull.close()
    assert loop_errors == []
