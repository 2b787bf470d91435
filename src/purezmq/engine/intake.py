"""A connection's way in: from the decoder into the socket's pipe.

Theory of operation (libzmq's ``stream_engine`` input side; states in ``states.py``):

Bytes go into the session's :class:`~purezmq.zmtp.ZmtpConnection`, which decodes as
many messages as the pipe has room for (at most DECODE_BATCH at a time). They are
written to the pipe at once. When the pipe is at its HWM, or a batch is done, the rest
stays in the connection, undecoded (HELD), and the transport stops reading until the
socket has read down to the low-water mark (``write_activated``), as libzmq's engine
does. Decoding only what fits keeps the messages alive at any time to about one HWM:
thousands of decoded messages waiting would cost the garbage collector more than
decoding them.

:meth:`Intake.decode_batch` is the one way messages go from the connection into the
pipe, whoever calls it: the loop when bytes arrive (:meth:`Intake.run`), or the
socket's own thread (the owner-read and refill shortcuts, ``fastpaths/``). It runs under
the session's lock. Plain messages go to the pipe there and then; anything else the
decoder returns (the handshake, a PING, a subscription, an ERROR) is handed to the
loop (DEFERRED), which handles it outside the lock, in order, before decoding more.

Decoded messages that do not fit (a subscription turned into a message, which the
decoder does not count against the room) wait in the backlog (BACKLOGGED), and
reading stops until they are in. A faulty peer (a RemoteProtocolError) loses its
connection; complete messages decoded before the fault are never dropped.

Locks: ``state``, ``backlog`` and ``deferred`` change under ``session.lock`` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ..core.pipe import Msg
from ..zmtp import RemoteProtocolError
from .fastpaths.direct_receive import offer_direct
from .states import INTAKE, In, advance
from .states import Intake as State

if TYPE_CHECKING:
    from ..zmtp import ZmtpConnection
    from .link import Link

# The most messages decoded at a time. A batch that the socket consumes before the
# cyclic GC's first generation fills (700 container allocations) never triggers a
# collection; a whole HWM of decoded messages waiting did, and the collections cost
# more than the decoding (650 -> 340 ns per 16-byte message in a single-thread model).
DECODE_BATCH = 256


def batch_room(room: int) -> int:
    """A pipe's room (-1: unlimited) capped at DECODE_BATCH."""
    return DECODE_BATCH if room < 0 or room > DECODE_BATCH else room


