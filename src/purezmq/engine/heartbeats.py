"""ZMTP 3.1 heartbeats on one connection: the timer around ``zmtp.heartbeat.Heartbeat``.

The bookkeeping (when to PING, when the peer counts as gone, the peer's TTL) is
sans-I/O in ``zmtp/heartbeat.py``; this keeps one timer at its next deadline, on the
engine's clock (``host.timers``), and acts: a PING written under the session's lock,
or the connection aborted (HEARTBEAT_IVL, _TIMEOUT, _TTL; RFC 37 PING/PONG).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..zmtp.heartbeat import EXPIRED, PING, Heartbeat
from .stream import StreamTransport

if TYPE_CHECKING:
    from .link import Link


class Heartbeats:
    """The heartbeat of one session, made once heartbeats matter: HEARTBEAT_IVL is set,
    or the peer PINGs with a TTL."""

    __slots__ = ("beat", "session", "timer")

    def __init__(self, session: Link) -> None:
        self.session = session
        transport = session.transport
        if isinstance(transport, StreamTransport):
            # A heartbeat counts every octet received; a body awaited whole would hide
            # the octets of a slowly arriving one until it is all there.
            transport.read_bodies_as_they_come()
        options = session.host.options
        self.beat = Heartbeat(
            options.heartbeat_ivl,
            options.heartbeat_timeout,
            options.heartbeat_ttl,
            session.host.timers.time(),
        )
        self.timer: Any = None

    def received(self) -> None:
        """Octets came from the peer."""
        self.beat.received(self.session.host.timers.time())

    def peer_pinged(self, ttl: int) -> None:
        """The peer PINGed with a TTL: hang up if it stays silent that long."""
        if self.beat.peer_pinged(ttl):
            self.arm()

    def arm(self) -> None:
        """One timer, at the heartbeat's next deadline."""
        self.cancel()
        if self.session.transport is None:
            return
        deadline = self.beat.next_deadline()
        if deadline is not None:
            self.timer = self.session.host.timers.call_at(deadline, self._due)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _due(self) -> None:
        """Hang up on a silent peer, or PING it when a PING is due; then wait again."""
        self.timer = None
        session = self.session
        conn, transport = session.conn, session.transport
        if conn is None or transport is None:
            return
        action = self.beat.poll(session.host.timers.time())
        if action is EXPIRED:
            session.close(abort=True)
            return
        if action is PING:
            with session.lock:
                conn.send_ping(self.beat.ttl)
                session.write_rest()
                transport.write(conn.data_to_send())
        self.arm()


__all__ = ["Heartbeats"]
