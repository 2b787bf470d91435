"""SocketBase: what every socket type shares (libzmq ``socket_base_t``).

Theory of operation: a socket is owned by one thread (the user's thread for a sync
socket, the loop's for an asyncio one). Other threads reach it only through its
mailbox: ``post_*`` methods append a command and call ``wake``, and the owner runs
:meth:`process_commands` at the start of every call. Pipe wake-ups arrive the
same way (``read_activated``/``write_activated`` are called from the writer's or
reader's thread).

The socket types implement the ``x*`` hooks with the strategies of
``routing.py``: ``xattach_pipe``, ``xsend``, ``xrecv``, ``xaccept``, ``xhas_in``, ``xhas_out``,
``xread_activated``, ``xwrite_activated``, ``xpipe_terminated``, ``xsetsockopt``
and ``xgetsockopt``. Messages are whole (a list of frames); the frame-at-a-time
API (SNDMORE, RCVMORE) is kept here so both facades share it. ``xrecv`` returns None
when nothing is waiting; :meth:`recv` turns that into WouldBlock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from .errors import EINVAL, EMSGSIZE, ENOTSOCK, ENOTSUP, ETERM, CoreError, WouldBlock
from .option_ids import Opt
from .options import Options
from .pipe import Msg, Pipe

_NO_PROPERTIES: Mapping[str, bytes] = MappingProxyType({})

POLLIN = 1
POLLOUT = 2
# Options that existing pipes take too, not only the ones attached later.
_PIPE_OPTIONS = frozenset({Opt.HWM, Opt.SNDHWM, Opt.RCVHWM, Opt.CONFLATE})


def _no_wake() -> None:
    return None


class SocketBase:
    """The socket-type-independent part of a socket; subclasses supply the ``x*`` hooks."""

    type_id: ClassVar[int] = -1
    type_name: ClassVar[str] = "?"
    # Connect-side pipes are made at connect() (messages queue before the connection is
    # up) unless the type must learn the peer's identity first (ROUTER, REP).
    pipe_on_connect: ClassVar[bool] = True
    # Types that carry subscriptions (SUB/XSUB send them, PUB/XPUB receive them).
    sends_subscriptions: ClassVar[bool] = False
    receives_subscriptions: ClassVar[bool] = False
    # Request/reply types alternate sends and receives: a send may skip the I/O thread.
    alternates: ClassVar[bool] = False

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options(self.type_id)
        self.pipes: list[Pipe] = []
        self._mailbox: deque[tuple[Callable[[Pipe], None], Pipe]] = deque()
        # What a pipe's read_activated runs on the owner thread: the type's
        # xread_activated once the pipe is known to be this socket's. A type whose
        # strategy checks that itself (FairQueue.activated) points it there instead: one
        # call fewer on every delivery to a waiting recv.
        self._read_activation: Callable[[Pipe], None] = self._on_read_activated
        self.wake: Callable[[], None] = _no_wake
        self._out_parts: list[bytes] = []
        self._in_parts: Msg = ()
        self._in_index = 0
        self.closed = False
        # Called when a pipe is added or removed, for the engine's bookkeeping.
        self.on_pipe_terminated: Callable[[Pipe], None] | None = None

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"pipes={len(self.pipes)}"
        return f"<{type(self).__name__} {state}>"

    def statistics(self) -> dict[str, int]:
        """Pipe counts and wake-ups summed over this socket's pipes (for tests, bench -v)."""
        totals = {"pipes": len(self.pipes), "mailbox": len(self._mailbox)}
        for pipe in self.pipes:
            for key, value in pipe.statistics().items():
                if isinstance(value, int) and not isinstance(value, bool):
                    totals[key] = totals.get(key, 0) + value
        return totals

    # -- mailbox (any thread) -------------------------------------------

    def read_activated(self, pipe: Pipe) -> None:
        self._mailbox.append((self._read_activation, pipe))
        self.wake()

    def write_activated(self, pipe: Pipe) -> None:
        self._mailbox.append((self._on_write_activated, pipe))
        self.wake()

    def pipe_delimited(self, pipe: Pipe) -> None:
        # Called from inside Pipe.read on the owner thread: record only.
        self._mailbox.append((self._on_pipe_delimited, pipe))

    def post_attach(self, pipe: Pipe) -> None:
        """Hand a pipe made on another thread (a new connection) to this socket."""
        pipe.sink = self
        self._mailbox.append((self.attach_pipe, pipe))
        self.wake()

    def post_hiccup(self, pipe: Pipe) -> None:
        """The connection behind ``pipe`` was re-established (libzmq ``hiccup``)."""
        self._mailbox.append((self._on_hiccup, pipe))
        self.wake()

    def _on_hiccup(self, pipe: Pipe) -> None:
        if pipe in self.pipes:
            self.xhiccuped(pipe)

    def process_commands(self) -> None:
        """Run every pending mailbox command (owner thread)."""
        mailbox = self._mailbox
        while mailbox:
            handler, pipe = mailbox.popleft()
            handler(pipe)

    def has_commands(self) -> bool:
        return bool(self._mailbox)

    # -- pipes (owner thread) -------------------------------------------

    def attach_pipe(self, pipe: Pipe) -> None:
        """Adopt ``pipe`` (an end this socket reads and writes)."""
        if self.closed:
            pipe.terminate()
            return
        pipe.sink = self
        self.pipes.append(pipe)
        self.xattach_pipe(pipe)

    def _on_read_activated(self, pipe: Pipe) -> None:
        if pipe in self.pipes:
            self.xread_activated(pipe)

    def _on_write_activated(self, pipe: Pipe) -> None:
        if pipe in self.pipes:
            self.xwrite_activated(pipe)

    def _on_pipe_delimited(self, pipe: Pipe) -> None:
        if pipe not in self.pipes:
            return
        self.pipes.remove(pipe)
        self.xpipe_terminated(pipe)
        pipe.terminate()
        if self.on_pipe_terminated is not None:
            self.on_pipe_terminated(pipe)

    def take_connect_routing_id(self) -> bytes:
        """The CONNECT_ROUTING_ID for the connect() being made, cleared (ROUTER only)."""
        return b""

    def detach_pipe(self, pipe: Pipe) -> None:
        """Drop ``pipe`` now (disconnect/unbind): the peer reads our delimiter."""
        if pipe in self.pipes:
            self.pipes.remove(pipe)
            self.xpipe_terminated(pipe)
        pipe.terminate()

    def close(self) -> None:
        """Terminate every pipe: peers read what was sent, then our delimiter."""
        self.process_commands()
        self.closed = True
        for pipe in list(self.pipes):
            self.detach_pipe(pipe)
        # From now on every operation fails, whatever the type would have done: the
        # facades' fast paths call xsend/xrecv themselves.
        self._refuse_all(_closed)

    def context_terminated(self) -> None:
        """The context is terminating (any thread): every operation but close() fails
        with ETERM from now on, as libzmq's do once zmq_ctx_term() has begun."""
        if not self.closed:
            self._refuse_all(_terminated)

    def _refuse_all(self, refusal: Callable[..., Any]) -> None:
        self.send = self.recv = self.send_frame = self.recv_frame = refusal  # type: ignore[method-assign]
        self.send_message = self.recv_message = refusal  # type: ignore[method-assign]
        self.xsend = self.xrecv = refusal  # type: ignore[method-assign]

    # -- messages and frames (owner thread) ---------------------------------
    #
    # The API both facades are built on. Sends raise WouldBlock when they cannot go
    # now; receives return None when nothing waits (an exception there would cost
    # more than the rest of the call, and finding nothing ends every wait). Both raise
    # CoreError for a refusal (EFSM, ENOTSOCK, ETERM ...). A multipart message is
    # split into frames here, once, for recv_frame.

    def send(self, msg: Msg) -> None:
        """Send a whole message now (after the frames held by send_frame), or raise
        WouldBlock / CoreError. Commands come first: a publisher must know every
        subscription that reached it before it sends."""
        if self._mailbox or self._out_parts:
            self._send_slow(msg)
        else:
            self.xsend(msg)

    def send_message(self, msg: Msg) -> None:
        """:meth:`send`, refusing first what the type refuses before a message's first
        frame (as a frame-by-frame send would)."""
        if not self._out_parts:
            self.xcheck_send()
        self.send(msg)

    def _send_slow(self, msg: Msg) -> None:
        self.process_commands()
        if self._out_parts:
            try:
                self.xsend((*self._out_parts, *msg))
            except WouldBlock:
                raise  # kept for the blocking retry
            except CoreError:
                self._out_parts = []  # the message is refused whole
                raise
            self._out_parts = []
        else:
            self.xsend(msg)

    def send_frame(self, frame: bytes, more: bool) -> None:
        """Send one frame; with ``more`` it is held until the last frame of the message."""
        if not self._out_parts:
            self.xcheck_send()
        if more:
            self._out_parts.append(frame)
            return
        self.send((frame,))

    def recv_frame(self) -> bytes | None:
        """The next frame, or None if no message waits; :attr:`more` then says whether
        more frames of its message follow (RCVMORE)."""
        parts = self._in_parts
        if parts:
            return self._next_part(parts)
        msg = None if self._mailbox else self.xrecv()
        if msg is None:
            msg = self._recv_after_commands()
            if msg is None:
                return None
        if len(msg) == 1:
            return msg[0]
        return self.begin_message(msg)

    def begin_message(self, msg: Msg) -> bytes:
        """Hand out ``msg`` frame by frame: its first frame now, the others from the
        next calls of :meth:`recv_frame` (``more`` set accordingly)."""
        self._in_parts = msg if len(msg) > 1 else ()
        self._in_index = 1
        return msg[0]

    def _next_part(self, parts: Msg) -> bytes:
        i = self._in_index
        frame = parts[i]
        i += 1
        if i >= len(parts):
            self._in_parts = ()
        else:
            self._in_index = i
        return frame

    def recv_message(self) -> Msg | None:
        """The next whole message (or the rest of a partly read one), or None."""
        parts = self._in_parts
        if parts:
            self._in_parts = ()
            return parts[self._in_index :]
        msg = None if self._mailbox else self.xrecv()
        if msg is None:
            return self._recv_after_commands()
        return msg

    def _recv_after_commands(self) -> Msg | None:
        # Reading may have met a pipe's end; what the type does about it (ROUTER_NOTIFY,
        # XPUB's unsubscriptions) may be a message, so look again before saying "none".
        while self._mailbox:
            self.process_commands()
            msg = self.xrecv()
            if msg is not None:
                return msg
        return None

    def recv(self) -> Msg:
        """:meth:`recv_message`, raising WouldBlock when nothing waits."""
        msg = self.recv_message()
        if msg is None:
            raise WouldBlock("no message is waiting")
        return msg

    def quiet(self) -> bool:
        """No command waits for this socket and no message is partly read: the next
        message the type hands out is the next one read (see the direct receive)."""
        return not self._mailbox and not self._in_parts

    @property
    def more(self) -> bool:
        """Whether the frame recv_frame last returned has more frames after it (RCVMORE)."""
        return bool(self._in_parts)

    rcvmore = more

    def events(self) -> int:
        """POLLIN | POLLOUT as libzmq's ZMQ_EVENTS reports them now."""
        self.process_commands()
        mask = 0
        has_in = self._in_parts or self.xhas_in()
        while not has_in and self._mailbox:  # xhas_in met a pipe's end (see recv)
            self.process_commands()
            has_in = self.xhas_in()
        if has_in:
            mask |= POLLIN
        if self.xhas_out():
            mask |= POLLOUT
        return mask

    def check_size(self, frame_len: int) -> None:
        limit = self.options.maxmsgsize
        if limit >= 0 and frame_len > limit:
            raise CoreError(EMSGSIZE, "message larger than MAXMSGSIZE")

    # -- options ------------------------------------------------------------

    def set_option(self, option: int, value: Any) -> None:
        if not self.xsetsockopt(option, value):
            self.options.set(option, value)
            if option in _PIPE_OPTIONS:  # existing pipes take them too
                self.apply_hwms()

    def get_option(self, option: int) -> Any:
        found, value = self.xgetsockopt(option)
        if found:
            return value
        if option == Opt.TYPE:
            return self.type_id
        if option == Opt.RCVMORE:
            return int(self.rcvmore)
        if option == Opt.EVENTS:
            return self.events()
        if option == Opt.LAST_ENDPOINT:
            return self.options.last_endpoint
        if option == Opt.ROUTER_NOTIFY:  # off on every type but ROUTER
            return 0
        return self.options.get(option)

    def apply_hwms(self) -> None:
        """Apply changed SNDHWM/RCVHWM to existing pipes (libzmq ``update_pipe_options``).

        A pipe to another socket (inproc) adds that socket's HWMs, as at connect time.
        """
        snd, rcv = self.options.pipe_hwms()
        for pipe in self.pipes:
            peer = pipe.peer.sink
            if isinstance(peer, SocketBase):
                peer_snd, peer_rcv = peer.options.pipe_hwms()
                out_hwm, in_hwm = sum_hwms(snd, peer_rcv), sum_hwms(peer_snd, rcv)
            else:
                out_hwm, in_hwm = snd, rcv
            pipe.set_hwms(out_hwm, in_hwm)
            # A pipe set aside as full may have room under the new HWM.
            self.xwrite_activated(pipe)

    # -- hooks --------------------------------------------------------------

    def xattach_pipe(self, pipe: Pipe) -> None:
        raise NotImplementedError

    def xcheck_send(self) -> None:
        """Raise before the first frame of a message if this type cannot send now."""
        if type(self).xsend is SocketBase.xsend:
            raise CoreError(ENOTSUP, f"{self.type_name} sockets cannot send")

    def xsend(self, msg: Msg) -> None:
        raise CoreError(ENOTSUP, f"{self.type_name} sockets cannot send")

    def xrecv(self) -> Msg | None:
        """The next whole message, or None if none is waiting (not WouldBlock: finding
        nothing is the usual end of every drain and every wait, and an exception raised
        through the type's frames costs more than the rest of the call)."""
        raise CoreError(ENOTSUP, f"{self.type_name} sockets cannot receive")

    def xlast_pipe(self) -> Pipe | None:
        """The pipe of the message :meth:`xrecv` (or :meth:`xaccept`) gave last; None
        for types that receive nothing."""
        return None

    def message_properties(self) -> Mapping[str, bytes]:
        """The metadata of the connection the last message came from (zmq_msg_gets:
        Socket-Type, Identity, Peer-Address, User-Id ...), read-only."""
        pipe = self.xlast_pipe()
        return MappingProxyType(pipe.properties) if pipe is not None else _NO_PROPERTIES

    def xaccept(self, pipe: Pipe, msg: Msg) -> Msg | None:
        """What :meth:`xrecv` would return for ``msg`` read from ``pipe`` now, with the same
        effect on the type's state; None to leave the message to the pipe (and so to
        xrecv). Only asked when every pipe is empty and a recv() waits (the engine's
        direct receive)."""
        return None

    def xhas_in(self) -> bool:
        return False

    def xhas_out(self) -> bool:
        return False

    def xread_activated(self, pipe: Pipe) -> None:
        raise NotImplementedError

    def xwrite_activated(self, pipe: Pipe) -> None:
        raise NotImplementedError

    def xpipe_terminated(self, pipe: Pipe) -> None:
        raise NotImplementedError

    def xhiccuped(self, pipe: Pipe) -> None:
        """The peer behind ``pipe`` reconnected: resend whatever it must know again."""

    def xsetsockopt(self, option: int, value: Any) -> bool:
        """Handle a type-specific option; False lets the generic table take it."""
        return False

    def xgetsockopt(self, option: int) -> tuple[bool, Any]:
        return False, None


