"""Hypothesis: any octets at any splits end in events, NEED_DATA or RemoteProtocolError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from purezmq.zmtp import (
    NEED_DATA,
    Cancel,
    ConnectionClosed,
    HandshakeComplete,
    PeerError,
    Ping,
    Pong,
    RemoteProtocolError,
    State,
    Subscribe,
    ZmtpConnection,
)
from tests.helpers.peer_pair import PeerPair, command, frame, greeting, handshake

EVENT_TYPES = (HandshakeComplete, Subscribe, Cancel, Ping, Pong, PeerError, ConnectionClosed)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PREFIXES = [b"", greeting()[:11], greeting(), handshake("PUSH"), handshake("PUSH", (3, 0))]
TRAFFIC = st.sampled_from(
    [
        frame(b"m"),
        frame(b"", more=True),
        frame(b"\x01sub"),
        frame(b"L" * 300),
        command(b"PING", b"\x00\x01c"),
        command(b"PONG"),
        command(b"SUBSCRIBE", b"t"),
        command(b"ERROR", b"\x01x"),
        b"\x02" + bytes(7) + b"\x05hello",
    ]
)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True) if b > a]


def _check_stream(pieces: list[bytes], socket_type: str, maxmsgsize: int, eof: bool) -> None:
    conn = ZmtpConnection(socket_type, maxmsgsize=maxmsgsize)
    fed = 0
    events: list[object] = []
    try:
        for piece in pieces:
            conn.receive_data(piece)
            fed += len(piece)
            events += _take_events(conn)
            assert conn.buffered_bytes <= fed
        if eof:
            conn.receive_data(b"")
            events += _take_events(conn)
            assert conn.state in (State.CLOSED, State.ERROR)
    except RemoteProtocolError as error:
        assert conn.state is State.ERROR
        assert error.code >= 0x10000000
        assert conn.buffered_bytes == 0
    _check_order(events)


def _take_events(conn: ZmtpConnection) -> list[object]:
    """A few next_event() calls, then next_events(): both APIs get exercised."""
    events: list[object] = []
    for _ in range(3):
        event = conn.next_event()
        if event is NEED_DATA:
            return events
        events.append(event)
        if isinstance(event, ConnectionClosed):
            return events
    events += conn.next_events()
    return events


def _check_order(events: list[object]) -> None:
    """Messages only after HandshakeComplete; nothing but closes after a close."""
    handshaken = closed = False
    for event in events:
        if closed:
            assert isinstance(event, ConnectionClosed)
        elif isinstance(event, tuple):
            assert handshaken
            assert event and all(isinstance(part, bytes) for part in event)
        else:
            assert isinstance(event, EVENT_TYPES)
            handshaken = handshaken or isinstance(event, HandshakeComplete)
            closed = isinstance(event, ConnectionClosed)


SOCKET = st.sampled_from(["PULL", "PUB", "DEALER"])


@FUZZ
@given(st.binary(max_size=300), st.lists(st.integers(0, 400), max_size=12), SOCKET, st.booleans())
def test_arbitrary_octets(data: bytes, cuts: list[int], socket_type: str, eof: bool) -> None:
    """Random octets never raise anything but RemoteProtocolError."""
    _check_stream(_split(data, cuts), socket_type, -1, eof)


@FUZZ
@given(
    st.sampled_from(PREFIXES),
    st.lists(TRAFFIC | st.binary(max_size=40), max_size=8),
    st.lists(st.integers(0, 2000), max_size=12),
    st.sampled_from([-1, 0, 3, 100]),
    st.booleans(),
)
def test_valid_prefix_then_garbage(
    prefix: bytes, parts: list[bytes], cuts: list[int], maxmsgsize: int, eof: bool
) -> None:
    """A good start followed by a mix of good frames and garbage ends cleanly."""
    data = prefix + b"".join(parts)
    _check_stream(_split(data, cuts), "PULL", maxmsgsize, eof)


MESSAGE = st.lists(
    st.binary(max_size=20) | st.binary(min_size=250, max_size=300), min_size=1, max_size=4
)


@settings(max_examples=60, deadline=None)
@given(st.lists(MESSAGE, max_size=10), st.integers(1, 700))
def test_round_trip_at_any_chunk_size(msgs: list[list[bytes]], chunk: int) -> None:
    """Whatever the pieces the stream is cut into, messages arrive whole and in order."""
    pair = PeerPair.connected("PAIR", "PAIR")
    pair.left.send_messages(msgs)
    left_events, right_events = pair.pump(chunk)
    assert right_events == msgs
    assert left_events == []
