"""What a connection makes of a peer's bytes, case by case, at every split.

Each case is the peer's handshake followed by RFC 37 traffic; it runs whole,
byte by byte and cut at random places, and must give the same events each way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from purezmq.zmtp import (
    NEED_DATA,
    Cancel,
    ConnectionClosed,
    HandshakeComplete,
    PeerError,
    Ping,
    Pong,
    Received,
    State,
    Subscribe,
    ZmtpConnection,
)
from tests.helpers.messages import as_lists
from tests.helpers.peer_pair import (
    SPLIT_MODES,
    command,
    feed,
    feed_in,
    frame,
    greeting,
    handshake,
    ready,
)

RFC_DEALER_READY = (
    b"\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00"
)


@dataclass
class Case:
    """Our socket type, the peer's traffic after its handshake, the events expected."""

    name: str
    ours: str
    peer: str
    traffic: bytes
    expected: list[Received]
    eof: bool = False
    version: tuple[int, int] = (3, 1)
    sent: bytes = b""  # what we must have queued in reply (after our handshake)
    ids: list[str] = field(default_factory=list)


PING = command(b"PING", b"\x00\x64abc")

CASES = [
    Case("short frame", "PULL", "PUSH", frame(b"hello"), [[b"hello"]]),
    Case("empty frame", "PULL", "PUSH", frame(b""), [[b""]]),
    Case("255 octets", "PULL", "PUSH", frame(b"a" * 255), [[b"a" * 255]]),
    Case("256 octets, long", "PULL", "PUSH", frame(b"b" * 256), [[b"b" * 256]]),
    Case("long form, 5 octets", "PULL", "PUSH", frame(b"short", long=True), [[b"short"]]),
    Case(
        "multipart",
        "DEALER",
        "ROUTER",
        frame(b"", more=True) + frame(b"c" * 300, more=True) + frame(b"end"),
        [[b"", b"c" * 300, b"end"]],
    ),
    Case(
        "two messages",
        "PAIR",
        "PAIR",
        frame(b"1") + frame(b"2", more=True) + frame(b"3"),
        [[b"1"], [b"2", b"3"]],
    ),
    Case("reserved flag bits ignored", "PULL", "PUSH", b"\xf8\x02hi", [[b"hi"]]),
    # A whole message alone in the buffer takes the latency path, with one after it the
    # general loop: both read MORE from bit 0 only.
    Case("reserved bits, multipart", "DEALER", "DEALER", b"\xf9\x01a\xf8\x01b", [[b"a", b"b"]]),
    Case(
        "reserved bits, multipart, then one more",
        "DEALER",
        "DEALER",
        b"\xf9\x01a\xf8\x01b" + frame(b"c"),
        [[b"a", b"b"], [b"c"]],
    ),
    Case("SUBSCRIBE", "XPUB", "SUB", command(b"SUBSCRIBE", b"topic"), [Subscribe(b"topic")]),
    Case("SUBSCRIBE all", "PUB", "XSUB", command(b"SUBSCRIBE"), [Subscribe(b"")]),
    Case("CANCEL", "PUB", "SUB", command(b"CANCEL", b"topic"), [Cancel(b"topic")]),
    Case(
        "PING is answered",
        "PUSH",
        "PULL",
        PING,
        [Ping(100, b"abc")],
        sent=command(b"PONG", b"abc"),
    ),
    Case("PONG", "PUSH", "PULL", command(b"PONG", b"ctx"), [Pong(b"ctx")]),
    Case(
        "ERROR closes",
        "PUSH",
        "PULL",
        command(b"ERROR", b"\x04oops") + frame(b"ignored"),
        [PeerError("oops"), ConnectionClosed()],
    ),
    Case("unknown command dropped", "PULL", "PUSH", command(b"FOO", b"x") + frame(b"m"), [[b"m"]]),
    Case("READY after handshake dropped", "PULL", "PUSH", ready("PUSH") + frame(b"m"), [[b"m"]]),
    Case("malformed command dropped", "PULL", "PUSH", frame(b"\x09AB", command=True), []),
    Case(
        "PING between frames",
        "DEALER",
        "DEALER",
        frame(b"a", more=True) + PING + frame(b"b"),
        [Ping(100, b"abc"), [b"a", b"b"]],
        sent=command(b"PONG", b"abc"),
    ),
    Case(
        "3.0 subscription messages to XPUB",
        "XPUB",
        "SUB",
        frame(b"\x01news") + frame(b"\x00news") + frame(b"\x01"),
        [Subscribe(b"news"), Cancel(b"news"), Subscribe(b"")],
        version=(3, 0),
    ),
    Case(
        "3.0 form accepted from a 3.1 peer by PUB",
        "PUB",
        "XSUB",
        frame(b"\x01a") + frame(b"plain") + frame(b""),
        [Subscribe(b"a"), [b"plain"], [b""]],
    ),
    Case(
        "multipart subscription message",
        "XPUB",
        "XSUB",
        frame(b"\x01a", more=True) + frame(b"\x00b", more=True) + frame(b"zz"),
        [Subscribe(b"a"), Cancel(b"b")],
    ),
    Case(
        "subscription-looking data to SUB is data",
        "SUB",
        "PUB",
        frame(b"\x01abc") + frame(b"\x00"),
        [[b"\x01abc"], [b"\x00"]],
    ),
    Case("EOF", "PULL", "PUSH", frame(b"x"), [[b"x"], ConnectionClosed()], eof=True),
    Case(
        "EOF mid message drops it",
        "PULL",
        "PUSH",
        frame(b"first") + frame(b"a", more=True) + frame(b"b", more=True),
        [[b"first"], ConnectionClosed()],
        eof=True,
    ),
    Case(
        "EOF mid frame drops it",
        "PULL",
        "PUSH",
        frame(b"y" * 300)[:100],
        [ConnectionClosed()],
        eof=True,
    ),
]


