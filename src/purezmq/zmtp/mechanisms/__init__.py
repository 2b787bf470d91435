# Security mechanisms: NULL (RFC 37), PLAIN (RFC 24), CURVE (RFC 25/26, on the
# PyNaCl extra), and the ZAP codec (RFC 27) that their servers share.
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
from .curve import CurveClient, CurveServer
from .curve_box import INSTALL_HINT, CurveUnavailableError
from .null import NullMechanism
from .plain import PlainClient, PlainServer
from .zap import ZAP_ENDPOINT, ZapReply, ZapSettings, build_request, parse_reply

__all__ = [
    "INSTALL_HINT",
    "SOCKET_TYPES",
    "VALID_PEERS",
    "ZAP_ENDPOINT",
    "CurveClient",
    "CurveServer",
    "CurveUnavailableError",
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
