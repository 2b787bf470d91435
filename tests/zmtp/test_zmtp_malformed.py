"""Malformed input ends in RemoteProtocolError with libzmq's code, never a partial message."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import pytest

from purezmq.zmtp import (
    HANDSHAKE_COMMAND_MAX,
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    ConnectionClosed,
    HandshakeComplete,
    PeerError,
    RemoteProtocolError,
    State,
    ZmtpConnection,
)
from tests.helpers.peer_pair import (
    SPLIT_MODES,
    command,
    feed,
    feed_in,
    frame,
    greeting,
    handshake,
    messages,
    ready,
)


@dataclass
class Bad:
    """The octets a peer sends to our `ours` socket, and the code they must earn."""

    name: str
    ours: str
    wire: bytes
    code: int
    maxmsgsize: int = -1


PULL_READY = handshake("PUSH")
HALF_MESSAGE = frame(b"partial", more=True)

BAD = [
    Bad("signature octet 0", "PULL", b"\x00" + greeting()[1:], PROTOCOL_ERROR_ZMTP_UNSPECIFIED),
    Bad("signature octet 9", "PULL", greeting()[:9] + b"\x00" + greeting()[10:], 0x10000000),
    Bad("major version 2", "PULL", greeting((2, 0)), PROTOCOL_ERROR_ZMTP_UNSPECIFIED),
    Bad("major version 1", "PULL", greeting((1, 0)), PROTOCOL_ERROR_ZMTP_UNSPECIFIED),
    Bad(
        "mechanism PLAIN",
        "PULL",
        greeting(mechanism=b"PLAIN"),
        PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    ),
    Bad(
        "mechanism unknown",
        "PULL",
        greeting(mechanism=b"X-SEC"),
        PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    ),
    Bad(
        "message before READY",
        "PULL",
        greeting() + frame(b"hi"),
        PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    ),
    Bad(
        "multipart before READY",
        "PULL",
        greeting() + frame(b"hi", more=True),
        PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    ),
    Bad("PING before READY", "PULL", greeting() + command(b"PING", b"\x00\x00"), 0x10000001),
    Bad(
        "handshake command with MORE",
        "PULL",
        greeting() + command(b"READY", more=True),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    ),
    Bad(
        "empty handshake command",
        "PULL",
        greeting() + frame(b"", command=True),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    ),
    Bad(
        "handshake command over the cap",
        "PULL",
        greeting() + b"\x06" + struct.pack(">Q", HANDSHAKE_COMMAND_MAX + 1),
        PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    ),
    Bad(
        "truncated metadata",
        "PULL",
        greeting() + command(b"READY", b"\x0bSocket-Type\x00\x00\x00\x09PUSH"),
        PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    ),
    Bad(
        "property name length 0",
        "PULL",
        greeting() + command(b"READY", b"\x00\x00\x00\x00\x00"),
        PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    ),
    Bad("no Socket-Type", "PULL", greeting() + ready(None), PROTOCOL_ERROR_ZMTP_INVALID_METADATA),
    Bad("invalid pair", "PULL", handshake("PULL"), PROTOCOL_ERROR_ZMTP_INVALID_METADATA),
    Bad("unknown socket type", "PAIR", handshake("CHANNEL"), PROTOCOL_ERROR_ZMTP_INVALID_METADATA),
    Bad(
        "malformed ERROR in handshake",
        "PULL",
        greeting() + command(b"ERROR", b"\x09short"),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    ),
    Bad(
        "malformed ERROR in READY",
        "PULL",
        PULL_READY + HALF_MESSAGE + command(b"ERROR"),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    ),
    Bad(
        "command with MORE in READY",
        "PULL",
        PULL_READY + HALF_MESSAGE + command(b"PING", b"\x00\x00", more=True),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    ),
    Bad(
        "PING without TTL",
        "PULL",
        PULL_READY + command(b"PING", b"\x01"),
        PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    ),
    Bad(
        "size 2**63",
        "PULL",
        PULL_READY + HALF_MESSAGE + b"\x02" + struct.pack(">Q", 2**63),
        PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    ),
    Bad(
        "size 2**64-1",
        "PULL",
        PULL_READY + b"\x02" + b"\xff" * 8,
        PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    ),
    Bad(
        "frame over maxmsgsize",
        "PULL",
        PULL_READY + frame(b"0123456789") + HALF_MESSAGE + b"\x00\x0b",
        PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
        maxmsgsize=10,
    ),
    Bad(
        "long frame over maxmsgsize",
        "PULL",
        PULL_READY + b"\x02" + struct.pack(">Q", 1001),
        PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
        maxmsgsize=1000,
    ),
    Bad(
        "handshake command over maxmsgsize",
        "PULL",
        greeting() + b"\x04\x20",
        PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
        maxmsgsize=16,
    ),
]


@pytest.mark.parametrize("mode", SPLIT_MODES)
@pytest.mark.parametrize("bad", BAD, ids=[bad.name for bad in BAD])
def test_malformed(bad: Bad, mode: str) -> None:
    """Each ends in RemoteProtocolError(code); no partial message escapes."""
    conn = ZmtpConnection(bad.ours, maxmsgsize=bad.maxmsgsize)
    events, error = feed_in(conn, bad.wire, mode)
    assert error is not None, events
    assert error.code == bad.code
    assert conn.state is State.ERROR
    assert all(len(message) == 1 for message in messages(events))
    assert b"partial" not in repr(events).encode()


@pytest.mark.parametrize("bad", BAD, ids=[bad.name for bad in BAD])
def test_error_is_sticky(bad: Bad) -> None:
    """After the error, every next_event() raises the same error again."""
    conn = ZmtpConnection(bad.ours, maxmsgsize=bad.maxmsgsize)
    conn.receive_data(bad.wire)
    first = None
    for _ in range(3):
        try:
            while conn.next_events():
                pass
        except RemoteProtocolError as error:
            first = first or error
            assert error is first
    assert first is not None
    with pytest.raises(RemoteProtocolError) as info:
        conn.next_event()
    assert info.value is first
    conn.receive_data(b"more octets are ignored")
    assert conn.buffered_bytes == 0


def test_events_before_the_error_come_first() -> None:
    """next_events() returns what was complete before the error, then raises."""
    conn = ZmtpConnection("PULL", maxmsgsize=26)
    conn.receive_data(PULL_READY + frame(b"ok") + frame(bytes(27)))
    assert conn.next_events()[1:] == [(b"ok",)]
    with pytest.raises(RemoteProtocolError):
        conn.next_events()


def test_oversize_refused_from_the_header_alone() -> None:
    """MAXMSGSIZE is enforced as soon as the size field is read."""
    conn = ZmtpConnection("PULL", maxmsgsize=1 << 20)
    conn.receive_data(PULL_READY)
    conn.next_events()
    conn.receive_data(b"\x02" + struct.pack(">Q", (1 << 20) + 1))
    with pytest.raises(RemoteProtocolError):
        conn.next_events()


def test_huge_announced_size_allocates_nothing() -> None:
    """A 1 TiB announcement buffers only the octets actually received."""
    conn = ZmtpConnection("PULL")
    conn.receive_data(PULL_READY)
    conn.next_events()
    conn.receive_data(b"\x02" + struct.pack(">Q", 1 << 40) + bytes(1000))
    assert conn.next_events() == []
    assert conn.buffered_bytes <= 1009


@pytest.mark.parametrize("mode", SPLIT_MODES)
def test_error_command_in_handshake_is_an_event(mode: str) -> None:
    """A well-formed ERROR ends the handshake cleanly: PeerError, then closed."""
    conn = ZmtpConnection("PULL")
    events, error = feed_in(conn, greeting() + command(b"ERROR", b"\x0dAccess denied"), mode)
    assert error is None
    assert events == [PeerError("Access denied"), ConnectionClosed()]
    assert conn.state is State.CLOSED


def test_maxmsgsize_is_inclusive() -> None:
    """A frame of exactly MAXMSGSIZE octets is accepted."""
    conn = ZmtpConnection("PULL", maxmsgsize=26)
    events, error = feed(conn, [handshake("PUSH"), frame(bytes(26))])
    assert error is None
    assert events[1:] == [(bytes(26),)]


def test_maxmsgsize_limits_handshake_only_above_ready_size() -> None:
    """A maxmsgsize big enough for the READY lets the handshake through."""
    conn = ZmtpConnection("PULL", maxmsgsize=len(ready("PUSH")))
    events, error = feed(conn, [handshake("PUSH"), frame(b"x")])
    assert error is None
    assert isinstance(events[0], HandshakeComplete)