def sum_hwms(send_hwm: int, recv_hwm: int) -> int:
    """The HWM of a direction between two sockets: both ends' HWMs (0, unlimited, if either
    is; conflated, -1, if either is)."""
    if send_hwm < 0 or recv_hwm < 0:
        return -1
    return send_hwm + recv_hwm if send_hwm and recv_hwm else 0


def _closed(*args: object) -> Any:
    raise CoreError(ENOTSOCK, "the socket is closed")


def _terminated(*args: object) -> Any:
    raise CoreError(ETERM, "the context is terminated")


def require_int_flag(name: str, value: Any) -> int:
    """An on/off option's value as libzmq takes most of them: any int from 0 up, any
    non-zero one meaning on; returned as 0 or 1."""
    if not isinstance(value, int) or value < 0:
        raise CoreError(EINVAL, f"socket option {name} takes 0 (off) or more (on), not {value!r}")
    return int(value != 0)


def require_zero_or_one(name: str, value: Any) -> int:
    """An on/off option's value where libzmq takes only 0 or 1 (STREAM_NOTIFY)."""
    if not isinstance(value, int) or value not in (0, 1):
        raise CoreError(EINVAL, f"socket option {name} takes 0 or 1, not {value!r}")
    return value


__all__ = [
    "POLLIN", "POLLOUT", "SocketBase", "WouldBlock", "require_int_flag", "require_zero_or_one",
]
