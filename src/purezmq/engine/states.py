"""The state machines of a connection, as tables (STYLE habit 3).

Three machines run side by side in a :class:`~purezmq.engine.session.Session`:

- **Lifecycle**: the connection's life. HANDSHAKING until the ZMTP handshake is done,
  READY while messages flow both ways, DRAINING once the socket has left its pipe and
  only what it queued is still written out (LINGER), CLOSING once the transport is
  told to close, CLOSED when it has. A connection made after its socket closed (a
  lingering connecter delivering what was queued) starts ORPHANED: it handshakes, then
  drains.
- **Intake**: messages on their way in. FLOWING while the transport is read and what
  arrives is decoded into the pipe; HELD when complete input waits undecoded (the pipe
  is full, or a batch was decoded) and reading is paused; BACKLOGGED when decoded
  messages wait for room in the pipe (subscriptions turned into messages, which the
  decoder does not count); DEFERRED when the socket's own thread decoded events that
  only the loop may handle (a command, an error), which go first.
- **Reader**: who reads the socket (a sync socket's connections only, see
  ``fastpaths/owner_read.py``). LOOP: the I/O thread; OWNER: the socket's thread,
  waiting in ``recv()``, reads and decodes its replies itself; BULK: a stream is
  coming, and the loop reads it even while the socket's thread waits; OFF: the
  socket's thread never reads this connection.

Each table maps (state, event) to the next state. An event that is not in the table
for the current state is a bug: :func:`advance` raises :class:`StateError`, and the
tests enumerate every pair (``tests/engine/test_states.py``).
"""

from __future__ import annotations

import enum
from typing import TypeVar


class StateError(RuntimeError):
    """An event the current state does not allow: a bug in the engine."""


class Lifecycle(enum.Enum):
    HANDSHAKING = "handshaking"
    ORPHANED = "orphaned"  # handshaking for a socket that is gone: then drains
    READY = "ready"
    DRAINING = "draining"
    CLOSING = "closing"
    CLOSED = "closed"


class Life(enum.Enum):
    """Events of the lifecycle."""

    HANDSHAKE_DONE = "handshake done"
    SOCKET_GONE = "socket gone"  # the socket left its pipe (it closed)
    FLUSHED = "flushed"  # what the socket queued is all with the transport
    CLOSE = "close"  # close or abort the transport
    LOST = "lost"  # the transport is gone (connection_lost)


_LIVE = (Lifecycle.HANDSHAKING, Lifecycle.ORPHANED, Lifecycle.READY, Lifecycle.DRAINING)

LIFECYCLE: dict[tuple[Lifecycle, Life], Lifecycle] = {
    (Lifecycle.HANDSHAKING, Life.HANDSHAKE_DONE): Lifecycle.READY,
    (Lifecycle.HANDSHAKING, Life.SOCKET_GONE): Lifecycle.ORPHANED,
    (Lifecycle.ORPHANED, Life.HANDSHAKE_DONE): Lifecycle.DRAINING,
    (Lifecycle.ORPHANED, Life.SOCKET_GONE): Lifecycle.ORPHANED,
    (Lifecycle.READY, Life.SOCKET_GONE): Lifecycle.DRAINING,
    (Lifecycle.DRAINING, Life.SOCKET_GONE): Lifecycle.DRAINING,
    (Lifecycle.DRAINING, Life.FLUSHED): Lifecycle.CLOSING,
    **{(state, Life.CLOSE): Lifecycle.CLOSING for state in _LIVE},
    (Lifecycle.CLOSING, Life.CLOSE): Lifecycle.CLOSING,
    (Lifecycle.CLOSING, Life.SOCKET_GONE): Lifecycle.CLOSING,
    (Lifecycle.CLOSING, Life.FLUSHED): Lifecycle.CLOSING,
    **{(state, Life.LOST): Lifecycle.CLOSED for state in (*_LIVE, Lifecycle.CLOSING)},
    (Lifecycle.CLOSED, Life.CLOSE): Lifecycle.CLOSED,
    (Lifecycle.CLOSED, Life.SOCKET_GONE): Lifecycle.CLOSED,
}


