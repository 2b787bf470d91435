"""REP (RFC 28): ROUTER that keeps each request's envelope for its reply.

General behavior:
- MAY be connected to any number of REQ or DEALER peers.
- SHALL receive and then send exactly one message at a time (EFSM otherwise).
For processing incoming messages:
- SHALL receive incoming messages from its peers using a fair-queuing strategy.
- SHALL remove and save the envelope: every frame up to and including the first
  empty delimiter frame; SHALL discard a message that has no delimiter.
For processing outgoing messages:
- SHALL prefix the reply with the saved envelope and route it to the peer the
  request came from; if that peer is gone the reply is discarded silently.
"""

from __future__ import annotations

from typing import Any

from ..errors import EFSM, CoreError
from ..option_ids import Opt
from ..pipe import Msg, Pipe
from .router import Router


class Rep(Router):
    alternates = True
    type_id = 4
    type_name = "REP"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.sending_reply = False
        # Where the reply goes: the request's routing id, and the frames after it up to
        # and including the delimiter.
        self.reply_to = b""
        self.envelope: Msg = []

    def xcheck_send(self) -> None:
        if not self.sending_reply:
            raise CoreError(EFSM, "REP must receive a request before sending")

    def xsend(self, msg: Msg) -> None:
        if not self.sending_reply:
            raise CoreError(EFSM, "REP must receive a request before sending")
        if self.mandatory:
            super().xsend((self.reply_to, *self.envelope, *msg))
        else:
            # Router.xsend without ROUTER_MANDATORY, inlined (every reply): a peer that
            # is gone or full misses it.
            pipe = self.out_pipes.get(self.reply_to)
            if pipe is not None:
                reply = (*self.envelope, *msg)
                # A direct send first, without Pipe.try_write's frame: a REP has always
                # just received, so it is the rule (try_write tries it again otherwise).
                direct = pipe.direct
                if direct is None or not pipe.open or not direct(reply):
                    pipe.try_write(reply)
        self.envelope = []
        self.sending_reply = False

    def xrecv(self) -> Msg | None:
        if self.sending_reply:
            raise CoreError(EFSM, "REP must send the reply before receiving again")
        # Router.xrecv without notifications (REP refuses ROUTER_NOTIFY), inlined.
        fq = self.fq
        while True:
            msg = fq.recv()
            if msg is None:
                return None
            body = self._request(fq.last_pipe, msg)
            if body is not None:
                return body
            # No delimiter, or nothing after it: malformed, discarded as libzmq does.

    def xaccept(self, pipe: Pipe, msg: Msg) -> Msg | None:
        if self.sending_reply:
            return None  # xrecv raises EFSM
        self.fq.last_pipe = pipe
        return self._request(pipe, msg)  # a malformed one goes the pipe's way: dropped

    def _request(self, pipe: Pipe, msg: Msg) -> Msg | None:
        """Keep the envelope of a request from ``pipe`` and return its body (None if
        it has no delimiter, or nothing after it)."""
        # The envelope ends at the first empty frame.
        for i in range(len(msg) - 1):
            if not msg[i]:
                self.reply_to = pipe.routing_id
                self.envelope = msg[: i + 1]
                self.sending_reply = True
                return msg[i + 1 :]
        return None

    def xhas_in(self) -> bool:
        return not self.sending_reply and super().xhas_in()

    def xsetsockopt(self, option: int, value: Any) -> bool:
        # Notifications would read as malformed requests: ROUTER_NOTIFY is ROUTER's alone.
        return option != Opt.ROUTER_NOTIFY and super().xsetsockopt(option, value)

    def xhas_out(self) -> bool:
        return self.sending_reply
