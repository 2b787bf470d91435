"""Direct receive: a message for an asyncio ``recv()`` that waits skips the pipe.

When a connection on an asyncio socket's loop decodes one message while a ``recv()``
waits, every pipe is empty and no wake-up is pending, the message goes to the waiting
Future at once: no pipe, no wake-up, no fair queue (the facade's ``take_direct``
decides, with the socket type's ``xaccept`` giving the message the meaning ``xrecv``
would). This module holds the engine's half of the precondition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.pipe import Msg, Pipe
from . import SWITCHES

if TYPE_CHECKING:
    from ..link import Link


def offer_direct(session: Link, pipe: Pipe, msg: Msg) -> bool:
    """Hand ``msg`` (just decoded, alone) to a waiting ``recv()`` if one takes it: the
    shortcut is on, the pipe is open and holds nothing older. True if it was taken (the
    caller then leaves the pipe alone)."""
    receiver = session.host.direct_receiver
    return (
        receiver is not None
        and SWITCHES.direct_receive
        and pipe.open
        and not pipe.queued_out()
        and receiver(pipe.peer, msg)
    )


__all__ = ["offer_direct"]