@pytest.mark.parametrize("mode", SPLIT_MODES)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_incoming(case: Case, mode: str) -> None:
    """Every split of the same octets gives the same events."""
    conn = ZmtpConnection(case.ours)
    ours = conn.data_to_send()
    events, error = feed_in(
        conn, handshake(case.peer, case.version) + case.traffic, mode, eof=case.eof
    )
    assert error is None
    assert events[0] == HandshakeComplete(case.version, {"Socket-Type": case.peer.encode()})
    assert as_lists(events[1:]) == case.expected
    sent = conn.data_to_send()
    assert ours[:64] == greeting()
    assert sent == ready_of(case.ours) + case.sent


def ready_of(socket_type: str) -> bytes:
    """The READY we send as `socket_type` with an empty identity."""
    extra = {"Identity": b""} if socket_type in ("REQ", "DEALER", "ROUTER") else None
    return ready(socket_type, extra)


@pytest.mark.parametrize("mode", SPLIT_MODES)
def test_worked_example_handshake(mode: str) -> None:
    """RFC 37 worked example: a ROUTER receives the DEALER's READY."""
    conn = ZmtpConnection("ROUTER")
    events, error = feed_in(conn, greeting() + RFC_DEALER_READY, mode)
    assert error is None
    assert events == [HandshakeComplete((3, 1), {"Socket-Type": b"DEALER", "Identity": b""})]
    assert conn.peer_socket_type == "DEALER"
    assert conn.peer_properties == {"Socket-Type": b"DEALER", "Identity": b""}


def test_property_names_are_case_insensitive() -> None:
    """Metadata names SHALL be case-insensitive (RFC 37)."""
    conn = ZmtpConnection("PULL")
    conn.receive_data(greeting() + command(b"READY", b"\x0bSOCKET-TYPE\x00\x00\x00\x04PUSH"))
    assert conn.next_events() == [HandshakeComplete((3, 1), {"SOCKET-TYPE": b"PUSH"})]
    assert conn.peer_socket_type == "PUSH"


def test_next_event_one_at_a_time() -> None:
    """next_event() returns the same events as next_events(), then NEED_DATA."""
    conn = ZmtpConnection("PULL")
    conn.receive_data(handshake("PUSH") + frame(b"a") + command(b"PONG") + frame(b"b"))
    assert isinstance(conn.next_event(), HandshakeComplete)
    assert conn.next_event() == (b"a",)
    assert conn.next_event() == Pong(b"")
    assert conn.next_events() == [(b"b",)]
    assert conn.next_event() is NEED_DATA
    conn.receive_data(b"")
    assert conn.next_event() == ConnectionClosed()
    assert conn.next_event() == ConnectionClosed()
    assert conn.state is State.CLOSED


def test_data_after_eof_is_a_local_error() -> None:
    """Feeding octets after b"" is a caller bug."""
    conn = ZmtpConnection("PULL")
    conn.receive_data(b"")
    conn.receive_data(b"")
    with pytest.raises(Exception, match="after EOF"):
        conn.receive_data(b"x")


def test_eof_during_greeting_and_handshake() -> None:
    """A stream that ends early is a clean close, not an error."""
    for prefix in (b"", greeting()[:30], greeting(), greeting() + ready("PUSH")[:5]):
        conn = ZmtpConnection("PULL")
        if prefix:
            conn.receive_data(prefix)
        conn.receive_data(b"")
        assert conn.next_events() == [ConnectionClosed()]


def test_big_frame_is_collected_in_chunks() -> None:
    """A 1 MiB frame fed in 4 KiB pieces arrives once, whole, and is not held twice."""
    body = bytes(range(256)) * 4096
    conn = ZmtpConnection("PULL")
    conn.receive_data(handshake("PUSH"))
    conn.next_events()
    wire = frame(body, more=True) + frame(b"tail")
    fed = 0
    for start in range(0, len(wire), 4096):
        piece = wire[start : start + 4096]
        conn.receive_data(memoryview(piece))
        fed += len(piece)
        events = conn.next_events()
        assert conn.buffered_bytes <= fed
        if start + 4096 < len(wire):
            assert events == []
    assert events == [(body, b"tail")]
    assert conn.buffered_bytes == 0


def test_big_subscription_message_to_xpub() -> None:
    """A 3.0 subscription that arrives as a big frame is still a subscription."""
    topic = b"t" * 100_000
    conn = ZmtpConnection("XPUB")
    wire = handshake("SUB") + frame(b"\x01" + topic)
    events, error = feed(conn, [wire[i : i + 8192] for i in range(0, len(wire), 8192)])
    assert error is None
    assert events[1:] == [Subscribe(topic)]
