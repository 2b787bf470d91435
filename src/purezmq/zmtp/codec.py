# ZMTP frame, command and metadata encoding.
#
# Theory of operation (RFC 37, "Framing" and "The NULL Security Mechanism"):
#
#   frame    = flags size body
#   flags    = bit 0 MORE, bit 1 LONG, bit 2 COMMAND; bits 7-3 reserved
#   size     = 1 octet (short, LONG clear) or 8 octets big-endian (LONG set)
#   command  = one frame with COMMAND set and MORE clear, whose body is
#              name-length(1) name data
#   property = name-length(1) name value-length(4, big-endian) value
#
# Reserved flag bits are ignored on receive, as libzmq's v2_decoder does. A
# long size is at most 2**63-1 ("A long frame has a body of 0 to 2^63-1
# octets"); a size with the top bit set is refused before anything is
# allocated. Senders use the short form for 0-255 octets, as libzmq does.
#
# encode_message() is on the hot path: it appends header and body chunks to a
# list and never copies a body, so large frames can go to writelines() as is.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from struct import Struct
from typing import Final

from .errors import (
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    LocalProtocolError,
    RemoteProtocolError,
)

FLAG_MORE: Final = 0x01
FLAG_LONG: Final = 0x02
FLAG_COMMAND: Final = 0x04

MAX_FRAME_SIZE: Final = 2**63 - 1
"""Largest body a long frame may announce (RFC 37, "Framing")."""

MAX_PROPERTY_VALUE: Final = 2**31 - 1
"""Largest metadata value (RFC 37: 0 to INT32_MAX octets)."""

MAX_PING_CONTEXT: Final = 16
"""A PING context "MUST not exceed 16 octets" (RFC 37, "Connection Heartbeating")."""

READY: Final = b"READY"
ERROR: Final = b"ERROR"
SUBSCRIBE: Final = b"SUBSCRIBE"
CANCEL: Final = b"CANCEL"
PING: Final = b"PING"
PONG: Final = b"PONG"

LONG_HEADER: Final = Struct(">BQ")
"""flags octet + 8-octet size, for frames of 256 octets or more."""

_UINT32: Final = Struct(">I")
_UINT16: Final = Struct(">H")

# Every short header pre-built: a message of small frames costs no header allocation.
SHORT_LAST: Final = tuple(bytes((0, n)) for n in range(256))
SHORT_MORE: Final = tuple(bytes((FLAG_MORE, n)) for n in range(256))


def frame_header(flags: int, size: int) -> bytes:
    """Return the flags and size octets for a frame of `size` octets.

    `flags` holds MORE and/or COMMAND; LONG is added when the size needs it.
    """
    if size < 256:
        return bytes((flags, size))
    return LONG_HEADER.pack(flags | FLAG_LONG, size)


def parse_frame_header(data: bytes | bytearray, pos: int = 0) -> tuple[int, int, int] | None:
    """Decode the frame header at `pos`.

    Returns (flags, body size, header length), or None if the header is not
    complete yet. Raises RemoteProtocolError for a size over 2**63-1.
    """
    available = len(data) - pos
    if available < 2:
        return None
    flags = data[pos]
    if not flags & FLAG_LONG:
        return flags, data[pos + 1], 2
    if available < 9:
        return None
    size = LONG_HEADER.unpack_from(data, pos)[1]
    if size > MAX_FRAME_SIZE:
        raise RemoteProtocolError(f"frame size {size} exceeds 2**63-1")
    return flags, size, 9


def encode_message(frames: Sequence[bytes], out: list[bytes | memoryview]) -> None:
    """Append the wire chunks of one message (headers and bodies) to `out`.

    Bodies are appended as given, never copied. Raises LocalProtocolError for
    a message with no frame.
    """
    if not frames:
        raise LocalProtocolError("a message has at least one frame")
    append = out.append
    for frame in frames[:-1]:
        size = len(frame)
        append(SHORT_MORE[size] if size < 256 else LONG_HEADER.pack(FLAG_LONG | FLAG_MORE, size))
        append(frame)
    frame = frames[-1]
    size = len(frame)
    append(SHORT_LAST[size] if size < 256 else LONG_HEADER.pack(FLAG_LONG, size))
    append(frame)


