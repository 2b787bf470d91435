# Security mechanisms: NULL (RFC 37), PLAIN (RFC 24), and the ZAP codec (RFC 27)
# that their servers share.
from __future__ import annotations

from .base import (
    SOCKET_TYPES,
    VALID_PEERS,
    Mechanism,
    MechanismStatus,
    find_property,
    peer_type_allowed,
    socket_properties,
)
from .null import NullMechanism
from .plain import PlainClient, PlainServer
from .zap import ZAP_ENDPOINT, ZapReply, ZapSettings, build_request, parse_reply

__all__ = [
    "SOCKET_TYPES",
    "VALID_PEERS",
    "ZAP_ENDPOINT",
    "Mechanism",
    "MechanismStatus",
    "NullMechanism",
    "PlainClient",
    "PlainServer",
    "ZapReply",
    "ZapSettings",
    "build_request",
    "find_property",
    "parse_reply",
    "peer_type_allowed",
    "socket_properties",
]
