"""Subscriptions across the two libraries, and from a hand-written ZMTP 3.0/3.1 peer.

libzmq cannot be made to speak ZMTP 3.0, so the older peer is a plain socket
(``RawPeer``) whose bytes are written here from RFC 23 and RFC 37.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from .support import (
    DEADLINE,
    LIB,
    LIBS,
    PURE,
    TRANSPORTS,
    RawPeer,
    Sockets,
    other,
    publish_until_received,
    raw_frame,
    recv_pumping,
    recv_until,
)

pytestmark = pytest.mark.interop

# (subscriber library, subscriber type): the publisher is the other library's PUB.
# An XSUB does not filter what it receives (libzmq and RFC 29), so with an XSUB
# subscriber any filtering seen was done by the publisher.
SUBSCRIBERS = [(PURE, "SUB"), (LIB, "SUB"), (PURE, "XSUB"), (LIB, "XSUB")]


def _subscribe(sock: Any, topic: bytes) -> None:
    if sock.type == 2:  # SUB in both libraries
        sock.subscribe(topic)
    else:
        sock.send(b"\x01" + topic)


def _unsubscribe(sock: Any, topic: bytes) -> None:
    if sock.type == 2:
        sock.unsubscribe(topic)
    else:
        sock.send(b"\x00" + topic)


def _publisher_and_subscriber(
    sockets: Sockets, sub_lib: str, sub_type: str, transport: str
) -> tuple[Any, Any]:
    pub = sockets.make(other(sub_lib), "PUB")
    sub = sockets.make(sub_lib, sub_type)
    sub.connect(sockets.bind(pub, transport))
    return pub, sub


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("sub_lib", "sub_type"), SUBSCRIBERS, ids=[f"{t}_{lib}" for lib, t in SUBSCRIBERS]
)
def test_prefix_filter(sockets: Sockets, sub_lib: str, sub_type: str, transport: str) -> None:
    """Only messages whose first frame starts with a subscribed topic are delivered."""
    pub, sub = _publisher_and_subscriber(sockets, sub_lib, sub_type, transport)
    _subscribe(sub, b"weather")
    sync = [b"weather", b"sync"]
    # Each round sends a non-matching message first: if it were delivered, it
    # would be the first thing received.
    first = publish_until_received(pub, sub, [[b"sports", b"no"], sync])
    assert first == sync
    for msg in ([b"weathe"], [b"Weather"], [b"sports"], [b"weatherman", b""], [b"weather-end"]):
        pub.send_multipart(msg)
    received = [m for m in recv_until(sub, lambda m: m == [b"weather-end"]) if m != sync]
    assert received == [[b"weatherman", b""], [b"weather-end"]]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("sub_lib", "sub_type"), SUBSCRIBERS, ids=[f"{t}_{lib}" for lib, t in SUBSCRIBERS]
)
def test_unsubscribe_stops_delivery(
    sockets: Sockets, sub_lib: str, sub_type: str, transport: str
) -> None:
    """After cancel(a) + subscribe(b) reach the publisher, nothing for a arrives."""
    pub, sub = _publisher_and_subscriber(sockets, sub_lib, sub_type, transport)
    _subscribe(sub, b"a")
    assert publish_until_received(pub, sub, [[b"a-sync"]]) == [b"a-sync"]
    _unsubscribe(sub, b"a")
    _subscribe(sub, b"b")
    # Both changes travel in order on one connection: once a "b" message is
    # delivered, the cancel of "a" has been applied too.
    end = time.monotonic() + DEADLINE
    while True:
        pub.send_multipart([b"a-late"])
        pub.send_multipart([b"b-sync"])
        if sub.poll(10):
            msg = sub.recv_multipart()
            if msg == [b"b-sync"]:
                break
            assert msg in ([b"a-sync"], [b"a-late"]), msg
        assert time.monotonic() < end, "the new subscription never took effect"
    pub.send_multipart([b"a-after"])
    pub.send_multipart([b"b-end"])
    received = recv_until(sub, lambda m: m == [b"b-end"])
    assert [b"a-after"] not in received
    assert all(m[0].startswith(b"b") for m in received), received


@pytest.mark.parametrize("how", ["unsubscribe", "close"])
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("xpub_lib", LIBS, ids=lambda lib: f"XPUB_{lib}")
def test_xpub_sees_subscriptions(sockets: Sockets, xpub_lib: str, transport: str, how: str) -> None:
    """XPUB receives b"\\x01topic" from the other library's SUB, then b"\\x00topic"."""
    xpub = sockets.make(xpub_lib, "XPUB")
    sub = sockets.make(other(xpub_lib), "SUB")
    sub.connect(sockets.bind(xpub, transport))
    sub.subscribe(b"topic")
    assert recv_pumping(xpub, sub) == [b"\x01topic"]
    xpub.send_multipart([b"topic", b"", b"body"])
    assert sub.recv_multipart() == [b"topic", b"", b"body"]
    if how == "unsubscribe":
        sub.unsubscribe(b"topic")
    else:
        sub.close(linger=0)  # a subscriber gone cancels its subscriptions
    assert xpub.recv_multipart() == [b"\x00topic"]


# ------------------------------------------------------------- raw ZMTP peer


