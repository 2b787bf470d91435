"""``zmq.utils.win32.allow_interrupt``: call a function when Ctrl-C arrives during a block.

pyzmq needs it on Windows because a thread blocked inside libzmq does not see Ctrl-C.
purezmq's blocking calls wait in Python, where the interpreter delivers SIGINT as
KeyboardInterrupt on POSIX systems: there this is a no-op. On Windows the action runs
from a SIGINT handler (so that a program can wake its own poll loop), then the usual
KeyboardInterrupt follows, as with pyzmq.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

Handler = Callable[[int, FrameType | None], Any] | int | None


class allow_interrupt:
    """Context manager: while inside it, Ctrl-C first calls ``action`` (Windows only)."""

    def __init__(self, action: Callable[[], Any] | None = None) -> None:
        self.action = action or (lambda: None)
        self._previous: Handler = None
        self._installed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.action()
        raise KeyboardInterrupt

    def __enter__(self) -> None:
        if os.name != "nt" or threading.current_thread() is not threading.main_thread():
            return
        self._previous = signal.signal(signal.SIGINT, self._handle)
        self._installed = True

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False


__all__ = ["allow_interrupt"]
