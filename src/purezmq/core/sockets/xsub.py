"""XSUB (RFC 29): SUB whose subscriptions are messages the application sends.

General behavior:
- MAY be connected to any number of PUB or XPUB peers.
For processing outgoing messages:
- SHALL treat a message starting with 0x01 as a subscription and 0x00 as an
  unsubscription; SHALL send subscriptions to every peer, and send an unsubscription
  only when it removes the last subscription to that topic. Other messages go to every
  peer as they are.
- SHALL send every current subscription to a peer when it connects (so subscriptions
  survive a reconnect).
For processing incoming messages:
- SHALL receive messages from its peers using a fair-queuing strategy.
- SHALL deliver only messages whose first frame matches a subscription (publishers
  filter too, but a 3.0 peer or a race may send more).
"""

from __future__ import annotations

from typing import Any

from ..option_ids import Opt
from ..options import check_value
from ..pipe import Msg, Pipe
from ..routing import Distributor, FairQueue
from ..socket_base import SocketBase
from ..trie import Trie


class XSub(SocketBase):
    type_id = 10
    type_name = "XSUB"
    sends_subscriptions = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fq = FairQueue()
        self._read_activation = self.fq.activated
        self.dist = Distributor()
        self.subscriptions = Trie()
        self.prefetched: Msg | None = None
        self.invert = 0

    def xattach_pipe(self, pipe: Pipe) -> None:
        self.fq.attach(pipe)
        self.dist.attach(pipe)
        self.xhiccuped(pipe)

    def xhiccuped(self, pipe: Pipe) -> None:
        """Send every subscription to ``pipe`` (a new peer, or a reconnected one)."""
        for topic in self.subscriptions:
            # Written past the HWM on purpose: a lost subscription would be lost for good.
            pipe.write([b"\x01" + topic])

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.fq.terminated(pipe)
        self.dist.terminated(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        pass

    def xsend(self, msg: Msg) -> None:
        first = msg[0]
        kind = first[:1]
        if kind == b"\x01":
            self.subscriptions.add(first[1:])
        elif kind == b"\x00":
            if not self.subscriptions.remove(first[1:]):
                return  # other subscriptions to this topic remain
        else:
            # Data for the publishers: a full one misses it (RFC 29).
            self.dist.send_to(msg, self.dist.pipes)
            return
        for pipe in self.dist.pipes:
            # Written past the HWM on purpose: a lost subscription would be lost for good.
            pipe.write(msg)

    def xlast_pipe(self) -> Pipe | None:
        return self.fq.last_pipe

    def xrecv(self) -> Msg | None:
        msg = self.prefetched
        if msg is not None:
            self.prefetched = None
            return msg
        match = self.subscriptions.match
        invert = self.invert
        while True:
            msg = self.fq.recv()
            if msg is None:
                return None
            if match(msg[0]) != invert:  # INVERT_MATCHING: deliver what does not match
                return msg

    def xhas_in(self) -> bool:
        if self.prefetched is not None:
            return True
        self.prefetched = self.xrecv()
        return self.prefetched is not None

    def xhas_out(self) -> bool:
        return True

    def xsetsockopt(self, option: int, value: Any) -> bool:
        if option == Opt.INVERT_MATCHING:
            self.invert = int(bool(check_value(Opt.INVERT_MATCHING, value) and value))
            return True
        return False

    def xgetsockopt(self, option: int) -> tuple[bool, Any]:
        if option == Opt.INVERT_MATCHING:
            return True, self.invert
        if option == Opt.TOPICS_COUNT:
            return True, len(self.subscriptions)
        return False, None
