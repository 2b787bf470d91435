"""Socket monitor events (zmq_socket_monitor(3)): two-frame messages on an inproc PAIR.

Each event is a message of two frames, as libzmq writes them: a 6-octet frame
holding the 16-bit event number and a 32-bit value in native byte order, then the
endpoint. Events come from the socket's own thread (bind, close) and from its I/O
loop (connections), so the writers take a lock; the one reader is the user's PAIR
socket connected to the monitor address. A full monitor queue drops events, as
libzmq's non-blocking monitor send does.
"""

from __future__ import annotations

import struct

from ..constants import Event
from ..core.sockets.pair import Pair
from .iothread import os_lock

_HEADER = struct.Struct("=HI")


class Monitor:
    """Writes the events selected by ``events`` to the pipe of ``pair`` (once connected)."""

    def __init__(self, pair: Pair, events: int) -> None:
        self.pair = pair
        self.events = events
        # Taken by the I/O thread and the user's: real even under gevent (iothread.py).
        self.lock = os_lock()

    def __repr__(self) -> str:
        return f"<Monitor events={self.events:#x} connected={self.pair.pipe is not None}>"

    def emit(self, event: int, value: int, endpoint: str) -> None:
        """Send one event if it is selected; dropped if nobody listens or the queue is full."""
        if not event & self.events:
            return
        msg = [_HEADER.pack(event, value & 0xFFFFFFFF), endpoint.encode()]
        with self.lock:
            # Only this object drives the PAIR, always under the lock.
            self.pair.process_commands()
            pipe = self.pair.pipe
            if pipe is not None:
                pipe.try_write(msg)

    def stop(self) -> None:
        """MONITOR_STOPPED, then the PAIR leaves: its peer reads what was sent, then ends."""
        self.emit(Event.MONITOR_STOPPED, 0, "")
        with self.lock:
            self.pair.close()