class Intake(enum.Enum):
    FLOWING = "flowing"
    HELD = "held"
    BACKLOGGED = "backlogged"
    DEFERRED = "deferred"


class In(enum.Enum):
    """Events of the intake."""

    HOLD = "hold"  # complete input stays undecoded: the pipe is full or a batch is done
    OVERFLOW = "overflow"  # decoded messages did not all fit in the pipe
    HAND_OVER = "hand over"  # the socket's thread decoded events only the loop handles
    HANDLED = "handled"  # the loop handled the events handed over; input still held
    BACKLOG_WRITTEN = "backlog written"  # the backlog went into the pipe; input held
    ALL_DECODED = "all decoded"  # nothing complete is left undecoded: read again


INTAKE: dict[tuple[Intake, In], Intake] = {
    (Intake.FLOWING, In.HOLD): Intake.HELD,
    (Intake.FLOWING, In.OVERFLOW): Intake.BACKLOGGED,
    (Intake.FLOWING, In.HAND_OVER): Intake.DEFERRED,
    (Intake.FLOWING, In.ALL_DECODED): Intake.FLOWING,
    (Intake.HELD, In.HOLD): Intake.HELD,
    (Intake.HELD, In.OVERFLOW): Intake.BACKLOGGED,
    (Intake.HELD, In.HAND_OVER): Intake.DEFERRED,
    (Intake.HELD, In.ALL_DECODED): Intake.FLOWING,
    (Intake.BACKLOGGED, In.OVERFLOW): Intake.BACKLOGGED,
    (Intake.BACKLOGGED, In.BACKLOG_WRITTEN): Intake.HELD,
    (Intake.DEFERRED, In.HANDLED): Intake.HELD,
    (Intake.DEFERRED, In.OVERFLOW): Intake.BACKLOGGED,
}


class Reader(enum.Enum):
    OFF = "off"
    LOOP = "loop"
    OWNER = "owner"
    BULK = "bulk"


class Read(enum.Enum):
    """Events of the reader."""

    OWNER_WAITS = "owner waits"  # readable while the socket's thread waits in recv()
    OWNER_GONE = "owner gone"  # the socket's thread stopped waiting, or waits otherwise
    BIG_READ = "big read"  # a read of a stream or a big message
    SHORT_READ = "short read"  # a read that ended a message: no stream any more
    STOP = "stop"  # the connection ends, or its socket may no longer read it


READER: dict[tuple[Reader, Read], Reader] = {
    (Reader.LOOP, Read.OWNER_WAITS): Reader.OWNER,
    (Reader.LOOP, Read.OWNER_GONE): Reader.LOOP,
    (Reader.LOOP, Read.BIG_READ): Reader.BULK,
    (Reader.LOOP, Read.SHORT_READ): Reader.LOOP,
    (Reader.OWNER, Read.OWNER_WAITS): Reader.OWNER,
    (Reader.OWNER, Read.OWNER_GONE): Reader.LOOP,
    (Reader.OWNER, Read.BIG_READ): Reader.BULK,
    (Reader.OWNER, Read.SHORT_READ): Reader.OWNER,
    (Reader.BULK, Read.OWNER_WAITS): Reader.BULK,
    (Reader.BULK, Read.OWNER_GONE): Reader.BULK,
    (Reader.BULK, Read.BIG_READ): Reader.BULK,
    (Reader.BULK, Read.SHORT_READ): Reader.LOOP,
    **{(state, Read.STOP): Reader.OFF for state in Reader},
}

S = TypeVar("S", bound=enum.Enum)
E = TypeVar("E", bound=enum.Enum)


def advance(table: dict[tuple[S, E], S], state: S, event: E) -> S:
    """The state after ``event`` in ``state``; StateError if the table has no such move."""
    try:
        return table[state, event]
    except KeyError:
        raise StateError(f"{event.name} is not allowed in state {state.name}") from None


__all__ = [
    "INTAKE",
    "LIFECYCLE",
    "READER",
    "In",
    "Intake",
    "Life",
    "Lifecycle",
    "Read",
    "Reader",
    "StateError",
    "advance",
]