def _subscription(version: tuple[int, int], topic: bytes, cancel: bool = False) -> bytes:
    """ZMTP 3.0: a data message \\x01topic / \\x00topic; 3.1: SUBSCRIBE / CANCEL commands."""
    if version == (3, 0):
        return raw_frame((b"\x00" if cancel else b"\x01") + topic)
    name = b"\x06CANCEL" if cancel else b"\x09SUBSCRIBE"
    return raw_frame(name + topic, command=True)


def _raw_receive_until_sync(pub: Any, raw: RawPeer, rounds: list[list[bytes]]) -> list[bytes]:
    """Publish ``rounds`` repeatedly until the raw peer has data; its first message."""
    end = time.monotonic() + DEADLINE
    while not raw.has_data(0.01):
        assert time.monotonic() < end, "the raw subscriber received nothing"
        for msg in rounds:
            pub.send_multipart(msg)
    return raw.read_message()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("version", [(3, 0), (3, 1)], ids=["zmtp30", "zmtp31"])
def test_raw_subscriber(sockets: Sockets, version: tuple[int, int], transport: str) -> None:
    """A hand-written SUB peer: purezmq's PUB honours its subscriptions and cancels.

    ZMTP 3.0 (RFC 23) sends subscriptions as data messages starting with 0x01/0x00;
    ZMTP 3.1 (RFC 37) as SUBSCRIBE/CANCEL commands.
    """
    pub = sockets.make(PURE, "PUB")
    raw = RawPeer(sockets.bind(pub, transport))
    try:
        greeting, properties = raw.handshake(b"SUB", version)
        assert greeting[:10] == b"\xff" + bytes(8) + b"\x7f"
        assert greeting[10] == 3  # major version
        assert greeting[12:32].rstrip(b"\x00") == b"NULL"
        assert properties[b"socket-type"] == b"PUB"

        raw.send(_subscription(version, b"topic"))
        first = _raw_receive_until_sync(pub, raw, [[b"other"], [b"topic", b"", b"1"]])
        assert first == [b"topic", b"", b"1"]

        raw.send(_subscription(version, b"topic", cancel=True))
        raw.send(_subscription(version, b"second"))
        msg = _raw_receive_until_sync(pub, raw, [[b"topic-late"], [b"second-sync"]])
        while msg != [b"second-sync"]:
            assert msg[0].startswith(b"topic"), msg
            msg = raw.read_message()
        pub.send_multipart([b"topic-after"])
        pub.send_multipart([b"second-end"])
        received = [raw.read_message()]
        while received[-1] != [b"second-end"]:
            received.append(raw.read_message())
        assert all(m[0].startswith(b"second") for m in received), received
    finally:
        raw.close()


@pytest.mark.parametrize("version", [(3, 0), (3, 1)], ids=["zmtp30", "zmtp31"])
def test_raw_subscriber_seen_by_xpub(sockets: Sockets, version: tuple[int, int]) -> None:
    """purezmq's XPUB hands a raw peer's subscription and cancel to the application."""
    xpub = sockets.make(PURE, "XPUB")
    raw = RawPeer(sockets.bind(xpub, "tcp"))
    try:
        _, properties = raw.handshake(b"SUB", version)
        assert properties[b"socket-type"] == b"XPUB"
        raw.send(_subscription(version, b"topic"))
        assert xpub.recv_multipart() == [b"\x01topic"]
        xpub.send_multipart([b"topic", b"x"])
        assert raw.read_message() == [b"topic", b"x"]
        raw.send(_subscription(version, b"topic", cancel=True))
        assert xpub.recv_multipart() == [b"\x00topic"]
    finally:
        raw.close()


@pytest.mark.parametrize("sub_type", ["SUB", "XSUB"])
@pytest.mark.parametrize("version", [(3, 0), (3, 1)], ids=["zmtp30", "zmtp31"])
def test_raw_publisher_receives_subscriptions(
    sockets: Sockets, version: tuple[int, int], sub_type: str
) -> None:
    """purezmq's SUB/XSUB subscribes a hand-written PUB peer the way its version expects.

    To a ZMTP 3.0 peer a subscription is a data message \\x01topic (RFC 23); to a
    3.1 peer it is a SUBSCRIBE command (RFC 37). Either way the PUB's messages
    then arrive.
    """
    sub = sockets.make(PURE, sub_type)
    raw = RawPeer(sockets.bind(sub, "tcp"))
    try:
        _, properties = raw.handshake(b"PUB", version)
        assert properties[b"socket-type"] == sub_type.encode()
        _subscribe(sub, b"topic")
        end = time.monotonic() + DEADLINE
        while not raw.has_data(0.01):  # the SUB attaches the connection when polled
            sub.poll(0)
            assert time.monotonic() < end, "no subscription reached the raw publisher"
        flags, body = raw.read_frame()
        if version == (3, 0):
            assert (flags, body) == (0, b"\x01topic")
        else:
            assert (flags, body) == (0x04, b"\x09SUBSCRIBE" + b"topic")
        raw.send(raw_frame(b"topic", more=True) + raw_frame(b"body"))
        assert sub.recv_multipart() == [b"topic", b"body"]
        _unsubscribe(sub, b"topic")
        flags, body = raw.read_frame()
        if version == (3, 0):
            assert (flags, body) == (0, b"\x00topic")
        else:
            assert (flags, body) == (0x04, b"\x06CANCEL" + b"topic")
    finally:
        raw.close()
