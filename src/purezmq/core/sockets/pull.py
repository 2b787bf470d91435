"""PULL (RFC 30, pipeline).

General behavior:
- MAY be connected to any number of PUSH peers, and SHALL only receive messages.
For processing incoming messages:
- SHALL receive incoming messages from its peers using a fair-queuing strategy.
- SHALL deliver these to its calling application.
"""

from __future__ import annotations

from ..pipe import Msg, Pipe
from ..routing import FairQueue
from ..socket_base import SocketBase


class Pull(SocketBase):
    type_id = 7
    type_name = "PULL"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fq = FairQueue()
        self._read_activation = self.fq.activated
        self.xrecv = self.fq.recv  # type: ignore[method-assign]  # hot path

    def xattach_pipe(self, pipe: Pipe) -> None:
        self.fq.attach(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.fq.terminated(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        pass  # PULL never writes

    def xlast_pipe(self) -> Pipe | None:
        return self.fq.last_pipe

    def xrecv(self) -> Msg | None:
        return self.fq.recv()

    def xaccept(self, pipe: Pipe, msg: Msg) -> Msg | None:
        self.fq.last_pipe = pipe
        return msg

    def xhas_in(self) -> bool:
        return self.fq.has_in()
