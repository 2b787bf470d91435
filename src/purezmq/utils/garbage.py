"""``zmq.utils.garbage``: pyzmq's registry of buffers lent to libzmq, for programs that import it.

pyzmq keeps a Python object alive while libzmq's C code still reads its memory (a
zero-copy send) and releases it from a helper thread when libzmq is done. purezmq
has no C side: a frame's buffer is an ordinary Python object that lives as long as
something refers to it, so nothing is ever stored here and ``refs`` stays empty.
``store`` is kept for code that calls it, and keeps what it is given until
:meth:`GarbageCollector.release` (its event, if any, is set then).
"""

from __future__ import annotations

import threading
from typing import Final, NamedTuple


class gcref(NamedTuple):
    obj: object
    event: threading.Event | None


class GarbageCollector:
    """Objects held for zero-copy sends, by key (always none inside purezmq)."""

    url = "inproc://pyzmq.gc.01"

    def __init__(self) -> None:
        self.refs: dict[int, gcref] = {}
        self._lock = threading.Lock()

    def store(self, obj: object, event: threading.Event | None = None) -> int:
        """Keep ``obj`` (and ``event``) until :meth:`release`; returns the key."""
        ref = gcref(obj, event)
        key = id(ref)
        with self._lock:
            self.refs[key] = ref
        return key

    def release(self, key: int) -> None:
        """Forget the object stored under ``key`` and set its event."""
        with self._lock:
            ref = self.refs.pop(key, None)
        if ref is not None and ref.event is not None:
            ref.event.set()

    def is_alive(self) -> bool:
        """pyzmq's helper thread is never needed: False."""
        return False

    def start(self) -> None:
        """Nothing to start."""

    def stop(self) -> None:
        """Release everything stored."""
        for key in list(self.refs):
            self.release(key)


gc: Final[GarbageCollector] = GarbageCollector()

__all__ = ["GarbageCollector", "gc", "gcref"]
