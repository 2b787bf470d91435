"""Incompatible peers (RFC 37's Socket-Type table) are refused on both sides.

libzmq's side is observed through its monitor (the connection ends, the
handshake never succeeds); purezmq's
through a libzmq peer that must keep working beside the refused one, and through
a hand-written peer whose connection purezmq must close.
"""

from __future__ import annotations

from typing import Any

import pytest
import zmq as pyzmq

import purezmq

from .support import (
    PURE,
    TRANSPORTS,
    RawPeer,
    Sockets,
    armed_monitor,
    monitor_events,
    raw_greeting,
    raw_ready,
    try_send,
)

pytestmark = pytest.mark.interop

# How libzmq reports a refused peer depends on which side hung up first: between
# two libzmq sockets of incompatible types it is a plain DISCONNECTED.
REFUSED = {
    pyzmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
    pyzmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
    pyzmq.EVENT_DISCONNECTED,
}
AGAIN = (pyzmq.Again, purezmq.Again)
SENDERS = {"PUSH", "DEALER", "REQ", "PAIR"}

# (purezmq type, libzmq type): no two of these may talk.
INCOMPATIBLE = [
    ("PUSH", "PUSH"),
    ("PUSH", "REP"),
    ("DEALER", "PULL"),
    ("REQ", "DEALER"),
    ("PAIR", "ROUTER"),
    ("SUB", "PULL"),
]


def _no_message(sock: Any) -> bool:
    try:
        sock.recv_multipart(pyzmq.NOBLOCK)
    except AGAIN:
        return True
    return False


@pytest.mark.parametrize("pure_binds", [False, True], ids=["lib_binds", "pure_binds"])
@pytest.mark.parametrize(
    ("pure_type", "lib_type"),
    INCOMPATIBLE,
    ids=[f"{p}_purezmq-{q}_libzmq" for p, q in INCOMPATIBLE],
)
def test_libzmq_refuses_incompatible_purezmq_peer(
    sockets: Sockets, pure_type: str, lib_type: str, pure_binds: bool
) -> None:
    """libzmq never completes a handshake with purezmq's announced type: nothing is delivered."""
    pure = sockets.make(PURE, pure_type)
    lib = sockets.make("libzmq", lib_type)
    monitor = armed_monitor(lib)
    if pure_binds:
        sockets.connect_pair(pure, lib, "tcp")
    else:
        sockets.connect_pair(lib, pure, "tcp")
    if pure_type in SENDERS:
        try_send(pure, b"must not arrive")
    seen = monitor_events(monitor, REFUSED)
    assert pyzmq.EVENT_HANDSHAKE_SUCCEEDED not in seen
    if lib_type in {"REP", "PULL", "DEALER", "ROUTER", "PAIR"}:
        assert _no_message(lib)
    if pure_type in {"SUB", "PULL", "PAIR", "DEALER"}:
        assert _no_message(pure)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("bad_type", ["PULL", "DEALER", "REQ", "PUB"])
def test_purezmq_pull_ignores_libzmq_peer_of_wrong_type(
    sockets: Sockets, bad_type: str, transport: str
) -> None:
    """A bound purezmq PULL: the PUSH's messages arrive, the wrong peer's never do."""
    pull = sockets.make(PURE, "PULL")
    endpoint = sockets.bind(pull, transport)
    bad = sockets.make("libzmq", bad_type)
    monitor = armed_monitor(bad)
    bad.connect(endpoint)
    push = sockets.make("libzmq", "PUSH")
    push.connect(endpoint)
    if bad_type in SENDERS or bad_type == "PUB":
        try_send(bad, b"bad")  # DEALER and REQ queue it on their connect pipe
    seen = monitor_events(monitor, REFUSED)
    assert pyzmq.EVENT_HANDSHAKE_SUCCEEDED not in seen

    for n in range(10):
        push.send_multipart([b"good", b"%d" % n])
    assert [pull.recv_multipart() for _ in range(10)] == [[b"good", b"%d" % n] for n in range(10)]
    assert _no_message(pull)

    # Nothing broke: the listener still accepts, the first PUSH still delivers.
    late = sockets.make("libzmq", "PUSH")
    late.connect(endpoint)
    late.send(b"late")
    push.send(b"after")
    assert sorted(pull.recv() for _ in range(2)) == [b"after", b"late"]
    assert _no_message(pull)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    "bad_type", [b"DEALER", b"PULL", b"BOGUS", b""], ids=lambda t: t.decode() or "empty"
)
def test_purezmq_closes_raw_peer_of_wrong_type(
    sockets: Sockets, bad_type: bytes, transport: str
) -> None:
    """A hand-written peer announcing a wrong Socket-Type is disconnected; its data dropped."""
    pull = sockets.make(PURE, "PULL")
    endpoint = sockets.bind(pull, transport)
    push = sockets.make("libzmq", "PUSH")
    push.connect(endpoint)
    raw = RawPeer(endpoint)
    try:
        raw.send(raw_greeting((3, 1)))
        raw.read_exact(64)
        # READY, then a message straight away: it must never reach the application.
        raw.send(raw_ready(bad_type) + b"\x00\x03bad")
        assert raw.closed_by_peer(), "purezmq kept the connection of an incompatible peer"
    finally:
        raw.close()
    push.send(b"marker")
    assert pull.recv_multipart() == [b"marker"]
    assert _no_message(pull)
