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
# Handshake commands are encoded and split by encode_handshake_command /
# split_handshake_command: RFC 37's codec, which PLAIN overrides for libzmq
# 4.3's malformed ERROR (plain.py). After the handshake, encode_frame /
# decode_frame see every frame. NULL and PLAIN leave frames alone
# (`transforms_frames` is False, and the connection then skips the hooks
# altogether); CURVE (RFC 26) turns each frame into a MESSAGE command and back.
#
# ZAP (RFC 27; libzmq src/zap_client.cpp) is shared here: a mechanism that
# must authenticate its peer calls self._zap.ask(credentials); the connection
# takes the request with zap_request(), the engine carries it to the handler
# and feeds the reply to process_zap_reply() (or calls zap_unavailable() when
# no handler is bound). Status 200 admits the peer (_zap_admitted, each
# mechanism's own next step); anything else is a refusal: `auth_failure` holds
# the status code, and an ERROR command carrying it is sent, except for 300
# (a temporary failure closes silently, as libzmq's
# zap_client_common_handshake_t does). Without a handler, NULL and CURVE admit
# the peer unless ZAP_ENFORCE_DOMAIN is set; PLAIN never does.
from __future__ import annotations

import abc
import enum
from collections.abc import Mapping, Sequence
from typing import ClassVar, Final

from ..codec import ERROR, encode_command, error_data, split_command
from ..errors import LocalProtocolError
from .zap import ZapExchange

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
    reason of an ERROR command the peer sent, if any). After a ZAP reply:
    `user_id` and `zap_properties` (its User-Id and metadata), or
    `auth_failure` (the status code that refused the peer; 0: no handler)
    and `auth_reason`.
    """

    name: ClassVar[bytes]
    transforms_frames: ClassVar[bool] = False

    def __init__(self, properties: Mapping[str, bytes], *, as_server: bool = False) -> None:
        self.properties: dict[str, bytes] = dict(properties)
        self.as_server = as_server
        self.status = MechanismStatus.HANDSHAKING
        self.peer_properties: dict[str, bytes] = {}
        self.peer_error: str | None = None
        self.user_id: bytes | None = None
        self.zap_properties: dict[str, bytes] = {}
        self.auth_failure: int | None = None
        self.auth_reason = ""
        self._zap: ZapExchange | None = None  # set by a mechanism that authenticates
        self._refusal: bytes | None = None  # an ERROR command's data, still to send

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

    def encode_handshake_command(self, name: bytes, data: bytes) -> bytes:
        """Return the wire frame for a handshake command (a hook for peers' quirks)."""
        return encode_command(name, data)

    def split_handshake_command(self, body: bytes) -> tuple[bytes, bytes]:
        """Split a received handshake command's body into (name, data).

        Raises RemoteProtocolError(MALFORMED_COMMAND_UNSPECIFIED) for a malformed body.
        """
        return split_command(body)

    def encode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        """Return the (flags, body) to put on the wire for one outgoing frame."""
        return flags, body

    def decode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        """Return the (flags, body) the peer meant, from one received frame."""
        return flags, body

    def zap_request(self) -> list[bytes] | None:
        """Return the frames of a ZAP request to send (RFC 27) the first time, or None."""
        return self._zap.take_request() if self._zap is not None else None

    def process_zap_reply(self, frames: Sequence[bytes]) -> None:
        """Take the ZAP handler's reply (RFC 27 frames, without an envelope).

        Raises LocalProtocolError if no request is waiting, RemoteProtocolError
        (a PROTOCOL_ERROR_ZAP_* code) if the reply is malformed.
        """
        if self._zap is None:
            raise LocalProtocolError(f"{type(self).__name__} sent no ZAP request")
        reply = self._zap.take_reply(frames)
        self.user_id = reply.user_id
        # libzmq's set_user_id puts User-Id first; the handler's metadata cannot replace it.
        extra = {key: value for key, value in reply.properties.items() if key != "User-Id"}
        self.zap_properties = {"User-Id": reply.user_id, **extra}
        if reply.status_code == 200:
            self._zap_admitted()
        else:
            self._refuse(reply.status_code, reply.status_text)

    def zap_unavailable(self) -> None:
        """No ZAP handler is bound: admit the peer, or refuse it (status 0)."""
        if self._zap is None:
            raise LocalProtocolError(f"{type(self).__name__} sent no ZAP request")
        self._zap.give_up()
        if self._admits_without_zap():
            self._zap_admitted()
        else:
            self._refuse(0, "no ZAP handler")

    def _admits_without_zap(self) -> bool:
        """libzmq's NULL and CURVE servers: admit unless ZAP_ENFORCE_DOMAIN."""
        return self._zap is not None and not self._zap.settings.enforce_domain

    def _zap_admitted(self) -> None:
        """The ZAP handler admitted the peer: each asking mechanism's next step."""
        raise LocalProtocolError(f"{type(self).__name__} does not ask ZAP")

    def _refuse(self, status_code: int, reason: str) -> None:
        self.auth_failure = status_code
        self.auth_reason = reason
        if status_code in (0, 300):
            self.status = MechanismStatus.ERROR
        else:
            self._refusal = error_data(str(status_code))

    def _refusal_command(self) -> tuple[bytes, bytes] | None:
        """The ERROR command owed to a refused peer, once; the mechanism is then in ERROR."""
        if self._refusal is None:
            return None
        data, self._refusal = self._refusal, None
        self.status = MechanismStatus.ERROR
        return ERROR, data
