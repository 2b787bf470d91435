"""pyzmq's deprecated ``zmq.Stopwatch``, kept so that programs using it run unchanged."""

from __future__ import annotations

import time
import warnings


class Stopwatch:
    """Microseconds between :meth:`start` and :meth:`stop` (deprecated, as in pyzmq:
    ``time.monotonic`` does the job)."""

    def __init__(self) -> None:
        warnings.warn(
            "zmq.Stopwatch is deprecated. Use stdlib time.monotonic and friends instead",
            DeprecationWarning,
            stacklevel=2,
        )
        self._start = 0.0

    def start(self) -> None:
        """Start the counter."""
        self._start = time.monotonic()

    def stop(self) -> int:
        """Microseconds since :meth:`start`."""
        return int(1e6 * (time.monotonic() - self._start))
