"""Batching, counted (no timing): wake-ups must stay far fewer than messages.

DESIGN.md: the only cross-thread event is a wake-up on a transition, so under load a
whole batch crosses per wake-up. If that breaks (a wake per message), these fail.
"""

from __future__ import annotations

import gc

import pytest

import purezmq as zmq
from tests.conftest import bind

MESSAGES = 10_000
# A wake-up per 20 messages would already be a regression; batching gives far fewer.
MAX_WAKEUPS = MESSAGES // 20


@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
def test_wakeups_per_10000_messages(ctx: zmq.Context, ipc_dir: str, transport: str) -> None:
    """10 000 messages cross the pipes with at most one wake-up per 20 of them."""
    pull = ctx.socket(zmq.PULL)
    push = ctx.socket(zmq.PUSH)
    for sock in (pull, push):
        sock.linger = 0
        sock.sndhwm = sock.rcvhwm = 2 * MESSAGES
        sock.rcvtimeo = 10000
    push.connect(bind(pull, transport, ipc_dir))
    push.send(b"first")
    assert pull.recv() == b"first"  # connected: every pipe is in place
    before_push = push._core.statistics()
    before_pull = pull._core.statistics()
    for _ in range(MESSAGES):
        push.send(b"x" * 16)
    for _ in range(MESSAGES):
        assert pull.recv() == b"x" * 16
    push_stats = push._core.statistics()
    pull_stats = pull._core.statistics()
    # Wake-ups of the reader of what PUSH writes (its session, or PULL over inproc) ...
    sent_wakes = push_stats["out_reader_wakeups"] - before_push["out_reader_wakeups"]
    # ... and of PULL, the reader of what arrives.
    recv_wakes = pull_stats["in_reader_wakeups"] - before_pull["in_reader_wakeups"]
    assert sent_wakes <= MAX_WAKEUPS
    assert recv_wakes <= MAX_WAKEUPS


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_held_input_never_strands_the_reader(
    ctx: zmq.Context, ipc_dir: str, transport: str
) -> None:
    """A burst far bigger than one decode batch arrives whole: every message is received.

    The session decodes a batch at a time and the reader's thread takes the next one when
    it finds the pipe empty; a lost hand-off there leaves the reader asleep on held input.
    """
    pull = ctx.socket(zmq.PULL)
    push = ctx.socket(zmq.PUSH)
    for sock in (pull, push):
        sock.linger = 0
        sock.sndhwm = sock.rcvhwm = 0  # the whole burst is queued before the first recv
        sock.rcvtimeo = 10000
    push.connect(bind(pull, transport, ipc_dir))
    count = 60_000
    for _ in range(count):
        push.send(b"y" * 16)
    received = 0
    for _ in range(count):
        pull.recv()
        received += 1
    assert received == count


def _gen0_collections() -> int:
    return gc.get_stats()[0]["collections"]


@pytest.mark.parametrize("api", ["send", "send_multipart"])
def test_inproc_messages_cost_no_garbage_collections(ctx: zmq.Context, api: str) -> None:
    """Messages in flight allocate nothing the cyclic GC counts.

    A list per message set off a collection every 700 messages, each scanning the
    messages still queued; tuples come from CPython's free list. 10 000 messages in
    rounds of 1 000 (under the HWM) must not set off one per 700 of them.
    """
    pull = ctx.socket(zmq.PULL)
    push = ctx.socket(zmq.PUSH)
    pull.bind("inproc://gc-count")
    push.connect("inproc://gc-count")
    payload = b"x" * 16
    rounds, per_round = 10, 1000

    def one_round() -> None:
        if api == "send":
            for _ in range(per_round):
                push.send(payload)
            for _ in range(per_round):
                assert pull.recv(zmq.NOBLOCK) == payload
        else:
            for _ in range(per_round):
                push.send_multipart([b"topic", payload])
            for _ in range(per_round):
                assert pull.recv_multipart(zmq.NOBLOCK) == [b"topic", payload]

    one_round()  # fills the free list
    before = _gen0_collections()
    for _ in range(rounds):
        one_round()
    assert _gen0_collections() - before <= 2
