"""Two ZmtpConnections back to back (PeerPair): handshakes, messages, commands."""

from __future__ import annotations

import itertools

import pytest

from purezmq.zmtp import (
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    SOCKET_TYPES,
    VALID_PEERS,
    Cancel,
    ConnectionClosed,
    HandshakeComplete,
    LocalProtocolError,
    PeerError,
    Ping,
    Pong,
    RemoteProtocolError,
    State,
    Subscribe,
    ZmtpConnection,
)
from tests.helpers.peer_pair import PeerPair, command, feed, frame, greeting, handshake, ready

VALID_PAIRS = sorted((ours, theirs) for ours, peers in VALID_PEERS.items() for theirs in peers)
INVALID_PAIRS = sorted(
    (ours, theirs)
    for ours, theirs in itertools.product(sorted(SOCKET_TYPES), repeat=2)
    if theirs not in VALID_PEERS[ours]
)


def test_valid_peer_table_is_symmetric() -> None:
    """If A accepts B then B accepts A (RFC 37 table), 21 ordered pairs in all."""
    assert all(ours in VALID_PEERS[theirs] for ours, theirs in VALID_PAIRS)
    assert len(VALID_PAIRS) == 21


@pytest.mark.parametrize(("left", "right"), VALID_PAIRS)
def test_handshake_of_every_valid_pair(left: str, right: str) -> None:
    """Both ends reach READY and learn the other's type and identity."""
    conn_left = ZmtpConnection(left, identity=b"L-id")
    conn_right = ZmtpConnection(right, identity=b"R-id")
    left_events, right_events = PeerPair(conn_left, conn_right).pump()
    assert left_events == [HandshakeComplete((3, 1), _props(right, b"R-id"))]
    assert right_events == [HandshakeComplete((3, 1), _props(left, b"L-id"))]
    assert conn_left.peer_socket_type == right
    assert conn_right.peer_socket_type == left
    assert conn_left.state is conn_right.state is State.READY


def _props(socket_type: str, identity: bytes) -> dict[str, bytes]:
    props = {"Socket-Type": socket_type.encode()}
    if socket_type in ("REQ", "DEALER", "ROUTER"):
        props["Identity"] = identity
    return props


@pytest.mark.parametrize(("left", "right"), INVALID_PAIRS)
def test_invalid_pair_is_rejected_by_both_ends(left: str, right: str) -> None:
    """An incompatible Socket-Type is INVALID_METADATA on each side."""
    conn_left, conn_right = ZmtpConnection(left), ZmtpConnection(right)
    for _ in range(2):
        conn_right.receive_data(conn_left.data_to_send() or b"\xff")
        conn_left.receive_data(conn_right.data_to_send() or b"\xff")
        for conn in (conn_left, conn_right):
            try:
                conn.next_events()
            except RemoteProtocolError as error:
                assert error.code == PROTOCOL_ERROR_ZMTP_INVALID_METADATA
    assert conn_left.state is conn_right.state is State.ERROR


@pytest.mark.parametrize(
    "frames",
    [
        [b""],
        [b"x" * 255],
        [b"y" * 256],
        [bytes(range(256)) * 4096],
        [b"", b"a", b"b" * 255, b"c" * 256, b"d" * 70000, b""],
    ],
    ids=["0 B", "255 B", "256 B", "1 MiB", "multipart"],
)
@pytest.mark.parametrize("chunk", [None, 1000])
def test_message_round_trip(frames: list[bytes], chunk: int | None) -> None:
    """What one side sends, the other receives, whatever the frame sizes."""
    pair = PeerPair.connected("DEALER", "ROUTER")
    pair.left.send_message(frames)
    pair.right.send_messages([frames, frames[:1]])
    left_events, right_events = pair.pump(chunk)
    assert right_events == [frames]
    assert left_events == [frames, frames[:1]]


@pytest.mark.parametrize(
    ("size", "header"), [(255, b"\x00\xff"), (256, b"\x02" + bytes(6) + b"\x01\x00")]
)
def test_short_and_long_frames_on_the_wire(size: int, header: bytes) -> None:
    """255 octets use the short form, 256 the long one."""
    pair = PeerPair.connected("PUSH", "PULL")
    pair.left.send_message([bytes(size)])
    assert pair.left.data_to_send() == header + bytes(size)


def test_big_frames_are_not_copied_on_send() -> None:
    """data_to_send_chunks() hands back the caller's own body objects."""
    pair = PeerPair.connected("PUSH", "PULL")
    body = b"q" * 100000
    pair.left.send_message([body])
    chunks = pair.left.data_to_send_chunks()
    assert any(chunk is body for chunk in chunks)
    assert pair.left.data_to_send_chunks() == []


def test_send_messages_equals_send_message() -> None:
    """The batch path and the one-by-one path produce the same octets."""
    batch = [[b"a"], [b"b" * 300], [b"c", b"d"], [b""]]
    one, many = PeerPair.connected("PUSH", "PULL"), PeerPair.connected("PUSH", "PULL")
    for message in batch:
        one.left.send_message(message)
    many.left.send_messages(batch)
    assert one.left.data_to_send() == many.left.data_to_send()


