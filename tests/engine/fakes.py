"""A fake host, transport and clock for building a Session without sockets or loops.

:class:`FakeTimers` is a clock moved by hand (``advance``); :class:`FakeTransport`
records what is written and obeys pause/resume; :class:`FakeHost` is a
:class:`~purezmq.engine.host.SessionHost` whose pipes are plain pipe pairs, whose
``schedule`` queues calls that a test runs with ``run_soon``, and which records what
it is told (the monitor's view).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from typing import Any

from purezmq.core.options import Options
from purezmq.core.pipe import Msg, Pipe, pipepair
from purezmq.engine.session import Session


class FakeHandle:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeTimers:
    """A clock that moves only when told; timers fire in order as it passes them."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._timers: list[tuple[float, int, FakeHandle, Callable[..., Any], tuple[Any, ...]]] = []
        self._order = itertools.count()
        self.soon: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[..., Any], *args: Any) -> FakeHandle:
        handle = FakeHandle()
        heapq.heappush(self._timers, (when, next(self._order), handle, callback, args))
        return handle

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> FakeHandle:
        return self.call_at(self.now + delay, callback, *args)

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> FakeHandle:
        self.soon.append((callback, args))
        return FakeHandle()

    def advance(self, seconds: float) -> None:
        """Move the clock, firing every timer that comes due on the way."""
        end = self.now + seconds
        while self._timers and self._timers[0][0] <= end:
            when, _, handle, callback, args = heapq.heappop(self._timers)
            self.now = max(self.now, when)
            if not handle.cancelled:
                callback(*args)
        self.now = end

    def pending(self) -> int:
        return sum(not handle.cancelled for _, _, handle, _, _ in self._timers)


class FakeTransport:
    """A transport that keeps what is written and tells its protocol when it ends."""

    def __init__(self, protocol: Session) -> None:
        self.protocol = protocol
        self.written: list[bytes] = []
        self.reading = True
        self.closing = False
        self.lost = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def write(self, data: bytes) -> None:
        self.written.append(bytes(data))

    def writelines(self, chunks: Any) -> None:
        self.written.append(b"".join(bytes(c) for c in chunks))

    def take(self) -> bytes:
        out, self.written = b"".join(self.written), []
        return out

    def is_reading(self) -> bool:
        return self.reading

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True
        self.end()

    def end(self) -> None:
        """The connection is gone (as asyncio calls connection_lost)."""
        if not self.lost:
            self.lost = True
            self.protocol.connection_lost(None)


class FakeHost:
    """A SessionHost of one socket of ``socket_type``, without a loop."""

    def __init__(self, socket_type: str = "PULL", type_id: int = 7, **options: Any) -> None:
        self.options = Options(type_id)
        for name, value in options.items():
            setattr(self.options, name, value)
        self.socket_type = socket_type
        self.sends_subscriptions = socket_type in ("SUB", "XSUB")
        self.owner_sends = False
        self.owner_may_read = False
        self.linger = -1
        self.thread_id = threading.get_ident()
        self.timers = FakeTimers()
        self.direct_receiver: Callable[[Pipe, Msg], bool] | None = None
        self.session_class = Session
        self.scheduled: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self.events: list[str] = []
        self.socket_end: Pipe | None = None

    def schedule(self, fn: Callable[..., Any], *args: Any) -> bool:
        self.scheduled.append((fn, args))
        return True

    def run_soon(self) -> int:
        """Run what was scheduled (as the loop would); how many calls ran."""
        ran = 0
        while self.scheduled or self.timers.soon:
            for queue in (self.scheduled, self.timers.soon):
                while queue:
                    fn, args = queue.pop(0)
                    fn(*args)
                    ran += 1
        return ran

    def stream_notify(self) -> bool:
        return False

    def configure_transport(self, transport: Any) -> None:
        pass

    def make_pipe(self, session: Session, properties: dict[str, bytes]) -> Pipe:
        sock_end, session_end = pipepair(*self.options.pipe_hwms())
        session_end.sink = session
        sock_end.properties = dict(properties)
        self.socket_end = sock_end
        return session_end

    def resubscribe(self, pipe: Pipe) -> None:
        self.events.append("resubscribe")

    def add_owner_reader(self, reader: Any) -> None:
        pass

    def remove_owner_reader(self, reader: Any) -> None:
        pass

    def session_started(self, session: Session) -> None:
        self.events.append("started")

    def session_ready(self, session: Session) -> None:
        self.events.append("ready")

    def session_closed(self, session: Session, exc: Exception | None) -> None:
        self.events.append("closed")

    def handshake_failed(self, session: Session, code: int) -> None:
        self.events.append(f"handshake failed {code}")

    def auth_failed(self, session: Session, status_code: int) -> None:
        self.events.append(f"auth failed {status_code}")

    def zap_connect(self) -> Pipe | None:
        return None  # no ZAP handler is bound


def session_on(host: FakeHost, **flags: Any) -> tuple[Session, FakeTransport]:
    """A Session of ``host`` on a fake transport, its greeting written."""
    session = Session(host, "tcp://fake:1", **flags)
    transport = FakeTransport(session)
    session.connection_made(transport)  # type: ignore[arg-type]
    return session, transport
