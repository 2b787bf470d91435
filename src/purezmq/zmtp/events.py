# Events that ZmtpConnection.next_event() / next_events() hand to the caller.
#
# Theory of operation: RFC 37 traffic is "commands and messages intermixed"
# (section "Formal Grammar"). A message is the hot path, so it is NOT wrapped:
# the caller gets a plain list[bytes], one item per frame. Everything else that
# the peer can tell us (handshake outcome, SUBSCRIBE/CANCEL, PING/PONG, ERROR,
# end of stream) is one of the small frozen dataclasses below.
#
# Two events belong to security (RFC 27 ZAP): ZapRequest asks the caller to carry
# a request to the ZAP handler and answer with ZmtpConnection.zap_reply() (or
# zap_unavailable()); AuthenticationFailed says why a handshake ended that did not
# break the protocol, and always comes before the close it explains.
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias


class NeedData(enum.Enum):
    """Type of the NEED_DATA sentinel (an enum member so that `is` narrows it)."""

    NEED_DATA = "NEED_DATA"


NEED_DATA: Final = NeedData.NEED_DATA
"""Returned by next_event() when no complete event is buffered."""

NeedDataType: TypeAlias = Literal[NeedData.NEED_DATA]


@dataclass(frozen=True, slots=True)
class HandshakeComplete:
    """The greeting and the security handshake succeeded; messages may flow.

    `version` is the negotiated ZMTP version, (3, 0) or (3, 1). `properties` is
    the peer's metadata with names as the peer sent them ("Socket-Type",
    "Identity", ...).
    """

    version: tuple[int, int]
    properties: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Subscribe:
    """The peer subscribed to `topic` (SUBSCRIBE command or 3.0 message form)."""

    topic: bytes


@dataclass(frozen=True, slots=True)
class Cancel:
    """The peer cancelled one subscription to `topic`."""

    topic: bytes


@dataclass(frozen=True, slots=True)
class Ping:
    """The peer sent PING; a PONG echoing `context` is already queued.

    `ttl` is in deciseconds, as on the wire (0 means no TTL).
    """

    ttl: int
    context: bytes = b""


@dataclass(frozen=True, slots=True)
class Pong:
    """The peer answered one of our PINGs."""

    context: bytes = b""


@dataclass(frozen=True, slots=True)
class PeerError:
    """The peer sent an ERROR command; the connection is closed after it."""

    reason: str


@dataclass(frozen=True, slots=True)
class ZapRequest:
    """Our mechanism must ask the ZAP handler (RFC 27) before the handshake goes on.

    `frames` is the request as RFC 27 draws it: version, request id, domain,
    address, identity, mechanism, then the credentials. The handshake waits for
    ZmtpConnection.zap_reply() (or zap_unavailable() when no handler is bound).
    """

    frames: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class AuthenticationFailed:
    """The handshake ended because authentication failed; ConnectionClosed follows.

    `status_code` is the ZAP status code, 300, 400 or 500: the value of libzmq's
    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH. It is 0 when no ZAP handler was bound and the
    mechanism may not admit a peer without one (libzmq reports that as
    HANDSHAKE_FAILED_NO_DETAIL with errno EFAULT).

    `by_peer` False: our ZAP handler refused the peer; an ERROR command carrying
    the status code is queued (none for 300, a temporary failure, as libzmq does).
    `by_peer` True: the peer refused us; its ERROR command carried the status
    code, and PeerError follows. `reason` is the ZAP status text, or the peer's
    ERROR reason.
    """

    status_code: int
    reason: str = ""
    by_peer: bool = False


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The peer closed its side (EOF). Any partial message was dropped."""


Event: TypeAlias = (
    HandshakeComplete
    | Subscribe
    | Cancel
    | Ping
    | Pong
    | PeerError
    | ZapRequest
    | AuthenticationFailed
    | ConnectionClosed
)
