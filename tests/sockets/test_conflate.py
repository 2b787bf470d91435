"""CONFLATE (zmq_setsockopt(3)): a queue that keeps only the newest message."""

from __future__ import annotations

import pytest

import purezmq as zmq
from tests.conftest import bind
from tests.helpers.waiting import wait_for


@pytest.mark.parametrize("transport", ["inproc", "tcp", "ipc"])
def test_conflating_receiver_keeps_only_the_last_message(
    ctx: zmq.Context, ipc_dir: str, transport: str
) -> None:
    """A PULL with CONFLATE that reads late gets the newest message only."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.conflate = 1
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.connect(bind(pull, transport, ipc_dir))
    push.send(b"probe")
    assert pull.recv() == b"probe"  # connected
    for n in range(100):
        push.send(b"%d" % n)
    # Wait until the newest has arrived (the queue then holds it alone).
    last: list[bytes] = []

    def newest_arrived() -> bool:
        if pull.poll(10):
            last.append(pull.recv())
        return bool(last) and last[-1] == b"99"

    wait_for(newest_arrived)
    assert len(last) < 100  # conflation dropped the older ones
    assert pull.poll(100) == 0  # and nothing older is queued behind the newest


def test_conflating_sender_keeps_only_the_last_message(ctx: zmq.Context) -> None:
    """A PUSH with CONFLATE and no peer yet holds only its newest message."""
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.conflate = 1
    push.connect("inproc://conflate-late")
    for n in range(10):
        push.send(b"%d" % n, zmq.NOBLOCK)  # never blocks: the HWM is ignored
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = 5000
    pull.bind("inproc://conflate-late")
    assert pull.recv() == b"9"
    assert pull.poll(100) == 0
