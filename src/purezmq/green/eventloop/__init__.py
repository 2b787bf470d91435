"""``zmq.green.eventloop``: tornado's IOLoop, as pyzmq's green package has it."""

from __future__ import annotations

from .ioloop import IOLoop

__all__ = ["IOLoop"]
