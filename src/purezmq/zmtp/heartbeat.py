"""ZMTP 3.1 heartbeats (RFC 37 PING/PONG), as bookkeeping: time comes in as ``now``.

libzmq's options drive it: HEARTBEAT_IVL (send a PING that often), HEARTBEAT_TIMEOUT
(give the peer up when nothing at all arrived for that long; -1 means "the
interval") and HEARTBEAT_TTL (asked of the peer in each PING, in deciseconds). A
TTL in the peer's PING is honoured even when we do not heartbeat ourselves.

The owner (the engine's session) feeds :meth:`received` on every read and
:meth:`peer_pinged` on every PING, sets one timer for :meth:`next_deadline`, and on
that timer asks :meth:`poll` what to do: :data:`EXPIRED`, :data:`PING` or nothing.
Answering PINGs with PONGs is the codec's job, not this one's.
"""

from __future__ import annotations

from typing import Final, Literal

PING: Final = "ping"
EXPIRED: Final = "expired"
Action = Literal["ping", "expired"] | None


class Heartbeat:
    """When to PING, and when a silent peer is gone, for one connection."""

    __slots__ = ("interval", "last_received", "next_ping", "peer_ttl", "timeout", "ttl")

    def __init__(self, ivl_ms: int, timeout_ms: int, ttl_ms: int, now: float) -> None:
        self.interval = ivl_ms / 1000
        self.timeout = (ivl_ms if timeout_ms < 0 else timeout_ms) / 1000
        self.ttl = ttl_ms // 100  # what our PINGs ask of the peer, in deciseconds
        self.last_received = now
        self.next_ping: float | None = now + self.interval if ivl_ms > 0 else None
        self.peer_ttl: float | None = None  # seconds, from the peer's first PING with one

    def received(self, now: float) -> None:
        """Something arrived from the peer: it is alive."""
        self.last_received = now

    def peer_pinged(self, ttl_deciseconds: int) -> bool:
        """The peer PINGed; True if its TTL is new and the deadline may be earlier."""
        if ttl_deciseconds and self.peer_ttl is None:
            self.peer_ttl = ttl_deciseconds / 10
            return True
        return False

    def next_deadline(self) -> float | None:
        """When :meth:`poll` has something to do next (None: never)."""
        deadlines = []
        if self.next_ping is not None:
            deadlines.append(self.next_ping)
            if self.timeout > 0:
                deadlines.append(self.last_received + self.timeout)
        if self.peer_ttl is not None:
            deadlines.append(self.last_received + self.peer_ttl)
        return min(deadlines) if deadlines else None

    def poll(self, now: float) -> Action:
        """EXPIRED if the peer was silent too long; PING if one is due; else None.

        Deadlines are compared as next_deadline computes them (``last + timeout``, not
        ``now - last``): a timer that fires exactly at a deadline must find it due, or
        it would be set again for the same instant, for ever.
        """
        last = self.last_received
        if self.next_ping is not None and self.timeout > 0 and now >= last + self.timeout:
            return EXPIRED
        if self.peer_ttl is not None and now >= last + self.peer_ttl:
            return EXPIRED
        if self.next_ping is not None and now >= self.next_ping:
            self.next_ping = now + self.interval
            return PING
        return None
