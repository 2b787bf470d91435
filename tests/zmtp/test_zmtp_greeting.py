"""The 64-octet greeting (RFC 37 "Formal Grammar", "Version Negotiation")."""

from __future__ import annotations

import pytest

from purezmq.zmtp import (
    PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    HandshakeComplete,
    LocalProtocolError,
    RemoteProtocolError,
    State,
    ZmtpConnection,
    build_greeting,
)
from purezmq.zmtp.greeting import check_greeting_prefix, pad_mechanism, parse_greeting
from tests.helpers.peer_pair import SPLIT_MODES, feed_in, greeting, ready

# RFC 37 "Worked Example": signature + major, then minor, "NULL", as-server, filler.
RFC_NULL_GREETING = (
    b"\xff"
    + b"\x00" * 8
    + b"\x7f"
    + b"\x03"
    + b"\x01"
    + b"NULL"
    + b"\x00" * 16
    + b"\x00"
    + b"\x00" * 31
)


def test_our_greeting_is_the_rfc_worked_example() -> None:
    """Our NULL greeting is octet for octet the one in RFC 37's worked example."""
    assert len(RFC_NULL_GREETING) == 64
    assert build_greeting(b"NULL") == RFC_NULL_GREETING


def test_greeting_is_queued_whole_at_construction() -> None:
    """The whole greeting is queued at once (no partial-greeting dance)."""
    assert ZmtpConnection("DEALER").data_to_send() == RFC_NULL_GREETING


def test_as_server_octet() -> None:
    """as-server is octet 32."""
    assert build_greeting(b"PLAIN", as_server=True)[32] == 1
    assert build_greeting(b"PLAIN")[12:32] == b"PLAIN" + bytes(15)


@pytest.mark.parametrize("name", [b"", b"X" * 21, b"null", b"NU L"])
def test_bad_mechanism_name_is_local_error(name: bytes) -> None:
    """Mechanism names are 1-20 of A-Z, 0-9, - _ . + (RFC 37 grammar)."""
    with pytest.raises(LocalProtocolError):
        pad_mechanism(name)


@pytest.mark.parametrize(
    ("version", "negotiated"),
    [((3, 0), (3, 0)), ((3, 1), (3, 1)), ((3, 2), (3, 1)), ((4, 0), (3, 1)), ((255, 9), (3, 1))],
)
def test_version_negotiation(version: tuple[int, int], negotiated: tuple[int, int]) -> None:
    """Higher versions MUST be accepted; we speak min(ours, theirs)."""
    peer = parse_greeting(greeting(version), b"NULL")
    assert peer.version == negotiated
    assert peer.peer_version == version


@pytest.mark.parametrize("mode", SPLIT_MODES)
@pytest.mark.parametrize("version", [(3, 0), (3, 1), (4, 7)])
def test_connection_reports_negotiated_version(mode: str, version: tuple[int, int]) -> None:
    """HandshakeComplete and peer_version carry the negotiated version."""
    conn = ZmtpConnection("PULL")
    events, error = feed_in(conn, greeting(version) + ready("PUSH"), mode)
    assert error is None
    expected = min((3, 1), version)
    assert events == [HandshakeComplete(expected, {"Socket-Type": b"PUSH"})]
    assert conn.peer_version == expected


def test_padding_and_filler_are_not_interpreted() -> None:
    """A peer SHALL NOT assign any significance to the padding field."""
    odd = b"\xff" + b"\x12" * 8 + b"\x7f" + greeting()[10:33] + b"\xaa" * 31
    assert parse_greeting(odd, b"NULL").version == (3, 1)


BAD_PREFIXES = [
    ("zmtp 1.0 short identity", b"\x01", 1, PROTOCOL_ERROR_ZMTP_UNSPECIFIED),
    ("octet 0 not FF", b"\x00", 1, PROTOCOL_ERROR_ZMTP_UNSPECIFIED),
    ("octet 9 bit 0 clear", b"\xff" + bytes(8) + b"\x7e", 10, PROTOCOL_ERROR_ZMTP_UNSPECIFIED),
    ("major 1 (ZMTP 2.0)", greeting((1, 0))[:11], 11, PROTOCOL_ERROR_ZMTP_UNSPECIFIED),
    ("major 2", greeting((2, 0))[:11], 11, PROTOCOL_ERROR_ZMTP_UNSPECIFIED),
    ("major 0", greeting((0, 0))[:11], 11, PROTOCOL_ERROR_ZMTP_UNSPECIFIED),
    (
        "CURVE vs NULL",
        greeting(mechanism=b"CURVE")[:13],
        13,
        PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    ),
    (
        "NULLX vs NULL",
        greeting(mechanism=b"NULLX")[:17],
        17,
        PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    ),
    ("unknown FOO", greeting(mechanism=b"FOO")[:13], 13, PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH),
]


@pytest.mark.parametrize(("label", "prefix", "decided_at", "code"), BAD_PREFIXES)
def test_bad_greeting_is_refused_as_soon_as_visible(
    label: str, prefix: bytes, decided_at: int, code: int
) -> None:
    """Garbage is refused at the first octet that proves it, not after 64."""
    conn = ZmtpConnection("SUB")
    for octet in prefix[: decided_at - 1]:
        conn.receive_data(bytes((octet,)))
        assert conn.next_events() == [], label
    conn.receive_data(prefix[decided_at - 1 : decided_at])
    with pytest.raises(RemoteProtocolError) as info:
        conn.next_events()
    assert info.value.code == code
    assert conn.state is State.ERROR


@pytest.mark.parametrize(("label", "prefix", "decided_at", "code"), BAD_PREFIXES)
def test_check_greeting_prefix_accepts_every_shorter_prefix(
    label: str, prefix: bytes, decided_at: int, code: int
) -> None:
    """check_greeting_prefix stays silent until the deciding octet."""
    check_greeting_prefix(prefix[: decided_at - 1], b"NULL")
    with pytest.raises(RemoteProtocolError) as info:
        check_greeting_prefix(prefix[:decided_at], b"NULL")
    assert info.value.code == code


def test_parse_greeting_wants_64_octets() -> None:
    """parse_greeting is for complete greetings only."""
    with pytest.raises(LocalProtocolError):
        parse_greeting(greeting()[:63], b"NULL")


def test_partial_greeting_needs_data() -> None:
    """63 good octets are not enough to decide."""
    conn = ZmtpConnection("SUB")
    conn.receive_data(greeting()[:63])
    assert conn.next_events() == []
    assert conn.state is State.GREETING
    assert conn.peer_version is None
