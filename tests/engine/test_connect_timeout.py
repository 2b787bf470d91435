"""CONNECT_TIMEOUT: a tcp connect that does not complete in time is abandoned and retried."""

from __future__ import annotations

import asyncio
import socket

import pytest

import purezmq as zmq
from purezmq.engine.socket_engine import SocketEngine
from tests.helpers.waiting import wait_for


def test_connect_timeout_abandons_a_stalled_connect(
    ctx: zmq.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connect that hangs (the listener's backlog is full) fails after CONNECT_TIMEOUT."""
    failures: list[BaseException] = []
    original = SocketEngine.connect_failed

    def record(self: SocketEngine, connecter: object, exc: BaseException) -> None:
        failures.append(exc)
        original(self, connecter, exc)  # type: ignore[arg-type]

    monkeypatch.setattr(SocketEngine, "connect_failed", record)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        # Fill the accept queue: further SYNs are dropped, so connects hang.
        fillers = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fillers.append(filler)
        push = ctx.socket(zmq.PUSH)
        push.linger = 0
        push.connect_timeout = 100
        push.reconnect_ivl = 50
        push.connect(f"tcp://127.0.0.1:{port}")
        wait_for(lambda: any(isinstance(e, asyncio.TimeoutError) for e in failures))
        for filler in fillers:
            filler.close()
