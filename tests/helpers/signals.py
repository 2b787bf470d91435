"""Child processes that a test interrupts with SIGINT."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sigint_reaches_children() -> Iterator[None]:
    """Processes started inside get SIGINT at its default (Python's KeyboardInterrupt),
    even when the tests run with SIGINT ignored (started by a shell as a background job,
    or under nohup): an ignored signal stays ignored across exec, a handled one does not.
    Main thread only, as signal.signal."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
