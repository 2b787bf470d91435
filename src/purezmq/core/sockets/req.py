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

With REQ_RELAXED a request may be sent before the previous reply came (that reply is
then discarded); with REQ_CORRELATE a 4-octet request id precedes the delimiter and a
reply whose id is not the latest request's is discarded (libzmq req.cpp).
"""

from __future__ import annotations

import os
import struct
from typing import Any

from ..errors import EFSM, CoreError
from ..option_ids import Opt
from ..pipe import Msg, Pipe
from ..socket_base import require_int_flag
from .dealer import Dealer


class Req(Dealer):
    """REQ; REQ_RELAXED lets a new request replace one still waiting for its reply, and
    REQ_CORRELATE prefixes each request with a 4-octet id its reply must echo (libzmq)."""

    alternates = True
    type_id = 3
    type_name = "REQ"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.receiving_reply = False
        self.reply_pipe: Pipe | None = None
        self.relaxed = 0
        self.correlate = 0
        # libzmq starts from a random id; the id only has to differ between requests.
        # (os.urandom: the random module would add to every ``import purezmq``.)
        self.request_id = int.from_bytes(os.urandom(4), "big")

    def xcheck_send(self) -> None:
        if self.receiving_reply and not self.relaxed:
            raise CoreError(EFSM, "REQ must receive the reply before sending again")
        super().xcheck_send()

    def xsend(self, msg: Msg) -> None:
        if self.receiving_reply and not self.relaxed:
            raise CoreError(EFSM, "REQ must receive the reply before sending again")
        envelope = [b""]
        if self.correlate:
            self.request_id = (self.request_id + 1) & 0xFFFFFFFF
            envelope = [struct.pack("=I", self.request_id), b""]
        self.reply_pipe = self.lb.send((*envelope, *msg))
        self.receiving_reply = True

    def xrecv(self) -> Msg | None:
        if not self.receiving_reply:
            raise CoreError(EFSM, "REQ must send a request before receiving")
        fq = self.fq
        while True:
            msg = fq.recv()
            if msg is None:
                return None
            reply = self._reply(fq.last_pipe, msg)
            if reply is not None:
                return reply
            # Not the reply to our latest request, or malformed: discarded.

    def xaccept(self, pipe: Pipe, msg: Msg) -> Msg | None:
        if not self.receiving_reply:
            return None  # xrecv raises EFSM
        self.fq.last_pipe = pipe
        return self._reply(pipe, msg)  # one to discard goes the pipe's way

    def _reply(self, pipe: Pipe, msg: Msg) -> Msg | None:
        """The body of ``msg`` from ``pipe`` if it is the reply to the latest request
        (the request is then answered), else None."""
        skip = 2 if self.correlate else 1
        if pipe is not self.reply_pipe or len(msg) <= skip or msg[skip - 1]:
            return None
        if self.correlate and msg[0] != struct.pack("=I", self.request_id):
            return None
        self.receiving_reply = False
        self.reply_pipe = None
        return msg[skip:]

    def xhas_in(self) -> bool:
        return self.receiving_reply and self.fq.has_in()

    def xhas_out(self) -> bool:
        return (not self.receiving_reply or bool(self.relaxed)) and self.lb.has_out()

    def xpipe_terminated(self, pipe: Pipe) -> None:
        super().xpipe_terminated(pipe)
        if pipe is self.reply_pipe:
            self.reply_pipe = None

    def xsetsockopt(self, option: int, value: Any) -> bool:
        if option == Opt.REQ_RELAXED:
            self.relaxed = require_int_flag("REQ_RELAXED", value)
        elif option == Opt.REQ_CORRELATE:
            self.correlate = require_int_flag("REQ_CORRELATE", value)
        else:
            return super().xsetsockopt(option, value)
        return True

    def xgetsockopt(self, option: int) -> tuple[bool, Any]:
        if option == Opt.REQ_RELAXED:
            return True, self.relaxed
        if option == Opt.REQ_CORRELATE:
            return True, self.correlate
        return super().xgetsockopt(option)