def test_subscribe_cancel_ping_pong_round_trip() -> None:
    """3.1 peers exchange SUBSCRIBE/CANCEL/PING/PONG as commands."""
    pair = PeerPair.connected("SUB", "XPUB")
    pair.left.send_subscribe(b"weather")
    pair.left.send_cancel(b"weather")
    pair.left.send_ping(50, b"hb-1")
    assert pair.left.data_to_send() == (
        command(b"SUBSCRIBE", b"weather")
        + command(b"CANCEL", b"weather")
        + command(b"PING", b"\x00\x32hb-1")
    )
    pair.left.send_subscribe(b"")
    pair.left.send_ping(0)
    left_events, right_events = pair.pump()
    assert right_events == [Subscribe(b""), Ping(0, b"")]
    assert left_events == [Pong(b"")]
    pair.right.send_pong(b"unsolicited")
    assert pair.pump() == ([Pong(b"unsolicited")], [])


def _with_30_peer(ours: str, peer: str) -> ZmtpConnection:
    conn = ZmtpConnection(ours)
    events, error = feed(conn, [handshake(peer, version=(3, 0))])
    assert error is None
    assert events == [HandshakeComplete((3, 0), {"Socket-Type": peer.encode()})]
    conn.data_to_send()
    return conn


def test_30_peer_gets_subscriptions_as_messages() -> None:
    """RFC 23: a 3.0 publisher gets "\\x01topic"/"\\x00topic" messages, and no PING."""
    conn = _with_30_peer("SUB", "PUB")
    conn.send_subscribe(b"news")
    conn.send_cancel(b"news")
    conn.send_ping(10, b"ctx")
    assert conn.data_to_send() == frame(b"\x01news") + frame(b"\x00news")
    assert conn.peer_version == (3, 0)


def test_30_peer_round_trip_through_xpub() -> None:
    """Our SUB facing a 3.0 XPUB: its subscription message is understood by our XPUB."""
    sub = _with_30_peer("SUB", "XPUB")
    xpub = ZmtpConnection("XPUB")
    feed(xpub, [handshake("SUB", version=(3, 0))])
    sub.send_subscribe(b"a")
    sub.send_cancel(b"a")
    xpub.receive_data(sub.data_to_send())
    assert xpub.next_events() == [Subscribe(b"a"), Cancel(b"a")]


def test_send_error_reaches_the_peer() -> None:
    """send_error(): the peer gets PeerError then ConnectionClosed.

    NULL queues its READY as soon as the greeting is in, so the peer completes
    its handshake first and then reads the ERROR.
    """
    server, client = ZmtpConnection("REP"), ZmtpConnection("REQ")
    client.receive_data(server.data_to_send())
    server.receive_data(client.data_to_send())
    server.next_events()
    server.send_error("Access denied")
    assert server.state is State.CLOSED
    client.receive_data(server.data_to_send())
    assert client.next_events() == [
        HandshakeComplete((3, 1), {"Socket-Type": b"REP"}),
        PeerError("Access denied"),
        ConnectionClosed(),
    ]
    assert client.state is State.CLOSED


def test_local_errors_change_nothing() -> None:
    """Misuse raises LocalProtocolError and leaves the connection usable."""
    pair = PeerPair.connected("PUSH", "PULL")
    with pytest.raises(LocalProtocolError):
        pair.left.send_message([])
    with pytest.raises(LocalProtocolError):
        pair.left.send_ping(70000)
    with pytest.raises(LocalProtocolError):
        pair.left.send_ping(1, bytes(17))
    with pytest.raises(LocalProtocolError):
        pair.left.send_pong(bytes(17))
    with pytest.raises(LocalProtocolError):
        pair.left.send_error("x" * 300)
    assert pair.left.data_to_send() == b""
    assert pair.left.state is State.READY
    pair.left.send_message([b"still fine"])
    assert pair.pump() == ([], [[b"still fine"]])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"socket_type": "STREAM"},
        {"socket_type": "req"},
        {"socket_type": "REQ", "identity": bytes(256)},
    ],
)
def test_bad_constructor_arguments(kwargs: dict[str, object]) -> None:
    """Unknown socket types and over-long identities are refused up front."""
    with pytest.raises(LocalProtocolError):
        ZmtpConnection(**kwargs)  # type: ignore[arg-type]


def test_ready_announces_identity_only_for_req_dealer_router() -> None:
    """libzmq's NULL mechanism: Identity from REQ, DEALER and ROUTER only."""
    for socket_type in sorted(SOCKET_TYPES):
        conn = ZmtpConnection(socket_type, identity=b"me")
        conn.receive_data(greeting())
        conn.next_events()
        wire = conn.data_to_send()
        expected = {"Identity": b"me"} if socket_type in ("REQ", "DEALER", "ROUTER") else None
        assert wire == greeting() + ready(socket_type, expected)
