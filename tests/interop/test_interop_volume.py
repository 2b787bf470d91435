"""Large messages and many messages, purezmq -> libzmq and libzmq -> purezmq."""

from __future__ import annotations

import functools
import os
from typing import Any

import pytest
import zmq as pyzmq

import purezmq

from .support import LIB, PURE, TRANSPORTS, Sockets

pytestmark = pytest.mark.interop

MiB = 1024 * 1024
MANY = 5000
DIRECTIONS = [(PURE, LIB), (LIB, PURE)]
DIRECTION_IDS = [f"{a}_to_{b}" for a, b in DIRECTIONS]


@functools.cache
def payload(size: int) -> bytes:
    """Random bytes (no repeating pattern, so a misplaced chunk is caught)."""
    return os.urandom(size)


def _push_pull(sockets: Sockets, sender: str, receiver: str, transport: str) -> tuple[Any, Any]:
    push = sockets.make(sender, "PUSH")
    pull = sockets.make(receiver, "PULL")
    push.connect(sockets.bind(pull, transport))
    return push, pull


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("sender", "receiver"), DIRECTIONS, ids=DIRECTION_IDS)
def test_large_messages(sockets: Sockets, sender: str, receiver: str, transport: str) -> None:
    """An 8 MiB frame, a multipart message with a 3 MiB frame, and frame-size edges."""
    push, pull = _push_pull(sockets, sender, receiver, transport)
    single = [payload(8 * MiB)]
    multipart = [b"head", b"", payload(3 * MiB), b"tail"]
    # 255/256 octets: the short/long frame boundary; 65536: past any small buffer.
    edges = [payload(n) for n in (0, 1, 255, 256, 65535, 65536)]
    for msg in (single, multipart, edges, single):
        push.send_multipart(msg)
    for msg in (single, multipart, edges, single):
        got = pull.recv_multipart()
        assert [len(f) for f in got] == [len(f) for f in msg]
        assert got == msg


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("sender", "receiver"), DIRECTIONS, ids=DIRECTION_IDS)
def test_many_messages_in_order(
    sockets: Sockets, sender: str, receiver: str, transport: str
) -> None:
    """5 000 small messages arrive complete and in order, with the default HWMs.

    One thread plays both ends: it sends without blocking and, whenever the
    sender is held back by its HWM, receives one message to make room.
    """
    push, pull = _push_pull(sockets, sender, receiver, transport)
    again = (pyzmq.Again, purezmq.Again)
    # Every tenth message is multipart, with an empty frame.
    expected = [[b"%d" % i] if i % 10 else [b"%d" % i, b"", b"tenth"] for i in range(MANY)]
    received: list[list[bytes]] = []
    push.send_multipart(expected[0])  # blocking: waits for the connection
    n = 1
    while n < MANY:
        try:
            push.send_multipart(expected[n], flags=pyzmq.NOBLOCK)
            n += 1
        except again:
            received.append(pull.recv_multipart())
    while len(received) < MANY:
        received.append(pull.recv_multipart())
    assert len(received) == MANY
    assert received == expected
    with pytest.raises(again):
        pull.recv_multipart(flags=pyzmq.NOBLOCK)
