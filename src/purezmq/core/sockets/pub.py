"""PUB (RFC 29): XPUB that keeps subscriptions to itself.

General behavior:
- MAY be connected to any number of SUB or XSUB peers, and SHALL NOT receive messages.
For processing outgoing messages:
- SHALL send a message to every peer subscribed to a prefix of its first frame.
- SHALL silently drop the message for a peer whose queue is full; it never blocks.
"""

from __future__ import annotations

from ..errors import ENOTSUP, CoreError
from ..pipe import Msg
from .xpub import XPub


class Pub(XPub):
    type_id = 1
    type_name = "PUB"
    delivers_upstream = False

    def xrecv(self) -> Msg:
        raise CoreError(ENOTSUP, "PUB sockets cannot receive")

    def xhas_in(self) -> bool:
        return False
