"""``zmq.green.eventloop.ioloop``: the same names as ``zmq.eventloop.ioloop``."""

from __future__ import annotations

from ...eventloop.ioloop import *  # noqa: F403
from ...eventloop.ioloop import IOLoop

__all__ = ["IOLoop"]
