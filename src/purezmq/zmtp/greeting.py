# The 64-octet ZMTP greeting: build ours, judge the peer's.
#
# Theory of operation (RFC 37, "Formal Grammar" and "Version Negotiation"):
#
#   greeting  = signature version mechanism as-server filler
#   signature = %xFF padding(8) %x7F        octets 0-9
#   version   = major minor                 octets 10-11
#   mechanism = 20 octets, null padded      octets 12-31
#   as-server = %x00 | %x01                 octet  32
#   filler    = 31 zero octets              octets 33-63
#
# We send the whole greeting at once (the RFC's second strategy: we demand ZMTP
# 3.x and do not downgrade to 1.0/2.0). The peer's greeting is judged octet by
# octet as it arrives, so that garbage is refused at once:
#   - octet 0 must be %xFF and bit 0 of octet 9 must be set; libzmq reads any
#     other value as a ZMTP 1.0 peer, which we do not speak;
#   - octet 10 (major) must be >= 3; 1 and 2 are ZMTP 2.0 peers, and any higher
#     major MUST be accepted (RFC 37) and is spoken to as 3.1, like libzmq does;
#   - octets 12-31 must equal our mechanism name exactly ("If the mechanism that
#     the peer received does not exactly match the mechanism it sent, it MUST
#     close the connection").
# The padding, the as-server octet and the filler are not validated: the RFC
# says padding "MUST NOT" be, and libzmq checks neither of the other two.
from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .errors import (
    PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    LocalProtocolError,
    RemoteProtocolError,
)

GREETING_SIZE: Final = 64
SIGNATURE_SIZE: Final = 10
MECHANISM_OFFSET: Final = 12
MECHANISM_SIZE: Final = 20
AS_SERVER_OFFSET: Final = 32
OUR_VERSION: Final = (3, 1)

_MECHANISM_CHARS: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+")


@dataclass(frozen=True, slots=True)
class PeerGreeting:
    """What the peer's greeting told us.

    `version` is the negotiated version (3, 0) or (3, 1); `peer_version` is the
    version the peer announced.
    """

    version: tuple[int, int]
    peer_version: tuple[int, int]
    mechanism: bytes
    as_server: bool


def pad_mechanism(name: bytes) -> bytes:
    """Return `name` null-padded to the 20-octet mechanism field.

    Raises LocalProtocolError for an empty, over-long or non-RFC name.
    """
    if not 0 < len(name) <= MECHANISM_SIZE or not set(name) <= _MECHANISM_CHARS:
        raise LocalProtocolError(f"invalid mechanism name {name!r}")
    return name.ljust(MECHANISM_SIZE, b"\x00")


def build_greeting(mechanism: bytes, as_server: bool = False) -> bytes:
    """Return our complete 64-octet ZMTP 3.1 greeting."""
    signature = b"\xff" + bytes(8) + b"\x7f"
    version = bytes(OUR_VERSION)
    tail = (b"\x01" if as_server else b"\x00") + bytes(31)
    return signature + version + pad_mechanism(mechanism) + tail


def check_greeting_prefix(prefix: bytes, mechanism: bytes) -> None:
    """Refuse a peer greeting as soon as its first octets prove it bad.

    `prefix` is the first 0 to 64 octets received; `mechanism` is our
    mechanism name. Returns None when nothing is wrong so far; raises
    RemoteProtocolError (with its ZMQ_PROTOCOL_ERROR_* code) otherwise.
    """
    size = len(prefix)
    if size > 0 and prefix[0] != 0xFF:
        raise RemoteProtocolError("bad greeting signature (ZMTP 1.0 peer?)")
    if size > 9 and not prefix[9] & 0x01:
        raise RemoteProtocolError("bad greeting signature (ZMTP 1.0 peer?)")
    if size > 10 and prefix[10] < 3:
        raise RemoteProtocolError(
            f"peer speaks ZMTP major version {prefix[10]}; 3 or later is required",
            PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
        )
    received = prefix[MECHANISM_OFFSET : MECHANISM_OFFSET + MECHANISM_SIZE]
    if received != pad_mechanism(mechanism)[: len(received)]:
        raise RemoteProtocolError(
            f"mechanism mismatch: ours {mechanism!r}, peer's {received.rstrip(bytes(1))!r}",
            PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
        )


def parse_greeting(greeting: bytes, mechanism: bytes) -> PeerGreeting:
    """Judge a complete 64-octet peer greeting against our `mechanism`.

    Returns the PeerGreeting; raises RemoteProtocolError if it is unacceptable.
    """
    if len(greeting) != GREETING_SIZE:
        raise LocalProtocolError("parse_greeting needs exactly 64 octets")
    check_greeting_prefix(greeting, mechanism)
    peer_version = (greeting[10], greeting[11])
    return PeerGreeting(
        version=min(OUR_VERSION, peer_version),
        peer_version=peer_version,
        mechanism=greeting[MECHANISM_OFFSET : MECHANISM_OFFSET + MECHANISM_SIZE].rstrip(b"\x00"),
        as_server=greeting[AS_SERVER_OFFSET] == 1,
    )
