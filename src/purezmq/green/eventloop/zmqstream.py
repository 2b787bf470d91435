"""``zmq.green.eventloop.zmqstream``: ZMQStream on the green package's IOLoop."""

from __future__ import annotations

from typing import Any

from ...eventloop import zmqstream
from .ioloop import IOLoop


class ZMQStream(zmqstream.ZMQStream):
    """A ZMQStream whose default IOLoop is ``IOLoop.instance()``, as pyzmq's green one."""

    def __init__(self, socket: Any, io_loop: Any = None) -> None:
        super().__init__(socket, io_loop=io_loop or IOLoop.instance())


__all__ = ["ZMQStream"]
