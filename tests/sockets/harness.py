"""One scenario, two APIs: a socket test written once runs with sync and asyncio sockets.

A scenario is an ``async def`` that awaits socket I/O through :class:`Sock`. With
the sync API the call blocks the scenario's thread (the sockets' I/O runs on the
Context's I/O thread, so nothing needs the loop); with the asyncio API the call
must return an awaitable, which is awaited. Everything else (options, bind,
connect, close) is passed straight to the real socket.

Every socket gets RCVTIMEO and SNDTIMEO, so a scenario that would block for ever
fails with ``zmq.Again`` instead of hanging the run.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import purezmq as zmq
import purezmq.asyncio as azmq
from tests.conftest import bind, bind_address
from tests.helpers.waiting import run

APIS = ["sync", "asyncio"]
TIMEOUT_MS = 5000
SCENARIO_DEADLINE = 25.0
TERM_DEADLINE = 10.0

# The methods that return awaitables on an asyncio socket (pyzmq's _future.py list).
_IO = frozenset(
    {
        "send",
        "recv",
        "send_multipart",
        "recv_multipart",
        "send_string",
        "recv_string",
        "send_json",
        "recv_json",
        "send_pyobj",
        "recv_pyobj",
        "send_serialized",
        "recv_serialized",
        "poll",
    }
)


class Sock:
    """A socket whose I/O methods are coroutines in both APIs."""

    def __init__(self, sock: Any, is_async: bool) -> None:
        self.__dict__["sock"] = sock
        self.__dict__["is_async"] = is_async

    def __repr__(self) -> str:
        return f"Sock({self.sock!r})"

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.sock, name)
        if name not in _IO:
            return attr

        @functools.wraps(attr)
        async def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            # The API contract: asyncio sockets hand back awaitables, sync ones results.
            assert inspect.isawaitable(result) == self.is_async, (name, result)
            if self.is_async:
                result = await result
            return result

        return call

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.sock, name, value)


class Env:
    """A scenario's world: its API, transport, Context and endpoints."""

    def __init__(self, api: str, transport: str, ipc_dir: str) -> None:
        self.api = api
        self.transport = transport
        self.ipc_dir = ipc_dir
        self.is_async = api == "asyncio"
        self.zmq: Any = azmq if self.is_async else zmq
        self.ctx: Any = None
        self.sockets: list[Any] = []

    def __repr__(self) -> str:
        return f"Env({self.api}, {self.transport})"

    def socket(self, socket_type: int, **options: Any) -> Sock:
        """A socket of this Context with LINGER 0, both timeouts, then ``options``."""
        sock = self.ctx.socket(socket_type)
        self.sockets.append(sock)
        sock.linger = 0
        sock.rcvtimeo = TIMEOUT_MS
        sock.sndtimeo = TIMEOUT_MS
        for name, value in options.items():
            setattr(sock, name, value)
        return Sock(sock, self.is_async)

    def bind(self, sock: Sock) -> str:
        """Bind ``sock`` on this transport; the address to connect to."""
        return bind(sock.sock, self.transport, self.ipc_dir)

    def free_endpoint(self) -> str:
        """An address nothing is bound to yet (for connect-before-bind)."""
        if self.transport != "tcp":
            return bind_address(self.transport, self.ipc_dir)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return f"tcp://127.0.0.1:{port}"

    def run(self, scenario: Callable[[Env], Awaitable[None]]) -> None:
        run(self._main(scenario), SCENARIO_DEADLINE)

    async def _main(self, scenario: Callable[[Env], Awaitable[None]]) -> None:
        self.ctx = self.zmq.Context()
        try:
            await scenario(self)
        finally:
            for sock in self.sockets:
                sock.close(linger=0)
            terminate(self.ctx)


def terminate(ctx: Any, deadline: float = TERM_DEADLINE) -> None:
    """``ctx.term()``, failing the test (instead of hanging the run) if it does not return."""
    terminator = threading.Thread(target=ctx.term, name="term", daemon=True)
    terminator.start()
    terminator.join(deadline)
    assert not terminator.is_alive(), f"{ctx!r}.term() did not return within {deadline}s"


def scenario(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Turn ``async def test_x(env, **params)`` into a test that runs it in ``env``."""

    @functools.wraps(fn)
    def test(env: Env, **params: Any) -> None:
        env.run(lambda e: fn(e, **params))

    return test


async def eventually(
    condition: Callable[[], Awaitable[Any]], deadline: float = TIMEOUT_MS / 1000
) -> Any:
    """Retry the async ``condition`` until it is truthy; fail after ``deadline`` s."""
    end = time.monotonic() + deadline
    while not (result := await condition()):
        if time.monotonic() > end:
            raise AssertionError(f"condition not met within {deadline}s: {condition}")
        await asyncio.sleep(0.002)  # a poll interval, not a synchronisation
    return result


async def recv_all(sock: Sock, count: int) -> list[bytes]:
    """The next ``count`` single-frame messages of ``sock``."""
    return [await sock.recv() for _ in range(count)]


def queued_in(sock: Sock) -> int:
    """Messages waiting in ``sock``'s inbound pipes (a synchronisation condition only).

    Peeks at the core socket: fair-queueing can only be observed once every peer's
    messages have arrived, and no public API tells when that is.
    """
    core = sock.sock._core
    core.process_commands()
    return sum(len(pipe._in.queue) for pipe in core.pipes)
