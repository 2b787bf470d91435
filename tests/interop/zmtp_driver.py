"""A ZmtpConnection driven over a blocking socket.socket, for protocol-level interop.

No engine is involved: the test owns the socket, the connection and the ZAP
handler. Every blocking call has a timeout and every wait a deadline, so a
peer that stops talking fails the test instead of hanging it.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from purezmq.zmtp import (
    ConnectionClosed,
    HandshakeComplete,
    Received,
    State,
    ZapRequest,
    ZmtpConnection,
)

TIMEOUT = 5.0

ZapHandler = Callable[[ZapRequest], Sequence[bytes] | None]
"""Answers a ZapRequest with reply frames, or None for "no handler bound"."""


class Driver:
    """One ZMTP connection over `sock`: events are gathered in `events`."""

    def __init__(self, sock: socket.socket, conn: ZmtpConnection, zap: ZapHandler | None = None):
        sock.settimeout(TIMEOUT)
        self.sock = sock
        self.conn = conn
        self.zap = zap
        self.events: list[Received] = []
        self._taken = 0  # messages already handed out by recv()

    def close(self) -> None:
        self.sock.close()

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def pump_once(self) -> None:
        """Send what is queued, read once (blocking, with the timeout), decode."""
        self.flush()
        self.conn.receive_data(self.sock.recv(65536))
        self._take(self.conn.next_events())
        self.flush()

    def _take(self, events: list[Received]) -> None:
        for event in events:
            self.events.append(event)
            if isinstance(event, ZapRequest):
                self._answer(event)

    def _answer(self, request: ZapRequest) -> None:
        reply = self.zap(request) if self.zap is not None else None
        if reply is None:
            self.conn.zap_unavailable()
        else:
            self.conn.zap_reply(reply)
        self._take(self.conn.next_events())

    def wait_for(self, condition: Callable[[], bool], deadline: float = TIMEOUT) -> None:
        """Pump until `condition()` holds; AssertionError if the connection ends or time is up."""
        end = time.monotonic() + deadline
        while not condition():
            if self.closed:
                raise AssertionError(f"connection ended first: {self.events}")
            if time.monotonic() > end:
                raise AssertionError(f"timed out: {self.events}")
            self.pump_once()

    @property
    def closed(self) -> bool:
        return any(isinstance(event, ConnectionClosed) for event in self.events)

    def handshake(self) -> HandshakeComplete:
        self.wait_for(lambda: self.conn.state is State.READY)
        return next(e for e in self.events if isinstance(e, HandshakeComplete))

    def wait_closed(self) -> None:
        """Pump until the connection is closed (by the peer or by us)."""
        end = time.monotonic() + TIMEOUT
        while not self.closed:
            if time.monotonic() > end:
                raise AssertionError(f"not closed: {self.events}")
            if self.conn.state is State.CLOSED:
                self._take(self.conn.next_events())
                self.flush()
                continue
            self.pump_once()

    def send(self, frames: Sequence[bytes]) -> None:
        self.conn.send_message(frames)
        self.flush()

    def recv(self) -> list[bytes]:
        """The next message received (waiting for it)."""
        self.wait_for(lambda: len(self.messages) > self._taken)
        self._taken += 1
        return self.messages[self._taken - 1]

    @property
    def messages(self) -> list[list[bytes]]:
        return [list(event) for event in self.events if type(event) is tuple]


def listen(transport: str, directory: Path) -> tuple[socket.socket, str]:
    """A listening socket on 127.0.0.1 (ephemeral port) or a unix path; its endpoint."""
    if transport == "tcp":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        endpoint = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    else:
        path = str(directory / "raw.ipc")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        endpoint = f"ipc://{path}"
    listener.listen(1)
    listener.settimeout(TIMEOUT)
    return listener, endpoint


def connect(endpoint: str) -> socket.socket:
    """A socket connected to a libzmq socket bound at `endpoint`."""
    if endpoint.startswith("tcp://"):
        host, port = endpoint[len("tcp://") :].rsplit(":", 1)
        return socket.create_connection((host, int(port)), timeout=TIMEOUT)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    sock.connect(endpoint[len("ipc://") :])
    return sock
