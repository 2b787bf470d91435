"""Frames, commands and metadata (RFC 37 "Framing", "The NULL Security Mechanism")."""

from __future__ import annotations

import struct

import pytest

from purezmq.zmtp import (
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    LocalProtocolError,
    RemoteProtocolError,
    decode_properties,
    encode_command,
    encode_message,
    encode_properties,
)
from purezmq.zmtp.codec import (
    decode_error_reason,
    decode_ping,
    error_data,
    frame_header,
    parse_frame_header,
    ping_data,
    split_command,
)
from tests.helpers.peer_pair import command, frame

# RFC 37 "Worked Example": the DEALER client's READY, octets 0-42.
RFC_DEALER_READY = (
    b"\x04\x29"
    + b"\x05READY"
    + b"\x0bSocket-Type"
    + b"\x00\x00\x00\x06DEALER"
    + b"\x08Identity"
    + b"\x00\x00\x00\x00"
)
# ... and the ROUTER server's reply (size 28, Socket-Type only, as the RFC draws it).
RFC_ROUTER_READY = b"\x04\x1c" + b"\x05READY" + b"\x0bSocket-Type" + b"\x00\x00\x00\x06ROUTER"

HEADERS = [
    (0, 0, b"\x00\x00"),
    (0, 1, b"\x00\x01"),
    (1, 255, b"\x01\xff"),
    (0, 256, b"\x02" + struct.pack(">Q", 256)),
    (1, 2**32, b"\x03" + struct.pack(">Q", 2**32)),
    (4, 5, b"\x04\x05"),
    (4, 70000, b"\x06" + struct.pack(">Q", 70000)),
]


@pytest.mark.parametrize(("flags", "size", "wire"), HEADERS)
def test_frame_header(flags: int, size: int, wire: bytes) -> None:
    """Short size for 0-255 octets, LONG flag and 8-octet size from 256."""
    assert frame_header(flags, size) == wire
    assert parse_frame_header(wire) == (flags | (2 if size > 255 else 0), size, len(wire))


@pytest.mark.parametrize(("flags", "size", "wire"), HEADERS)
def test_incomplete_header_needs_more(flags: int, size: int, wire: bytes) -> None:
    """A header cut short decodes to None, never to a wrong size."""
    for cut in range(len(wire)):
        assert parse_frame_header(wire[:cut]) is None


def test_reserved_flag_bits_are_kept_for_the_caller_to_ignore() -> None:
    """Bits 7-3 are reserved; the decoder reports them and callers mask them."""
    assert parse_frame_header(b"\xf8\x03") == (0xF8, 3, 2)


def test_size_with_top_bit_set_is_refused() -> None:
    """A long frame is at most 2**63-1 octets."""
    with pytest.raises(RemoteProtocolError):
        parse_frame_header(b"\x02" + struct.pack(">Q", 2**63))


def test_encode_message_chunks_are_not_copied() -> None:
    """encode_message appends the caller's bodies as they are."""
    big = b"z" * 1000
    small = b"abc"
    out: list[bytes | memoryview] = []
    encode_message([small, big, b""], out)
    assert out[1] is small
    assert out[3] is big
    assert b"".join(out) == frame(small, more=True) + frame(big, more=True) + frame(b"")


@pytest.mark.parametrize("size", [0, 1, 255, 256, 65536])
def test_encode_message_single_frame(size: int) -> None:
    """Wire form of a one-frame message of each size class."""
    body = bytes(size)
    out: list[bytes | memoryview] = []
    encode_message([body], out)
    assert b"".join(out) == frame(body)


def test_encode_message_refuses_empty_message() -> None:
    """A message has one or more frames."""
    with pytest.raises(LocalProtocolError):
        encode_message([], [])


def test_encode_command() -> None:
    """Commands: COMMAND flag, name length, name, data; long form when needed."""
    assert encode_command(b"PING", b"\x00\x0a") == b"\x04\x07\x04PING\x00\x0a"
    long = encode_command(b"X", bytes(300))
    assert long[:9] == b"\x06" + struct.pack(">Q", 302)
    with pytest.raises(LocalProtocolError):
        encode_command(b"")


