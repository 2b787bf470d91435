"""ROUTER (RFC 28).

General behavior:
- MAY be connected to any number of REQ, DEALER or ROUTER peers.
- SHALL give each peer a routing id: the peer's ``Identity`` property when it sent
  one that is not in use, else a generated one (a zero octet and four more).
For processing outgoing messages:
- SHALL use the first frame of the message as the routing id of the peer to send to,
  and remove it before sending.
- SHALL silently discard a message it cannot route, or one whose peer's queue is full
  (with ROUTER_MANDATORY: EHOSTUNREACH, and EAGAIN for a full queue).
For processing incoming messages:
- SHALL receive incoming messages from its peers using a fair-queuing strategy.
- SHALL prefix each message with the routing id of the peer it came from.

A peer whose ``Identity`` is already taken is kept connected but ignored, as libzmq
does without ROUTER_HANDOVER.

CONNECT_ROUTING_ID names the peer of the next connect() ourselves instead of taking
its ``Identity``. ROUTER_NOTIFY delivers ``[routing id, b""]`` when a peer connects
(NOTIFY_CONNECT, before its first message) and when it goes (NOTIFY_DISCONNECT,
after its last); only peers that finished their handshake are announced.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ..errors import EHOSTUNREACH, EINVAL, CoreError, WouldBlock
from ..option_ids import Opt
from ..pipe import Msg, Pipe
from ..routing import FairQueue, generated_routing_ids
from ..socket_base import SocketBase, require_int_flag

NOTIFY_CONNECT, NOTIFY_DISCONNECT = 1, 2
# On/off options of ROUTER (and REP), by libzmq number: the attribute each one sets.
_FLAGS = {33: "mandatory", 51: "probe_router", 56: "handover"}


class Router(SocketBase):
    alternates = True
    type_id = 6
    type_name = "ROUTER"
    pipe_on_connect = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fq = FairQueue()
        self._read_activation = self.fq.activated
        self.out_pipes: dict[bytes, Pipe] = {}
        self.ignored: set[Pipe] = set()
        self.mandatory = 0
        self.handover = 0
        self.probe_router = 0
        self.notify = 0  # ROUTER_NOTIFY bits
        self.notices: deque[Msg] = deque()  # ROUTER_NOTIFY messages, ahead of the queue
        self.connect_routing_id = b""  # CONNECT_ROUTING_ID, taken by the next connect()
        self._next_id = generated_routing_ids()

    def take_connect_routing_id(self) -> bytes:
        routing_id, self.connect_routing_id = self.connect_routing_id, b""
        if routing_id in self.out_pipes:
            raise CoreError(EINVAL, f"routing id {routing_id!r} is already in use")
        return routing_id

    def xattach_pipe(self, pipe: Pipe) -> None:
        if self.probe_router and not pipe.probed:
            pipe.write([b""])  # PROBE_ROUTER: an empty message greets each new peer
        routing_id = pipe.routing_id or pipe.properties.get("Identity", b"")
        if routing_id and routing_id in self.out_pipes:
            if not self.handover:
                self.ignored.add(pipe)
                return
            # ROUTER_HANDOVER: the new connection takes the routing id over.
            self.detach_pipe(self.out_pipes.pop(routing_id))
        if not routing_id:
            routing_id = self._next_id()
            while routing_id in self.out_pipes:
                routing_id = self._next_id()
        pipe.routing_id = routing_id
        self.out_pipes[routing_id] = pipe
        self.fq.attach(pipe)
        if self.notify & NOTIFY_CONNECT:
            self.notices.append([routing_id, b""])

    def xpipe_terminated(self, pipe: Pipe) -> None:
        if pipe in self.ignored:
            self.ignored.discard(pipe)
            return
        if self.out_pipes.get(pipe.routing_id) is pipe:
            del self.out_pipes[pipe.routing_id]
        self.fq.terminated(pipe)
        if self.notify & NOTIFY_DISCONNECT and not self.closed:
            self.notices.append([pipe.routing_id, b""])

    def xwrite_activated(self, pipe: Pipe) -> None:
        pass  # no waiting on a particular peer: sends to full peers are dropped

    def xsend(self, msg: Msg) -> None:
        if len(msg) < 2:
            return  # a routing id with no body: nothing to deliver (libzmq drops it too)
        pipe = self.out_pipes.get(msg[0])
        if pipe is None:
            if self.mandatory:
                raise CoreError(EHOSTUNREACH, "no peer with that routing id")
            return
        if not pipe.try_write(msg[1:]) and self.mandatory:
            if not pipe.open:  # the peer left; its end is not read yet (libzmq: the same)
                raise CoreError(EHOSTUNREACH, "the peer is gone")
            raise WouldBlock("the peer's queue is full")

    def xlast_pipe(self) -> Pipe | None:
        return self.fq.last_pipe

    def xrecv(self) -> Msg | None:
        if self.notices:
            return self.notices.popleft()
        msg = self.fq.recv()
        if msg is None:
            return None
        return [self.fq.last_pipe.routing_id, *msg]

    def xaccept(self, pipe: Pipe, msg: Msg) -> Msg | None:
        if self.notices:
            return None  # a ROUTER_NOTIFY notice came first
        self.fq.last_pipe = pipe
        return [pipe.routing_id, *msg]

    def xhas_in(self) -> bool:
        return bool(self.notices) or self.fq.has_in()

    def xhas_out(self) -> bool:
        if not self.mandatory:
            return True
        return any(p.check_write() for p in self.out_pipes.values())

    def xsetsockopt(self, option: int, value: Any) -> bool:
        if option == Opt.CONNECT_ROUTING_ID:
            if not isinstance(value, bytes) or not value:
                raise CoreError(EINVAL, "socket option CONNECT_ROUTING_ID takes non-empty bytes")
            self.connect_routing_id = value
            return True
        if option == Opt.ROUTER_NOTIFY:
            if not isinstance(value, int) or not 0 <= value <= 3:
                raise CoreError(EINVAL, f"socket option ROUTER_NOTIFY takes 0-3, not {value!r}")
            self.notify = value
            return True
        name = _FLAGS.get(option)
        if name is None:
            return False
        setattr(self, name, require_int_flag(name.upper(), value))
        return True

    def xgetsockopt(self, option: int) -> tuple[bool, Any]:
        if option == Opt.ROUTER_NOTIFY:
            return True, self.notify
        name = _FLAGS.get(option)
        if name is None:
            return False, None
        return True, getattr(self, name)
