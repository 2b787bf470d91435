"""Reading monitor events, as pyzmq's ``zmq.utils.monitor``."""

from __future__ import annotations

import struct
from typing import Any, TypedDict

from ..constants import Event


class MonitorMessage(TypedDict):
    event: Event
    value: int
    endpoint: bytes


def parse_monitor_message(msg: list[bytes]) -> MonitorMessage:
    """Decode a monitor event: ``{"event": Event, "value": int, "endpoint": bytes}``."""
    if len(msg) != 2 or len(msg[0]) != 6:
        raise RuntimeError(f"Invalid event message format: {msg}")
    event_id, value = struct.unpack("=HI", msg[0])
    return {"event": Event(event_id), "value": value, "endpoint": msg[1]}


def recv_monitor_message(socket: Any, flags: int = 0) -> Any:
    """Receive and decode one event from a monitor socket (an awaitable for asyncio)."""
    return socket._recv_loaded(flags, parse_monitor_message, multipart=True)


__all__ = ["parse_monitor_message", "recv_monitor_message"]