class Intake:
    """The inbound side of one session (see the module docstring)."""

    __slots__ = ("backlog", "deferred", "session", "state")

    def __init__(self, session: Link) -> None:
        self.session = session
        self.state = State.FLOWING
        # Decoded messages waiting for room in the pipe (BACKLOGGED).
        self.backlog: list[Msg] = []
        # Decoded events waiting for the loop to handle them (DEFERRED).
        self.deferred: list[Any] | None = None

    def __repr__(self) -> str:
        return f"<Intake {self.state.name} backlog={len(self.backlog)}>"

    def _move(self, event: In) -> None:
        self.state = advance(INTAKE, self.state, event)

    @property
    def reading(self) -> bool:
        """Whether the transport should be read: only while nothing waits undecoded."""
        return self.state is State.FLOWING

    # -- the one way in (session.lock held, any thread) ---------------------------

    def room(self) -> int:
        """How many messages the next batch may decode now: -1 no limit (the
        handshake), 0 none (the pipe is full, or decoded messages already wait)."""
        session = self.session
        pipe = session.pipe
        if pipe is None or not session.established:
            return -1
        if self.backlog:
            return 0
        return batch_room(pipe.room())

    def decode_batch(self, conn: ZmtpConnection) -> tuple[list[Any], bool]:
        """Decode the next batch (session.lock held). Plain messages go into the pipe;
        any other event is handed to the loop (DEFERRED) with the messages around it,
        in order. Returns the events and whether they were all plain messages. Raises
        RemoteProtocolError for a faulty peer (nothing is delivered then)."""
        room = self.room()
        if room == 0:
            self._move(In.HOLD)
            return [], True
        events = conn.next_events(room)
        plain = conn.messages_returned == len(events)
        if not plain:
            self.deferred = events
            self._move(In.HAND_OVER)
        elif events:
            self.deliver(cast("list[Msg]", events))  # all plain messages
            if conn.limited:
                self._move(In.HOLD)
        return events, plain

    def hold(self) -> None:
        """Keep what the connection holds undecoded until the loop drains (lock held)."""
        self._move(In.HOLD)

    def deliver(self, msgs: list[Msg]) -> None:
        """Write decoded messages to the pipe (session.lock held); what does not fit
        waits in the backlog, and reading stops."""
        rest = self._write(msgs)
        if rest:
            self.backlog.extend(rest)
            self._move(In.OVERFLOW)

    def deliver_handled(self, msgs: list[Msg]) -> None:
        """:meth:`deliver` for the loop handling events handed over (session.lock not
        held: it is taken for the backlog)."""
        rest = self._write(msgs)
        if rest:
            with self.session.lock:
                self.backlog.extend(rest)
                self._move(In.OVERFLOW)

    def _write(self, msgs: list[Msg]) -> list[Msg]:
        """Write to the pipe what it takes, unless a backlog waits; what is left over."""
        session = self.session
        session.peer_spoke()
        pipe = session.pipe
        if self.backlog or pipe is None:
            return msgs
        if len(msgs) == 1 and offer_direct(session, pipe, msgs[0]):
            return []
        written = pipe.write_batch(msgs)
        while written and written < len(msgs):
            msgs = msgs[written:]
            written = pipe.write_batch(msgs)
        return msgs[written:]

    # -- the loop's side --------------------------------------------------------

    def run(self) -> bool:
        """Decode and deliver what the connection holds, batch by batch, handling events
        other than messages in order (loop thread). False if the connection failed."""
        session = self.session
        handled = False
        while True:
            conn = session.conn
            if conn is None:
                return True
            try:
                with session.lock:
                    if self.state is not State.FLOWING:
                        break  # held by this loop before, or by the socket's thread
                    events, plain = self.decode_batch(conn)
            except RemoteProtocolError as exc:
                session.fail(exc)
                return False
            if not plain:
                if not self.handle_deferred():
                    return True
                handled = True
                self._resume()
            if not events or (plain and conn.exhausted):
                break
        if handled or self.state is not State.FLOWING:
            session.update_reading()  # handling may have paused it (DEFERRED reads nothing)
        return True

    def _resume(self) -> bool:
        """Decode again after a hold (session.lock taken here); False if something still
        waits: events handed over by the socket's thread, or the backlog."""
        with self.session.lock:
            return self.resume_locked()

    def resume_locked(self) -> bool:
        """:meth:`_resume` with session.lock held."""
        if self.deferred is not None or self.state is not State.HELD:
            return self.state is State.FLOWING
        self._move(In.ALL_DECODED)
        return True

    def handle_deferred(self) -> bool:
        """Handle the events handed to the loop (loop thread); False once the
        connection is ending.

        The intake stays DEFERRED until they are handled (outside the lock: handling
        may open the pipe, start heartbeats, write subscriptions), so that neither
        shortcut decodes meanwhile: the refill decodes only HELD input, the owner read
        only FLOWING. Messages around the events reach the pipe before any later one.
        """
        with self.session.lock:
            deferred, self.deferred = self.deferred, None
        if deferred is None:
            return True
        try:
            return self.session.handle(deferred)
        finally:
            with self.session.lock:
                if self.state is State.DEFERRED:
                    self._move(In.HANDLED)

    def drain(self) -> None:
        """Deliver, in order, what waits (loop thread): events handed over, then the
        backlog, then held input; reading resumes once everything is in."""
        session = self.session
        if session.pipe is None or not self.handle_deferred():
            return
        if self.state is State.BACKLOGGED and not self._write_backlog():
            return
        if self.state is State.HELD and self._resume() and self.run():
            session.send_output()
        session.update_reading()

    def _write_backlog(self) -> bool:
        """Move the backlog into the pipe as far as it has room; True when all of it is in."""
        pipe, backlog = self.session.pipe, self.backlog
        while backlog and pipe is not None:
            written = pipe.write_batch(backlog)
            if not written:
                break
            del backlog[:written]
        if backlog:
            return False
        with self.session.lock:
            self._move(In.BACKLOG_WRITTEN)
        return True

    def finish(self) -> None:
        """The connection is gone (loop thread): its complete messages still reach the
        socket, past the HWM if need be. Nothing is lost."""
        session = self.session
        pipe, conn = session.pipe, session.conn
        if pipe is None:
            return
        deferred, self.deferred = self.deferred, None
        if deferred is not None:
            session.handle(deferred)
        if self.state is not State.FLOWING and conn is not None:
            try:
                events = conn.next_events()
            except RemoteProtocolError:
                events = []
            if events:
                session.handle(events)
        if self.backlog:
            pipe.write_many(self.backlog)
            self.backlog = []


__all__ = ["DECODE_BATCH", "Intake", "batch_room"]
