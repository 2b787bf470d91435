"""Ctrl-C (SIGINT) and SIGTERM as a request to stop the benchmark, answered where it is safe.

The handler raises nothing: it notes the first signal and wakes the queue the parent
is waiting on. The run in progress notices at its next wait and is abandoned (its
workers killed by :mod:`.runner`), the plan stops before its next run, and what was
measured is reported. The exit status is then 128 + the signal's number (130 for
SIGINT, 143 for SIGTERM), as with every ``purezmq`` command. Because nothing is raised
at an arbitrary point, a worker is never started without the parent knowing it, and
a second Ctrl-C cannot cut the report short.
"""

from __future__ import annotations

import queue
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
WAKE = object()  # what the handler puts on the waiting queue


class Interrupted(BaseException):
    """A stop signal came: the run in progress is abandoned (as KeyboardInterrupt, not caught
    by ``except Exception``)."""


class StopRequest:
    """Whether (and by which signal) the benchmark was asked to stop."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._waiting: queue.SimpleQueue[Any] | None = None

    @property
    def requested(self) -> bool:
        return self.signum is not None

    @property
    def name(self) -> str:
        """``SIGINT``, ``SIGTERM`` (empty if no signal came)."""
        return signal.Signals(self.signum).name if self.signum is not None else ""

    @property
    def exit_status(self) -> int:
        """0, or 128 + the signal's number as a shell reports a process a signal ended."""
        return 0 if self.signum is None else 128 + self.signum

    def check(self) -> None:
        """Raise :class:`Interrupted` if a stop signal came."""
        if self.signum is not None:
            raise Interrupted(self.signum)

    @contextmanager
    def waking(self, events: queue.SimpleQueue[Any]) -> Iterator[None]:
        """While the block runs, a stop signal puts :data:`WAKE` on ``events``."""
        self._waiting = events
        try:
            yield
        finally:
            self._waiting = None

    def handle(self, signum: int, frame: FrameType | None = None) -> None:
        """The signal handler: note the first signal, wake the waiter (a SimpleQueue's put
        may interrupt its own get, which is why the queues are SimpleQueues)."""
        if self.signum is None:
            self.signum = signum
        waiting = self._waiting
        if waiting is not None:
            waiting.put(WAKE)


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """SIGINT and SIGTERM handled by a new :class:`StopRequest` while the block runs."""
    stop = StopRequest()
    previous = {signum: signal.signal(signum, stop.handle) for signum in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def block_in_this_thread() -> None:
    """Leave the stop signals to the main thread, whose wait they must interrupt."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