def test_worked_example_ready_encodes_octet_for_octet() -> None:
    """Our encoder produces RFC 37's worked-example READY commands."""
    dealer = {"Socket-Type": b"DEALER", "Identity": b""}
    assert encode_command(b"READY", encode_properties(dealer)) == RFC_DEALER_READY
    router = {"Socket-Type": b"ROUTER"}
    assert encode_command(b"READY", encode_properties(router)) == RFC_ROUTER_READY


def test_worked_example_ready_decodes() -> None:
    """Splitting and decoding the worked-example READY gives its two properties."""
    name, data = split_command(RFC_DEALER_READY[2:])
    assert name == b"READY"
    assert decode_properties(data) == {"Socket-Type": b"DEALER", "Identity": b""}


def test_properties_keep_names_as_sent_and_first_wins() -> None:
    """Names are returned as sent; a repeated name keeps its first value (libzmq)."""
    data = encode_properties({"socket-type": b"PUB", "X-Hello": b"\x00\xff"})
    data += encode_properties({"X-Hello": b"again"})
    assert decode_properties(data) == {"socket-type": b"PUB", "X-Hello": b"\x00\xff"}


BAD_METADATA = [
    ("name length 0", b"\x00\x00\x00\x00\x00"),
    ("name cut", b"\x05Sock"),
    ("value length cut", b"\x01A\x00\x00"),
    ("value cut", b"\x01A\x00\x00\x00\x05abc"),
    ("stray octet", encode_properties({"A": b"x"}) + b"\x01"),
    ("huge value length", b"\x01A\xff\xff\xff\xff"),
]


@pytest.mark.parametrize(("label", "data"), BAD_METADATA)
def test_bad_metadata(label: str, data: bytes) -> None:
    """Truncated properties and empty names are INVALID_METADATA."""
    with pytest.raises(RemoteProtocolError) as info:
        decode_properties(data)
    assert info.value.code == PROTOCOL_ERROR_ZMTP_INVALID_METADATA, label


def test_encode_properties_refuses_bad_names() -> None:
    """Property names are 1 to 255 octets."""
    with pytest.raises(LocalProtocolError):
        encode_properties({"": b""})
    with pytest.raises(LocalProtocolError):
        encode_properties({"x" * 256: b""})


@pytest.mark.parametrize("body", [b"", b"\x00", b"\x05READ", b"\xff"])
def test_split_command_refuses_malformed_bodies(body: bytes) -> None:
    """Empty body, empty name or a name running past the body."""
    with pytest.raises(RemoteProtocolError) as info:
        split_command(body)
    assert info.value.code == PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED


def test_split_command_matches_helper() -> None:
    """The test helper and the codec agree on command layout."""
    assert split_command(command(b"CANCEL", b"topic")[2:]) == (b"CANCEL", b"topic")


def test_error_reason_round_trip() -> None:
    """error-reason = short-size 0*255VCHAR."""
    assert decode_error_reason(error_data("Access denied")) == "Access denied"
    assert decode_error_reason(b"\x00") == ""
    with pytest.raises(LocalProtocolError):
        error_data("x" * 256)


@pytest.mark.parametrize("data", [b"", b"\x05abc"])
def test_malformed_error_reason(data: bytes) -> None:
    """A reason longer than the command is MALFORMED_COMMAND_ERROR."""
    with pytest.raises(RemoteProtocolError) as info:
        decode_error_reason(data)
    assert info.value.code == PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR


def test_ping_data() -> None:
    """ping = ttl(2, network order) + context (0-16 octets)."""
    assert ping_data(600, b"ab") == b"\x02\x58ab"
    assert decode_ping(b"\x02\x58ab") == (600, b"ab")
    assert decode_ping(b"\x00\x00" + bytes(range(20))) == (0, bytes(range(16)))
    for ttl, context in [(-1, b""), (65536, b""), (0, bytes(17))]:
        with pytest.raises(LocalProtocolError):
            ping_data(ttl, context)
    with pytest.raises(RemoteProtocolError):
        decode_ping(b"\x01")
