"""REQ (RFC 28): DEALER with an envelope and strict send/recv alternation.

General behavior:
- MAY be connected to any number of REP or ROUTER peers.
- SHALL send and then receive exactly one message at a time (EFSM otherwise).
For processing outgoing messages:
- SHALL prefix the outgoing message with an empty delimiter frame.
- SHALL route outgoing messages to available peers using a round-robin strategy.
- SHALL block (or raise Again) when no peer is available; SHALL NOT discard messages.
For processing incoming messages:
- SHALL accept an incoming message only from the last peer that it sent a request to.
- SHALL discard silently any messages received from other peers.
- SHALL discard a reply that does not start with an empty delimiter, and strip the delimiter.
"""

from __future__ import annotations

from ..errors import EFSM, CoreError
from ..pipe import Msg, Pipe
from .dealer import Dealer


class Req(Dealer):
    direct_send = True
    type_id = 3
    type_name = "REQ"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.receiving_reply = False
        self.reply_pipe: Pipe | None = None

    def xcheck_send(self) -> None:
        if self.receiving_reply:
            raise CoreError(EFSM, "REQ must receive the reply before sending again")
        super().xcheck_send()

    def xsend(self, msg: Msg) -> None:
        if self.receiving_reply:
            raise CoreError(EFSM, "REQ must receive the reply before sending again")
        self.reply_pipe = self.lb.send([b"", *msg])
        self.receiving_reply = True

    def xrecv(self) -> Msg:
        if not self.receiving_reply:
            raise CoreError(EFSM, "REQ must send a request before receiving")
        while True:
            msg, pipe = self.fq.recv()
            if pipe is not self.reply_pipe or len(msg) < 2 or msg[0]:
                continue  # not the reply to our request, or malformed: discard
            self.receiving_reply = False
            self.reply_pipe = None
            return msg[1:]

    def xhas_in(self) -> bool:
        return self.receiving_reply and self.fq.has_in()

    def xhas_out(self) -> bool:
        return not self.receiving_reply and self.lb.has_out()

    def xpipe_terminated(self, pipe: Pipe) -> None:
        super().xpipe_terminated(pipe)
        if pipe is self.reply_pipe:
            self.reply_pipe = None
