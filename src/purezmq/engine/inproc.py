"""inproc://: two sockets of one Context joined by a pipe pair, no session, no codec.

As in libzmq, a connect may come before the bind: the connecting socket gets its
end of the pipe at once (so it can queue messages), and the other end waits in
the registry until a socket binds the name. The HWM of each direction is the
sender's SNDHWM plus the receiver's RCVHWM (0, unlimited, if either is 0).
"""

from __future__ import annotations

import threading

from ..core.errors import EADDRINUSE, ENOENT, CoreError
from ..core.pipe import Pipe, pipepair
from ..core.socket_base import SocketBase, sum_hwms


def _directions(this: SocketBase, other: SocketBase) -> tuple[int, int]:
    """HWMs (this -> other, other -> this) of a pipe between two sockets."""
    this_snd, this_rcv = this.options.pipe_hwms()
    other_snd, other_rcv = other.options.pipe_hwms()
    return sum_hwms(this_snd, other_rcv), sum_hwms(other_snd, this_rcv)


def _properties(sock: SocketBase) -> dict[str, bytes]:
    props = {"Socket-Type": sock.type_name.encode()}
    if sock.options.routing_id:
        props["Identity"] = sock.options.routing_id
    return props


class InprocRegistry:
    """The inproc names bound in one Context, and connects still waiting for a bind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bound: dict[str, SocketBase] = {}
        self._pending: dict[str, list[tuple[Pipe, SocketBase]]] = {}

    def bind(self, name: str, sock: SocketBase) -> None:
        with self._lock:
            if name in self._bound:
                raise CoreError(EADDRINUSE, f"inproc://{name} is already bound")
            self._bound[name] = sock
            pending = self._pending.pop(name, [])
        for pipe, connecter in pending:
            pipe.set_hwms(*_directions(sock, connecter))
            pipe.peer.set_hwms(*_directions(connecter, sock))
            pipe.properties = _properties(connecter)
            sock.post_attach(pipe)

    def connect(self, name: str, sock: SocketBase, routing_id: bytes = b"") -> Pipe:
        """Join ``sock`` to the socket bound at ``name`` (now or when it binds).

        ``routing_id`` (CONNECT_ROUTING_ID) is the id ``sock`` gives that peer.
        """
        with self._lock:
            peer = self._bound.get(name)
            if peer is not None:
                mine, theirs = pipepair(*_directions(sock, peer))
            else:
                mine, theirs = pipepair(*sock.options.pipe_hwms())
            if peer is None:
                self._pending.setdefault(name, []).append((theirs, sock))
        if peer is not None:
            mine.properties = _properties(peer)
            theirs.properties = _properties(sock)
        mine.routing_id = routing_id
        sock.attach_pipe(mine)
        if peer is not None:
            peer.post_attach(theirs)
        return mine

    def open(self, name: str, properties: dict[str, bytes]) -> Pipe | None:
        """A pipe to the socket bound at ``name`` now, for a session rather than a
        socket (a ZAP request, libzmq ``session_base_t::zap_connect``); None if nothing
        is bound there. No HWM either way; ``properties`` are what the bound socket sees
        of this end. The caller becomes the returned end's sink."""
        with self._lock:
            peer = self._bound.get(name)
        if peer is None:
            return None
        mine, theirs = pipepair(0, 0)
        theirs.properties = dict(properties)
        peer.post_attach(theirs)
        return mine

    def unbind(self, name: str, sock: SocketBase) -> None:
        with self._lock:
            if self._bound.get(name) is not sock:
                raise CoreError(ENOENT, f"not bound to inproc://{name}")
            del self._bound[name]

    def forget(self, sock: SocketBase) -> None:
        """Drop every name ``sock`` bound (it is closing)."""
        with self._lock:
            for name in [n for n, s in self._bound.items() if s is sock]:
                del self._bound[name]