def command_body(name: bytes, data: bytes = b"") -> bytes:
    """Return a command frame's body: name length, name, data."""
    if not 0 < len(name) < 256:
        raise LocalProtocolError(f"command name must be 1 to 255 octets, got {name!r}")
    return bytes((len(name),)) + name + data


def encode_command(name: bytes, data: bytes = b"") -> bytes:
    """Return the complete command frame (header and body) for `name`/`data`."""
    body = command_body(name, data)
    return frame_header(FLAG_COMMAND, len(body)) + body


def split_command(body: bytes) -> tuple[bytes, bytes]:
    """Split a command frame's body into (name, data).

    Raises RemoteProtocolError(MALFORMED_COMMAND_UNSPECIFIED) if the body is
    empty, the name is empty or the name runs past the body.
    """
    if not body or body[0] == 0 or len(body) < 1 + body[0]:
        raise RemoteProtocolError(
            "malformed command body", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED
        )
    end = 1 + body[0]
    return body[1:end], body[end:]


def encode_properties(properties: Mapping[str, bytes]) -> bytes:
    """Return the metadata encoding of `properties`, in their order."""
    parts: list[bytes] = []
    for name, value in properties.items():
        raw = name.encode("ascii")
        if not 0 < len(raw) < 256:
            raise LocalProtocolError(f"property name must be 1 to 255 octets: {name!r}")
        if len(value) > MAX_PROPERTY_VALUE:
            raise LocalProtocolError(f"property {name!r} is over 2**31-1 octets")
        parts += (bytes((len(raw),)), raw, _UINT32.pack(len(value)), value)
    return b"".join(parts)


def decode_properties(data: bytes) -> dict[str, bytes]:
    """Return the properties in `data`, names as sent (first one wins).

    Raises RemoteProtocolError(INVALID_METADATA) for an empty name or a
    truncated property.
    """
    properties: dict[str, bytes] = {}
    pos, end = 0, len(data)
    while pos < end:
        name_len = data[pos]
        value_at = pos + 1 + name_len + 4
        if name_len == 0 or value_at > end:
            raise RemoteProtocolError("malformed metadata", PROTOCOL_ERROR_ZMTP_INVALID_METADATA)
        value_len = _UINT32.unpack_from(data, value_at - 4)[0]
        if value_at + value_len > end:
            raise RemoteProtocolError("truncated metadata", PROTOCOL_ERROR_ZMTP_INVALID_METADATA)
        name = data[pos + 1 : value_at - 4].decode("latin-1")
        properties.setdefault(name, data[value_at : value_at + value_len])
        pos = value_at + value_len
    return properties


def error_data(reason: str) -> bytes:
    """Return an ERROR command's data: a short string holding `reason`."""
    raw = reason.encode("utf-8")
    if len(raw) > 255:
        raise LocalProtocolError("an ERROR reason is at most 255 octets")
    return bytes((len(raw),)) + raw


def decode_error_reason(data: bytes) -> str:
    """Return the reason carried by an ERROR command's data.

    Raises RemoteProtocolError(MALFORMED_COMMAND_ERROR) if it is truncated.
    """
    if not data or data[0] > len(data) - 1:
        raise RemoteProtocolError(
            "malformed ERROR command", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR
        )
    return data[1 : 1 + data[0]].decode("utf-8", "replace")


def ping_data(ttl: int, context: bytes = b"") -> bytes:
    """Return a PING command's data; `ttl` is in deciseconds (0-65535)."""
    if not 0 <= ttl <= 0xFFFF:
        raise LocalProtocolError(f"PING ttl must be 0 to 65535 deciseconds, got {ttl}")
    if len(context) > MAX_PING_CONTEXT:
        raise LocalProtocolError("a PING context is at most 16 octets")
    return _UINT16.pack(ttl) + context


def decode_ping(data: bytes) -> tuple[int, bytes]:
    """Return (ttl, context) from a PING command's data.

    The context is cut to 16 octets, as libzmq does before echoing it.
    Raises RemoteProtocolError if the 2-octet TTL is missing.
    """
    if len(data) < 2:
        raise RemoteProtocolError(
            "PING without a TTL", PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED
        )
    return _UINT16.unpack_from(data)[0], data[2 : 2 + MAX_PING_CONTEXT]
