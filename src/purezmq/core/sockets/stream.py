"""STREAM: raw TCP (or ipc) with peers that do not speak ZeroMQ (zmq_socket(3), ZMQ_STREAM).

Theory of operation: STREAM routes like ROUTER, but its connections carry plain bytes.
The engine's raw session (``engine/raw.py``) has no greeting, no handshake and no
framing. Each read from the connection becomes one message on the pipe, and each
message written to the pipe is written to the connection as it is. This type only
routes: it puts the routing id in front of what comes in, and uses the routing id to
pick the connection for what goes out.

General behavior:
- MAY be connected to any number of peers, connected or accepted; each connection
  gets a routing id: CONNECT_ROUTING_ID for the next connect(), else a generated one
  (a zero octet and four more, as ROUTER's).
- ROUTING_ID reads back the last generated id. After connect(), that is how the
  application learns its peer's id (libzmq does the same).
- With STREAM_NOTIFY (on by default) the session sends an empty message when a
  connection opens and when it ends. The application receives it as
  ``[routing id, b""]``.
For processing outgoing messages:
- SHALL take the first frame as the routing id of the connection to write to, and
  raise EHOSTUNREACH if there is none. STREAM is always "mandatory": EAGAIN when that
  connection's queue is full. Sent frame by frame, both errors come at the routing id.
- SHALL write the next frame's bytes to that connection. SNDMORE on it is ignored;
  frames after it are dropped, as libzmq drops them.
- SHALL close the connection when that frame is empty, once what was sent before it
  has been written. The application gets no notice for a connection it closed.
For processing incoming messages:
- SHALL fair-queue over its connections, one read of one connection per message.
- SHALL prefix each message with the routing id of the connection it came from.
"""

from __future__ import annotations

from typing import Any

from ..errors import EHOSTUNREACH, EINVAL, CoreError, WouldBlock
from ..option_ids import Opt
from ..pipe import Msg, Pipe
from ..routing import FairQueue, generated_routing_ids
from ..socket_base import SocketBase, require_zero_or_one


class Stream(SocketBase):
    type_id = 11
    type_name = "STREAM"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fq = FairQueue()
        self._read_activation = self.fq.activated
        self.out_pipes: dict[bytes, Pipe] = {}
        self.notify = 1  # STREAM_NOTIFY, read by the raw sessions when a connection opens
        self.connect_routing_id = b""  # CONNECT_ROUTING_ID, taken by the next connect()
        self.last_generated_id = b""  # what ROUTING_ID reads back (libzmq: options.routing_id)
        self._next_id = generated_routing_ids()

    def take_connect_routing_id(self) -> bytes:
        routing_id, self.connect_routing_id = self.connect_routing_id, b""
        if routing_id and routing_id in self.out_pipes:
            raise CoreError(EINVAL, f"routing id {routing_id!r} is already in use")
        return routing_id

    def xattach_pipe(self, pipe: Pipe) -> None:
        routing_id = pipe.routing_id
        if not routing_id or routing_id in self.out_pipes:
            routing_id = self._next_id()
            while routing_id in self.out_pipes:
                routing_id = self._next_id()
            self.last_generated_id = routing_id
        pipe.routing_id = routing_id
        self.out_pipes[routing_id] = pipe
        self.fq.attach(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        if self.out_pipes.get(pipe.routing_id) is pipe:
            del self.out_pipes[pipe.routing_id]
        self.fq.terminated(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        pass  # a blocked send retries on the socket's wake-up; no pipe is set aside

    # -- sending ------------------------------------------------------------

    def send_frame(self, frame: bytes, more: bool) -> None:
        """The routing id is checked as it comes, and the data frame after it goes out
        whatever its MORE flag says, as libzmq's STREAM does."""
        if self._out_parts:
            self.send((frame,))
        elif more:
            self._route(frame)
            self._out_parts.append(frame)
        # else: a lone frame with no routing id before it: nothing to route (libzmq too)

    def xsend(self, msg: Msg) -> None:
        if len(msg) < 2:
            return  # a routing id with no data: nothing to write (libzmq drops it too)
        pipe = self._route(msg[0])
        data = msg[1]
        if not data:
            self.detach_pipe(pipe)  # what was written before goes out, then it closes
        elif not pipe.try_write((data,)):
            if not pipe.open:
                raise CoreError(EHOSTUNREACH, "the connection is gone")
            raise WouldBlock("the connection's queue is full")

    def _route(self, routing_id: bytes) -> Pipe:
        """The pipe of ``routing_id``: EHOSTUNREACH if none, WouldBlock if it is full."""
        pipe = self.out_pipes.get(routing_id)
        if pipe is None and self._mailbox:
            self.process_commands()  # a connection accepted since the last call
            pipe = self.out_pipes.get(routing_id)
        if pipe is None:
            raise CoreError(EHOSTUNREACH, f"no connection with routing id {routing_id!r}")
        if not pipe.check_write():
            if not pipe.open:
                raise CoreError(EHOSTUNREACH, "the connection is gone")
            raise WouldBlock("the connection's queue is full")
        return pipe

    # -- receiving ----------------------------------------------------------

    def xlast_pipe(self) -> Pipe | None:
        return self.fq.last_pipe

    def xrecv(self) -> Msg | None:
        msg = self.fq.recv()
        if msg is None:
            return None
        return (self.fq.last_pipe.routing_id, *msg)

    def xhas_in(self) -> bool:
        return self.fq.has_in()

    def xhas_out(self) -> bool:
        return True  # whether a send goes through depends on its routing id (libzmq)

    # -- options ------------------------------------------------------------

    def xsetsockopt(self, option: int, value: Any) -> bool:
        if option == Opt.CONNECT_ROUTING_ID:
            if not isinstance(value, bytes) or not value:
                raise CoreError(EINVAL, "socket option CONNECT_ROUTING_ID takes non-empty bytes")
            self.connect_routing_id = value
            return True
        if option == Opt.STREAM_NOTIFY:
            self.notify = require_zero_or_one("STREAM_NOTIFY", value)
            return True
        return False

    def xgetsockopt(self, option: int) -> tuple[bool, Any]:
        if option == Opt.ROUTING_ID and self.last_generated_id:
            return True, self.last_generated_id
        return False, None
