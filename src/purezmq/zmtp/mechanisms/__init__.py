# Security mechanisms (RFC 37 NULL here; PLAIN RFC 24 and CURVE RFC 25/26 later).
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

__all__ = [
    "SOCKET_TYPES",
    "VALID_PEERS",
    "Mechanism",
    "MechanismStatus",
    "NullMechanism",
    "find_property",
    "peer_type_allowed",
    "socket_properties",
]
