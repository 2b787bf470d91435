"""Refill: a sync socket's thread decodes the next batch of held input itself.

When the pipe is full, or a batch is done, the rest of the input stays undecoded in
the connection (the intake is HELD) and the loop stops reading. The socket's thread
that then reads its pipe empty (``Pipe.read``'s refill hook) or down to the low-water
mark (``write_activated``) decodes the next batch itself, through the intake's one way
in, under the session's lock, instead of waking the I/O thread and waiting for it.
Both threads share one interpreter lock, so a hand-off per batch was two thread
switches for no parallelism; now the I/O thread is needed once per read, to resume
reading. While the stream keeps coming, the socket's thread also reads the next chunk
itself (the loop's reading is paused then): a hand-off there and back would cost more
than the read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...zmtp import RemoteProtocolError
from ..intake import batch_room
from ..states import Intake
from ..stream import StreamTransport
from . import SWITCHES

if TYPE_CHECKING:
    from ...zmtp import ZmtpConnection
    from ..link import Link


def refill(session: Link) -> bool:
    """Decode held input into the pipe from the socket's thread. True if messages went
    into the pipe; False if the loop must do it (it is then told)."""
    intake = session.intake
    lock = session.lock
    # The state is read under the lock: the loop delivers a batch and then marks the
    # input held in one locked step, and a reader that empties the pipe in between
    # must not see "nothing held" and go to sleep.
    # locked() then `with` (see DirectSend.send: no gap for a KeyboardInterrupt).
    if lock.locked():
        # The loop is busy with this session (it may be holding input right now):
        # make sure it looks again, since the reader may go to sleep after this.
        session.host.schedule(intake.drain)
        return False
    with lock:
        if intake.state is not Intake.HELD:
            return False
        if not SWITCHES.refill:
            session.host.schedule(intake.drain)  # the general way: the loop decodes
            return False
        conn, pipe = session.conn, session.pipe
        if (
            intake.state is not Intake.HELD
            or intake.deferred is not None
            or conn is None
            or pipe is None
            or session.transport is None
            or batch_room(pipe.room()) == 0
        ):
            return False
        wrote = _decode_held(session, conn)
        if wrote is None:
            return True  # a batch is in, and input is still held: the next refill
        session.host.schedule(intake.drain)
        return wrote and intake.deferred is None


def _decode_held(session: Link, conn: ZmtpConnection) -> bool | None:
    """Decode batches until one is limited (None: input still held) or all is decoded
    (True if messages went in). Events for the loop stop it (DEFERRED)."""
    intake = session.intake
    read_here = False
    while True:
        try:
            events, plain = intake.decode_batch(conn)
        except RemoteProtocolError:
            return False  # still held: the loop's drain meets the error and drops the peer
        if not plain:
            return bool(events)
        if conn.limited:
            return None
        if not read_here and _read_here(session, conn):
            read_here = True
            if events:
                return None
            continue
        intake.resume_locked()  # all decoded: the loop reads again
        return bool(events)


def _read_here(session: Link, conn: ZmtpConnection) -> bool:
    """One read from the socket's thread while the loop's reading is paused (lock
    held); True if it got bytes. The end of the stream is left to the loop."""
    transport = session.transport
    if not isinstance(transport, StreamTransport) or session.intake.backlog:
        return False
    return bool(session.receive_from(transport, conn))


__all__ = ["refill"]
