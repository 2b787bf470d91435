"""Owner read: a sync socket's thread, waiting in ``recv()``, reads its replies itself.

A message from the network normally reaches a sync socket's thread in two hand-offs:
the kernel wakes the I/O thread, which decodes and then wakes the socket's thread. In
a request/reply exchange that is most of the round trip. So a thread blocked in
``recv()`` (or ``Socket.poll(POLLIN)``) on a socket with at most four connections also
watches their descriptors (``Signaler.wait_readers``), and when one turns readable it
reads and decodes the bytes itself (:meth:`OwnerReader.owner_read`), through the
intake's one way in, under the session's lock. The connection's transport
(``engine/stream.py``) lets either thread read, so nothing is reordered.

Who reads is the reader state (``states.py``): LOOP while the socket's thread is
elsewhere; OWNER once the loop, finding the socket readable, sees that thread waiting
(it leaves the reading to it, paused, and looks every YIELD_CHECK whether the thread
still comes back to wait); BULK after a big read (a stream, a big message: reading on
the socket's thread saves no hand-off worth having and costs the overlap of the
loop's ``recv()``, outside the interpreter lock, with the thread's work) until a read
of the loop's turns short. Commands, errors and input beyond a batch go to the loop,
in order (the intake's DEFERRED and HELD). The loop takes the reading back at once
when the thread waits some other way (a Poller, FD/EVENTS, ``recv(NOBLOCK)``).

Locks: ``state`` moves under ``session.lock`` whichever thread moves it (the loop
hands the reading over and takes it back; the socket's thread ends it at the end of
the stream or hands a big read to the loop), each move checking the state it leaves
under that lock; ``waits_seen`` and the timer are the loop's; ``waiting`` and
``waits`` are written by the socket's thread only (single writer) and read by the
loop; reads and decoding happen under ``session.lock``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...zmtp import RemoteProtocolError
from ..states import READER, Read, Reader, advance
from ..stream import StreamTransport
from . import SWITCHES

if TYPE_CHECKING:
    from ..link import Link

# A read this big (or a message this big in flight) is a stream: the loop reads it.
BULK_READ = 65536
# How often a loop that left the reading to the socket's thread looks whether that
# thread still waits in recv(); when it does not, the loop reads again. Bounds how
# late a PING, a disconnection or a message for a poller is seen.
YIELD_CHECK = 0.002


class OwnerReader:
    """Who reads one session's socket, and the socket thread's side of the reading."""

    __slots__ = ("fd", "reads", "session", "state", "timer", "waiting", "waits", "waits_seen")

    def __init__(self, session: Link, fd: int) -> None:
        self.session = session
        self.fd = fd
        self.state = Reader.LOOP
        # Set by the socket's thread around its wait, and the count of waits begun.
        self.waiting = False
        self.waits = 0
        self.waits_seen = 0
        # Reads that delivered messages from the socket's thread (statistics).
        self.reads = 0
        self.timer: Any = None

    def __repr__(self) -> str:
        return f"<OwnerReader fd={self.fd} {self.state.name} reads={self.reads}>"

    def _move(self, event: Read) -> None:
        self.state = advance(READER, self.state, event)

    @property
    def watchable(self) -> bool:
        """Whether a waiting thread may watch this connection now."""
        return SWITCHES.owner_read and self.state in (Reader.LOOP, Reader.OWNER)

    # -- the loop's side --------------------------------------------------------

    def loop_readable(self) -> bool:
        """The loop found the socket readable: True if it leaves the reading to the
        waiting socket's thread (and pauses its own), False if it reads."""
        if not (self.waiting and self.state is Reader.LOOP and SWITCHES.owner_read):
            return False
        with self.session.lock:  # the socket's thread moves the state under it too
            if self.state is not Reader.LOOP:
                return False
            self._move(Read.OWNER_WAITS)
        self.waits_seen = self.waits
        self.session.update_reading()
        if self.timer is None:
            self.timer = self.session.host.timers.call_later(YIELD_CHECK, self._tick)
        return True

    def loop_read(self, size: int) -> None:
        """The loop read ``size`` octets: a short read that ends a message ends BULK."""
        if self.state is not Reader.BULK or size >= BULK_READ:
            return
        session = self.session
        with session.lock:
            conn = session.conn
            if self.state is Reader.BULK and conn and not conn.buffered_bytes:
                self._move(Read.SHORT_READ)

    def _tick(self) -> None:
        """Take the reading back once the socket's thread has stopped waiting in recv():
        it is not waiting now and has not come back to wait since the last tick. (A
        thread that answers requests is out of its wait for a moment each time; the
        next request, read by the loop then, would cost a hand-off.)"""
        self.timer = None
        waits = self.waits
        came_back = waits != self.waits_seen
        self.waits_seen = waits
        live = self.session.transport is not None
        if self.state is Reader.OWNER and (self.waiting or came_back) and live:
            self.timer = self.session.host.timers.call_later(YIELD_CHECK, self._tick)
        else:
            self.take_back()

    def take_back(self) -> None:
        """The loop reads the connection again (loop thread)."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        with self.session.lock:
            if self.state is not Reader.OWNER:
                return
            self._move(Read.OWNER_GONE)
        self.session.update_reading()
        self.session.intake_drain_if_held()

    def _loop_reads_bulk(self) -> None:
        """A stream came: the loop reads it, whether the socket's thread waits or not."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.session.update_reading()

    def stop(self) -> None:
        """The connection ends (loop thread)."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        with self.session.lock:
            self._move(Read.STOP)

    # -- the socket's thread ----------------------------------------------------

    def release(self) -> None:
        """The socket's thread waits some other way from now (a poll): give the reading
        back to the loop now."""
        if self.state is Reader.OWNER:
            self.session.host.schedule(self.take_back)

    def owner_read(self) -> bool:
        """Read and decode what arrived, on the socket's thread, blocked in recv() with
        its pipe empty and this descriptor readable. True if this connection may be
        watched again, False if the loop must take over (the stream ended or failed,
        or something other than a reply came)."""
        session = self.session
        with session.lock:
            transport, conn = session.transport, session.conn
            if (
                not isinstance(transport, StreamTransport)
                or conn is None
                or session.pipe is None
                or not session.established
                or not session.intake.reading
                or not self.watchable
            ):
                self.release()
                return False
            data = session.receive_from(transport, conn)
            if data is None:
                return True  # the loop read it first; it wakes the socket
            if not data:
                self._move(Read.STOP)
                session.host.schedule(session.socket_readable)  # the loop meets the end too
                return False
            return self._decode(conn, data)

    def _decode(self, conn: Any, data: bytes) -> bool:
        """Decode what was read (session.lock held): plain messages into the pipe; the
        rest, an error, or input for a full pipe, to the loop, in order."""
        intake = self.session.intake
        try:
            events, plain = intake.decode_batch(conn)
        except RemoteProtocolError:
            intake.hold()  # the loop decodes again, meets the error and drops the peer
            return self._hand_to_loop()
        if not plain or (not events and not intake.reading):
            return self._hand_to_loop()
        if events:
            self.reads += 1
        if len(data) >= BULK_READ or (not events and conn.buffered_bytes >= BULK_READ):
            self._move(Read.BIG_READ)
            self.session.host.schedule(self._loop_reads_bulk)
            return False
        return True

    def _hand_to_loop(self) -> bool:
        self.session.host.schedule(self.session.intake.drain)
        return True


__all__ = ["BULK_READ", "YIELD_CHECK", "OwnerReader"]
