"""PAIR (RFC 31, exclusive pair).

General behavior:
- MAY be connected to at most one PAIR peer at any time; further connections are refused.
For processing outgoing messages:
- SHALL NOT discard messages; SHALL block (or raise Again) when the peer's queue is full
  or there is no peer.
For processing incoming messages:
- SHALL receive messages from its peer in order.
"""

from __future__ import annotations

from ..errors import WouldBlock
from ..pipe import Msg, Pipe
from ..socket_base import SocketBase


class Pair(SocketBase):
    alternates = True
    type_id = 0
    type_name = "PAIR"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.pipe: Pipe | None = None

    def xattach_pipe(self, pipe: Pipe) -> None:
        if self.pipe is None:
            self.pipe = pipe
        else:
            self.detach_pipe(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        if pipe is self.pipe:
            self.pipe = None

    def xread_activated(self, pipe: Pipe) -> None:
        pass  # one pipe: recv always tries it

    def xwrite_activated(self, pipe: Pipe) -> None:
        pass

    def xsend(self, msg: Msg) -> None:
        pipe = self.pipe
        if pipe is None or not pipe.check_write():
            raise WouldBlock("the PAIR peer cannot take a message now")
        pipe.write(msg)

    def xlast_pipe(self) -> Pipe | None:
        return self.pipe

    def xrecv(self) -> Msg | None:
        pipe = self.pipe
        return pipe.read() if pipe is not None else None

    def xhas_in(self) -> bool:
        return self.pipe is not None and self.pipe.check_read()

    def xhas_out(self) -> bool:
        return self.pipe is not None and self.pipe.check_write()
