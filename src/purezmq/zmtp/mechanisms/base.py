# The security-mechanism interface, and the metadata every mechanism carries.
#
# Theory of operation (RFC 37, "Authentication and Confidentiality" and
# "Connection Metadata"; libzmq src/mechanism.hpp): after the greeting, the
# mechanism owns the connection until it reports READY or ERROR. The connection
# asks it for commands to send (next_handshake_command) and hands it every
# command received (process_handshake_command). Whatever the mechanism, it ends
# by exchanging metadata: our properties (Socket-Type, Identity), given at
# construction, and the peer's, left in `peer_properties`.
#
# After the handshake, encode_frame/decode_frame see every frame. NULL and
# PLAIN leave frames alone (`transforms_frames` is False, and the connection
# then skips the hooks altogether); CURVE (RFC 26) will turn each frame into a
# MESSAGE command and back. ZAP (RFC 27) is a hook pair, zap_request /
# process_zap_reply: a mechanism that needs authentication returns the request
# frames, the engine carries them to inproc://zeromq.zap.01 and feeds the
# reply back. The connection does not drive ZAP yet (no mechanism here needs
# it); PLAIN and CURVE will.
from __future__ import annotations

import abc
import enum
from collections.abc import Mapping, Sequence
from typing import ClassVar, Final

from ..errors import LocalProtocolError

SOCKET_TYPES: Final = frozenset(
    {"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB"}
)

VALID_PEERS: Final[dict[str, frozenset[str]]] = {
    "REQ": frozenset({"REP", "ROUTER"}),
    "REP": frozenset({"REQ", "DEALER"}),
    "DEALER": frozenset({"REP", "DEALER", "ROUTER"}),
    "ROUTER": frozenset({"REQ", "DEALER", "ROUTER"}),
    "PUB": frozenset({"SUB", "XSUB"}),
    "XPUB": frozenset({"SUB", "XSUB"}),
    "SUB": frozenset({"PUB", "XPUB"}),
    "XSUB": frozenset({"PUB", "XPUB"}),
    "PUSH": frozenset({"PULL"}),
    "PULL": frozenset({"PUSH"}),
    "PAIR": frozenset({"PAIR"}),
}
"""RFC 37 "The Socket-Type Property": which peer types each type accepts."""

# libzmq's null_mechanism sends Identity only from these types (RFC 37,
# "The Identity Property": it only matters to a ROUTER).
_SENDS_IDENTITY: Final = frozenset({"REQ", "DEALER", "ROUTER"})


class MechanismStatus(enum.Enum):
    """libzmq's mechanism_t::status_t."""

    HANDSHAKING = "HANDSHAKING"
    READY = "READY"
    ERROR = "ERROR"


def socket_properties(socket_type: str, identity: bytes = b"") -> dict[str, bytes]:
    """Return the metadata a socket of `socket_type` announces.

    Socket-Type always; Identity for REQ, DEALER and ROUTER, as libzmq does.
    Raises LocalProtocolError for an unknown type or an identity over 255 octets.
    """
    if socket_type not in SOCKET_TYPES:
        raise LocalProtocolError(f"unknown socket type {socket_type!r}")
    if len(identity) > 255:
        raise LocalProtocolError("an identity is at most 255 octets")
    properties = {"Socket-Type": socket_type.encode("ascii")}
    if socket_type in _SENDS_IDENTITY:
        properties["Identity"] = identity
    return properties


def find_property(properties: Mapping[str, bytes], name: str) -> bytes | None:
    """Return the value of `name` in `properties`, ignoring case (RFC 37), or None."""
    wanted = name.lower()
    for key, value in properties.items():
        if key.lower() == wanted:
            return value
    return None


def peer_type_allowed(our_type: str, peer_type: str | None) -> bool:
    """Return True if `peer_type` is a legal peer for `our_type` (RFC 37 table)."""
    return peer_type in VALID_PEERS.get(our_type, frozenset())


class Mechanism(abc.ABC):
    """A ZMTP security mechanism, shaped like libzmq's mechanism_t.

    Attributes the connection reads: `name` (as in the greeting), `as_server`,
    `status`, `peer_properties` (valid once READY) and `peer_error` (the
    reason of an ERROR command the peer sent, if any).
    """

    name: ClassVar[bytes]
    transforms_frames: ClassVar[bool] = False

    def __init__(self, properties: Mapping[str, bytes], *, as_server: bool = False) -> None:
        self.properties: dict[str, bytes] = dict(properties)
        self.as_server = as_server
        self.status = MechanismStatus.HANDSHAKING
        self.peer_properties: dict[str, bytes] = {}
        self.peer_error: str | None = None

    def __repr__(self) -> str:
        role = "server" if self.as_server else "client"
        return f"<{type(self).__name__} {role} {self.status.name}>"

    @abc.abstractmethod
    def next_handshake_command(self) -> tuple[bytes, bytes] | None:
        """Return the next handshake command to send as (name, data), or None."""

    @abc.abstractmethod
    def process_handshake_command(self, name: bytes, data: bytes) -> None:
        """Take one handshake command from the peer.

        Updates `status`; raises RemoteProtocolError if the command is wrong.
        """

    def encode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        """Return the (flags, body) to put on the wire for one outgoing frame."""
        return flags, body

    def decode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        """Return the (flags, body) the peer meant, from one received frame."""
        return flags, body

    def zap_request(self) -> list[bytes] | None:
        """Return the frames of a ZAP request to send (RFC 27), or None."""
        return None

    def process_zap_reply(self, frames: Sequence[bytes]) -> None:
        """Take the ZAP handler's reply; raises if no request is pending."""
        raise LocalProtocolError(f"{type(self).__name__} sent no ZAP request")
