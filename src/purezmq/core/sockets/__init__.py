"""The socket types, by libzmq type number (``include/zmq.h``)."""

from __future__ import annotations

from ..socket_base import SocketBase
from .dealer import Dealer
from .pair import Pair
from .pub import Pub
from .pull import Pull
from .push import Push
from .rep import Rep
from .req import Req
from .router import Router
from .stream import Stream
from .sub import Sub
from .xpub import XPub
from .xsub import XSub

SOCKET_TYPES: dict[int, type[SocketBase]] = {
    cls.type_id: cls for cls in (
        Pair, Pub, Sub, Req, Rep, Dealer, Router, Pull, Push, XPub, XSub, Stream
    )
}

def make_socket(type_id: int) -> SocketBase:
    """A new core socket of libzmq type ``type_id``; KeyError if there is none."""
    return SOCKET_TYPES[type_id]()


__all__ = ["SOCKET_TYPES", "make_socket"]
