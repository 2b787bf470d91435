# Events that ZmtpConnection.next_event() / next_events() hand to the caller.
#
# Theory of operation: RFC 37 traffic is "commands and messages intermixed"
# (section "Formal Grammar"). A message is the hot path, so it is NOT wrapped:
# the caller gets a plain list[bytes], one item per frame. Everything else that
# the peer can tell us (handshake outcome, SUBSCRIBE/CANCEL, PING/PONG, ERROR,
# end of stream) is one of the small frozen dataclasses below.
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
class ConnectionClosed:
    """The peer closed its side (EOF). Any partial message was dropped."""


Event: TypeAlias = (
    HandshakeComplete | Subscribe | Cancel | Ping | Pong | PeerError | ConnectionClosed
)
