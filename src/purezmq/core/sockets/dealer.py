"""DEALER (RFC 28).

General behavior:
- MAY be connected to any number of REP or ROUTER peers, and MAY both send and receive.
For processing outgoing messages:
- SHALL consider a peer available only when its queue is not full.
- SHALL route outgoing messages to available peers using a round-robin strategy.
- SHALL block (or raise Again) when no peer is available; SHALL NOT discard messages.
For processing incoming messages:
- SHALL receive incoming messages from its peers using a fair-queuing strategy.
- SHALL deliver these to its calling application.
"""

from __future__ import annotations

from typing import Any

from ..errors import WouldBlock
from ..option_ids import Opt
from ..pipe import Msg, Pipe
from ..routing import FairQueue, LoadBalancer
from ..socket_base import SocketBase, require_int_flag


class Dealer(SocketBase):
    alternates = True
    type_id = 5
    type_name = "DEALER"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lb = LoadBalancer()
        self.fq = FairQueue()
        self._read_activation = self.fq.activated
        self.probe_router = 0

    def xattach_pipe(self, pipe: Pipe) -> None:
        if self.probe_router and not pipe.probed:
            pipe.write([b""])  # PROBE_ROUTER: an empty message greets each new peer
        self.fq.attach(pipe)
        self.lb.attach(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.fq.terminated(pipe)
        self.lb.terminated(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        self.lb.activated(pipe)

    def xcheck_send(self) -> None:
        if not self.lb.has_out():
            raise WouldBlock("no peer can take a message now")

    def xsend(self, msg: Msg) -> None:
        self.lb.send(msg)

    def xlast_pipe(self) -> Pipe | None:
        return self.fq.last_pipe

    def xrecv(self) -> Msg | None:
        return self.fq.recv()

    def xaccept(self, pipe: Pipe, msg: Msg) -> Msg | None:
        self.fq.last_pipe = pipe
        return msg

    def xhas_in(self) -> bool:
        return self.fq.has_in()

    def xhas_out(self) -> bool:
        return self.lb.has_out()

    def xsetsockopt(self, option: int, value: Any) -> bool:
        if option == Opt.PROBE_ROUTER:
            self.probe_router = require_int_flag("PROBE_ROUTER", value)
            return True
        return False

    def xgetsockopt(self, option: int) -> tuple[bool, Any]:
        if option == Opt.PROBE_ROUTER:
            return True, self.probe_router
        return False, None
