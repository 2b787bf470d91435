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
from .sub import Sub
from .xpub import XPub
from .xsub import XSub

SOCKET_TYPES: dict[int, type[SocketBase]] = {
    cls.type_id: cls for cls in (Pair, Pub, Sub, Req, Rep, Dealer, Router, Pull, Push, XPub, XSub)
}

# RFC 37 "valid socket combinations" (also enforced on the wire by zmtp).
COMPATIBLE: dict[str, frozenset[str]] = {
    "REQ": frozenset({"REP", "ROUTER"}),
    "REP": frozenset({"REQ", "DEALER"}),
    "DEALER": frozenset({"REP", "DEALER", "ROUTER"}),
    "ROUTER": frozenset({"REQ", "DEALER", "ROUTER"}),
    "PUB": frozenset({"SUB", "XSUB"}),
    "XPUB": frozenset({"SUB", "XSUB"}),
    "SUB": frozenset({"PUB", "XPUB"}),
    "XSUB": frozenset({"PUB", "XPUB"}),
    "PUSH": frozenset({"PULL"}),
    "PULL": frozenset({"PUSH"}),
    "PAIR": frozenset({"PAIR"}),
}


def make_socket(type_id: int) -> SocketBase:
    """A new core socket of libzmq type ``type_id``; KeyError if there is none."""
    return SOCKET_TYPES[type_id]()


__all__ = ["COMPATIBLE", "SOCKET_TYPES", "make_socket"]
