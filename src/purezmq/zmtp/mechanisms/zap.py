# ZAP, the ZeroMQ Authentication Protocol: the request and reply codec.
#
# Theory of operation (RFC 27, "Formal Grammar" and "Request and Reply";
# libzmq src/zap_client.cpp): a server-side mechanism that must authenticate
# its peer asks the ZAP handler, a socket bound at inproc://zeromq.zap.01, and
# waits for its answer before the handshake goes on.
#
#   zap-request = version request-id domain address identity mechanism credentials
#   zap-reply   = version request-id status-code status-text user-id metadata
#   version     = "1.0"
#   status-code = "200" | "300" | "400" | "500"
#
# These are the RFC's frames. The empty delimiter frame that libzmq writes in
# front of them (the handler is a REP socket) belongs to whoever carries them.
# libzmq sends one request per connection, always with request id "1", and
# checks a reply in this order, each fault with its own monitor code: the frame
# count (ZAP_MALFORMED_REPLY), the version (ZAP_BAD_VERSION), the request id
# (ZAP_BAD_REQUEST_ID), the status code (ZAP_INVALID_STATUS_CODE) and the
# metadata (ZAP_INVALID_METADATA). A faulty reply fails the connection as a
# protocol error, as in libzmq, although the fault is the handler's.
#
# "identity" is OUR socket's routing id (libzmq sends options.routing_id), and
# "address" is the peer's IP address as text, as the engine knows it.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from ..codec import decode_properties
from ..errors import (
    PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID,
    PROTOCOL_ERROR_ZAP_BAD_VERSION,
    PROTOCOL_ERROR_ZAP_INVALID_METADATA,
    PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE,
    PROTOCOL_ERROR_ZAP_MALFORMED_REPLY,
    LocalProtocolError,
    RemoteProtocolError,
)

ZAP_ENDPOINT: Final = "inproc://zeromq.zap.01"
ZAP_VERSION: Final = b"1.0"
REQUEST_ID: Final = b"1"
REPLY_FRAMES: Final = 6
STATUS_CODES: Final = frozenset({200, 300, 400, 500})


@dataclass(frozen=True, slots=True)
class ZapSettings:
    """What a server mechanism puts in its ZAP request, from the socket's options.

    `domain` is ZAP_DOMAIN; `address` the peer's IP address as text (empty when
    the transport has none); `routing_id` our socket's routing id;
    `enforce_domain` is ZAP_ENFORCE_DOMAIN (refuse the peer, rather than admit
    it, when no ZAP handler is bound).
    """

    domain: bytes = b""
    address: bytes = b""
    routing_id: bytes = b""
    enforce_domain: bool = False


@dataclass(frozen=True, slots=True)
class ZapReply:
    """A ZAP reply that passed libzmq's checks."""

    status_code: int
    status_text: str
    user_id: bytes
    properties: dict[str, bytes] = field(default_factory=dict)


def build_request(
    settings: ZapSettings, mechanism: bytes, credentials: Sequence[bytes] = ()
) -> list[bytes]:
    """Return the frames of a ZAP request (without libzmq's envelope delimiter)."""
    head = [ZAP_VERSION, REQUEST_ID, settings.domain, settings.address, settings.routing_id]
    return [*head, mechanism, *credentials]


def parse_reply(frames: Sequence[bytes], request_id: bytes = REQUEST_ID) -> ZapReply:
    """Check a ZAP reply's frames in libzmq's order and return what it says.

    Raises RemoteProtocolError with the PROTOCOL_ERROR_ZAP_* code of the first fault.
    """
    if len(frames) != REPLY_FRAMES:
        raise RemoteProtocolError(
            f"ZAP reply of {len(frames)} frames, not {REPLY_FRAMES}",
            PROTOCOL_ERROR_ZAP_MALFORMED_REPLY,
        )
    version, reply_id, status, text, user_id, metadata = (bytes(frame) for frame in frames)
    if version != ZAP_VERSION:
        raise RemoteProtocolError(f"ZAP version {version!r}", PROTOCOL_ERROR_ZAP_BAD_VERSION)
    if reply_id != request_id:
        raise RemoteProtocolError(f"ZAP request id {reply_id!r}", PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID)
    code = status_code(status)
    if code is None:
        raise RemoteProtocolError(
            f"ZAP status code {status!r}", PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE
        )
    try:
        properties = decode_properties(metadata)
    except RemoteProtocolError:
        raise RemoteProtocolError(
            "malformed ZAP metadata", PROTOCOL_ERROR_ZAP_INVALID_METADATA
        ) from None
    return ZapReply(code, text.decode("utf-8", "replace"), user_id, properties)


def status_code(text: bytes | str) -> int | None:
    """Return 200, 300, 400 or 500 if `text` is exactly that status code, else None.

    This is also how libzmq reads a peer's ERROR reason (mechanism_base.cpp,
    handle_error_reason): "300", "400" and "500" there mean authentication failed.
    """
    raw = text.encode("latin-1", "replace") if isinstance(text, str) else text
    if len(raw) != 3 or not raw.isdigit():
        return None
    code = int(raw)
    return code if code in STATUS_CODES else None


class ZapExchange:
    """One connection's ZAP round, as libzmq's zap_client_t: one request, one reply."""

    def __init__(self, settings: ZapSettings, mechanism: bytes) -> None:
        self.settings = settings
        self.mechanism = mechanism
        self.pending = False  # asked, and no reply taken yet
        self._request: list[bytes] | None = None

    def __repr__(self) -> str:
        return f"<ZapExchange {self.mechanism.decode()} pending={self.pending}>"

    def ask(self, credentials: Sequence[bytes] = ()) -> None:
        """Prepare the request; take_request() hands it out once."""
        if self.pending or self._request is not None:
            raise LocalProtocolError("a connection asks the ZAP handler once")
        self._request = build_request(self.settings, self.mechanism, credentials)
        self.pending = True

    def take_request(self) -> list[bytes] | None:
        """Return the prepared request the first time, then None."""
        request, self._request = self._request, None
        return request

    def take_reply(self, frames: Sequence[bytes]) -> ZapReply:
        """Check the handler's reply (see parse_reply); LocalProtocolError if none is due."""
        if not self.pending:
            raise LocalProtocolError("no ZAP request is waiting for a reply")
        self.pending = False
        return parse_reply(frames)

    def give_up(self) -> None:
        """No handler will answer: forget the request."""
        if not self.pending:
            raise LocalProtocolError("no ZAP request is waiting for a reply")
        self.pending = False
        self._request = None
