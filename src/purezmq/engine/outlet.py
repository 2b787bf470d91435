"""A connection's way out: from the socket's pipe to the transport.

Theory of operation (libzmq's ``stream_engine`` output side): on each wake-up
(``read_activated``) every message waiting in the pipe is taken at once
(``Pipe.read_all``), encoded, and written with one ``transport.write`` (or, for big
messages, one ``writelines`` that hands headers and bodies to ``sendmsg`` unjoined).
While the transport's buffer is over its limit (``pause_writing``) nothing is taken,
so the pipe fills and the socket feels its HWM. Big messages are written about a
megabyte at a time for the same reason: the rest stays in the pipe, under the HWM.

SUB and XSUB sockets' subscriptions travel as SUBSCRIBE/CANCEL commands (ZMTP 3.1) or
as messages (3.0): the connection knows which its peer understands.

Locks: a batch is read, encoded and written under ``session.lock``, so that a direct
send cannot slip in between and overtake messages already taken from the pipe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.pipe import Msg, Pipe
from .stream import StreamTransport

if TYPE_CHECKING:
    from ..zmtp import ZmtpConnection
    from .link import Link

# Big messages are written about a megabyte at a time, so that the transport's buffer
# (and its pause_writing) bounds what leaves the pipe: the rest stays there, under the HWM.
BIG_MESSAGE = 65536
WRITE_CHUNK = 1 << 20


def flush(session: Link) -> None:
    """Write every message waiting in the pipe (loop thread), batch by batch, while the
    transport takes them; then, if the socket has gone, close after the last one."""
    pipe, conn = session.pipe, session.conn
    if session.writable and pipe is not None and conn is not None:
        while session.writable and _write_batch(session, pipe, conn):
            pass
    if session.draining:
        session.close_after_flush()


def _write_batch(session: Link, pipe: Pipe, conn: ZmtpConnection) -> bool:
    """One batch from the pipe to the transport; False when the pipe was empty."""
    transport = session.transport
    with session.lock:
        if conn.ended:
            # The peer's end, parsed meanwhile by the socket's thread (owner read,
            # refill): what is left in the pipe stays for the session's closing.
            return False
        batch = pipe.read_all()
        if not batch:
            return False
        big = len(batch[0][-1]) >= BIG_MESSAGE
        if big and len(batch) > 1:
            batch = _first_megabyte(batch, pipe)
        session.write_rest()
        if session.host.sends_subscriptions:
            _send_translated(conn, batch)
        else:
            conn.send_messages(batch)
        if transport is not None:
            if big and isinstance(transport, StreamTransport):
                # Headers and bodies go to sendmsg() as they are: no joined copy.
                transport.writelines(conn.data_to_send_chunks())
            else:
                transport.write(conn.data_to_send())
    return True


def _send_translated(conn: ZmtpConnection, batch: list[Msg]) -> None:
    """SUB/XSUB: subscriptions travel as commands or messages, as the peer understands."""
    for msg in batch:
        first = msg[0] if len(msg) == 1 else b""
        if first[:1] == b"\x01":
            conn.send_subscribe(first[1:])
        elif first[:1] == b"\x00":
            conn.send_cancel(first[1:])
        else:
            conn.send_message(msg)


def _first_megabyte(batch: list[Msg], pipe: Pipe) -> list[Msg]:
    """The leading messages of ``batch`` up to WRITE_CHUNK bytes; the rest goes back."""
    total = 0
    for i, msg in enumerate(batch):
        total += sum(map(len, msg))
        if total >= WRITE_CHUNK:
            pipe.unread(batch[i + 1 :])
            return batch[: i + 1]
    return batch


__all__ = ["BIG_MESSAGE", "WRITE_CHUNK", "flush"]
