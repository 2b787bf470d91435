"""Direct send: a request or a reply goes from the socket's thread to the kernel.

A request/reply exchange would otherwise cost a hand-off to the I/O thread on the way
out. When the message would be the next thing on the wire anyway (nothing queued in
the pipe, nothing unsent in the transport from another thread), it is encoded and
written at once, from whichever thread sends it. Only after the peer has spoken since
the last direct send (:meth:`DirectSend.peer_spoke`): a burst of sends still goes
through the pipe, in batches (one wake-up, one write).

From the loop's own thread (an asyncio socket) the message goes to the transport,
which keeps the order of what it holds. From another thread (a sync socket) it goes
to the descriptor with ``os.write``; what the kernel does not take goes to the
transport, from the loop, before anything else (``rest``).

Locks: everything here runs under ``session.lock``; ``turn`` is also set by the loop
(``peer_spoke``, on delivering a message), which may do so without it: it only ever
allows the next direct send, and a send that reads it stale goes through the pipe.
"""

from __future__ import annotations

import enum
import os
import threading
from typing import TYPE_CHECKING

from ...core.pipe import Msg, Pipe
from . import SWITCHES

if TYPE_CHECKING:
    from ..link import Link
    from .owner_read import OwnerReader


class Turn(enum.Enum):
    PEER = "peer"  # the peer spoke last: a direct send may go
    US = "us"  # we sent directly last: the next send goes through the pipe


class DirectSend:
    """The direct-send state of one session (READY, of a type that sends directly)."""

    __slots__ = ("fd", "rest", "session", "turn")

    def __init__(self, session: Link, fd: int) -> None:
        self.session = session
        # The OS socket this thread may write to: -1 if only the loop's thread may
        # write (a transport that closes its socket before telling the session).
        self.fd = fd
        # Bytes of the last direct send the kernel did not take, for the loop to write.
        self.rest = b""
        self.turn = Turn.PEER

    def peer_spoke(self) -> None:
        self.turn = Turn.PEER

    def allowed(self, on_loop: bool) -> bool:
        """The precondition, session.lock held: the shortcut is on, the connection is
        ready (not ended) and writing, nothing is queued before this message, and a write from
        another thread would not overtake bytes the transport still holds, nor work
        that thread handed to the loop before (a subscription, another socket's
        message: see engine/handoffs.py)."""
        session = self.session
        transport, conn, pipe = session.transport, session.conn, session.pipe
        if (
            not SWITCHES.direct_send
            or transport is None
            or conn is None
            or pipe is None
            or conn.ended  # the peer's end, parsed by a read not yet handled by the loop
            or not session.writable
            or self.rest
            or pipe.queued_in()
        ):
            return False
        # From another thread, nothing that thread handed to the loop may be overtaken.
        return on_loop or (
            self.fd >= 0 and not transport.get_write_buffer_size() and session.host.handed_over()
        )

    def send(self, msg: Msg) -> bool:
        """Write ``msg`` now if that is safe (see :meth:`allowed`); False: use the pipe."""
        session = self.session
        lock = session.lock
        # locked() then `with`, not acquire(blocking=False) then `try`: a KeyboardInterrupt
        # can land between a call's return and the next line, and would leave the lock
        # held for ever; `with` has no such gap. (Taken meanwhile: a short wait.)
        if self.turn is Turn.US or lock.locked():
            return False
        with lock:
            on_loop = threading.get_ident() == session.host.thread_id
            conn, transport = session.conn, session.transport
            if not self.allowed(on_loop) or conn is None or transport is None:
                return False
            data = conn.encode(msg)
            if on_loop:
                transport.write(data)
            else:
                self._write_from_owner(data)
            self.turn = Turn.US
            return True

    def _write_from_owner(self, data: bytes) -> None:
        """Write to the OS socket from the owner's thread (lock held); the loop writes
        what the kernel did not take, before anything else."""
        try:
            sent = os.write(self.fd, data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            sent = 0  # the loop will see the error on its side and close
        if sent < len(data):
            self.rest = data[sent:]
            self.session.host.schedule(self.write_rest_locked)

    def write_rest_locked(self) -> None:
        with self.session.lock:
            self.write_rest()

    def write_rest(self) -> None:
        """Hand the unsent tail of a direct send to the transport (lock held, loop)."""
        rest = self.rest
        transport = self.session.transport
        if rest and transport is not None:
            self.rest = b""
            transport.write(rest)

    def stop(self) -> None:
        """The connection is ending: no more writes to the descriptor (lock held)."""
        self.fd = -1


def start_shortcuts(session: Link, pipe: Pipe) -> tuple[DirectSend | None, OwnerReader | None]:
    """At the handshake: direct sends for the types that alternate sends and
    receives; owner reads for those, on a sync socket's transport (PULL and SUB receive
    streams, where the loop's reads overlap with the application's work). The session
    keeps what this returns (and registers the owner reader with its host)."""
    from ..stream import StreamTransport
    from .owner_read import OwnerReader

    host, transport = session.host, session.transport
    if not host.owner_sends or transport is None:
        return None, None
    shared = isinstance(transport, StreamTransport)
    # Writing to the fd from another thread relies on the transport calling
    # connection_lost (which stops the direct sends under the lock) before it closes
    # the socket: ours and asyncio's do; other loops' transports only get same-thread
    # direct sends.
    sock = transport.get_extra_info("socket")
    fd = -1
    if sock is not None and (shared or type(transport).__module__.startswith("asyncio.")):
        fd = sock.fileno()
    direct = DirectSend(session, fd)
    pipe.peer.direct = direct.send
    if shared and host.owner_may_read:
        return direct, OwnerReader(session, session.fd)
    return direct, None


__all__ = ["DirectSend", "Turn", "start_shortcuts"]
