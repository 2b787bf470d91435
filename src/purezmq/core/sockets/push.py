"""PUSH (RFC 30, pipeline).

General behavior:
- MAY be connected to any number of PULL peers, and SHALL only send messages.
For processing outgoing messages:
- SHALL consider a peer available only when its queue is not full.
- SHALL route outgoing messages to available peers using a round-robin strategy.
- SHALL block (or raise Again) when no peer is available; SHALL NOT discard messages.
"""

from __future__ import annotations

from ..errors import WouldBlock
from ..pipe import Msg, Pipe
from ..routing import LoadBalancer
from ..socket_base import SocketBase


class Push(SocketBase):
    type_id = 8
    type_name = "PUSH"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lb = LoadBalancer()
        self.xsend = self.lb.send  # type: ignore[method-assign,assignment]  # hot path

    def xattach_pipe(self, pipe: Pipe) -> None:
        self.lb.attach(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.lb.terminated(pipe)

    def xread_activated(self, pipe: Pipe) -> None:
        # Nothing but the delimiter of a departing peer ever arrives: read it.
        while pipe.read() is not None:
            pass

    def xwrite_activated(self, pipe: Pipe) -> None:
        self.lb.activated(pipe)

    def xcheck_send(self) -> None:
        if not self.lb.has_out():
            raise WouldBlock("no peer can take a message now")

    def xsend(self, msg: Msg) -> None:
        self.lb.send(msg)

    def xhas_out(self) -> bool:
        return self.lb.has_out()
