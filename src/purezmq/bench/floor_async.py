"""The floor on asyncio: the same transfers with plain ``asyncio.Protocol`` objects."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from time import perf_counter, perf_counter_ns
from typing import Any, cast

from .common import AsyncLink, cpu_times, latency, throughput, unix_path
from .framing import HEADER, Deframer, framed_batches, nodelay, split_address
from .roles_sync import WARMUP_ROUND_TRIPS
from .spec import FLOOR_TASK, Params


class _Stream(asyncio.Protocol):
    """A connection that hands every complete message to ``on_message``, with flow control."""

    def __init__(self) -> None:
        self.deframer = Deframer()
        self.transport: asyncio.Transport | None = None
        self.writable = asyncio.Event()
        self.writable.set()
        self.closed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.on_messages: Callable[[list[bytes]], None] | None = None
        self.early: list[bytes] = []  # what arrived before on_messages was set
        self.on_connected: Callable[[_Stream], None] = lambda stream: None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: no isinstance check
        self.transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            nodelay(sock)
        self.on_connected(self)

    def data_received(self, data: bytes) -> None:
        msgs = self.deframer.feed(data)
        if not msgs:
            return
        if self.on_messages is None:
            self.early += msgs
        else:
            self.on_messages(msgs)

    def handle(self, on_messages: Callable[[list[bytes]], None]) -> None:
        """Hand every message, from now on and those that came before, to ``on_messages``."""
        self.on_messages = on_messages
        early, self.early = self.early, []
        if early:
            on_messages(early)

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def _serve(p: Params, link: AsyncLink, name: str) -> tuple[_Stream, asyncio.Server]:
    """Listen, report the address, and return the first connection's protocol."""
    loop = asyncio.get_running_loop()
    accepted: asyncio.Future[_Stream] = loop.create_future()

    def connected(stream: _Stream) -> None:
        if not accepted.done():
            accepted.set_result(stream)

    def factory() -> _Stream:
        stream = _Stream()
        stream.on_connected = connected
        return stream

    if p.transport == "tcp":
        server = await loop.create_server(factory, "127.0.0.1", 0)
        address = f"tcp:127.0.0.1:{server.sockets[0].getsockname()[1]}"
    else:
        path = unix_path(p, name)
        server = await loop.create_unix_server(factory, path)
        address = f"unix:{path}"
    link.ready({"data": address})
    return await accepted, server


async def _connect(address: str) -> _Stream:
    loop = asyncio.get_running_loop()
    family, where, port = split_address(address)
    if family == "tcp":
        transport, stream = await loop.create_connection(_Stream, where, port)
    else:
        transport, stream = await loop.create_unix_connection(_Stream, where)
    stream.transport = transport  # uvloop may call connection_made later
    return stream


class _Inbox:
    """A stream's messages for a task that awaits them one at a time."""

    def __init__(self, stream: _Stream) -> None:
        self.msgs: deque[bytes] = deque()
        self.loop = asyncio.get_running_loop()
        self.waiter: asyncio.Future[None] | None = None
        stream.handle(self.put)
        stream.closed.add_done_callback(self._closed)

    def put(self, msgs: list[bytes]) -> None:
        self.msgs.extend(msgs)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> bytes:
        msgs = self.msgs
        while not msgs:
            self.waiter = self.loop.create_future()
            await self.waiter
        return msgs.popleft()

    def _closed(self, _: object) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(EOFError("the peer went away"))


def _close(stream: _Stream, server: asyncio.Server | None = None) -> None:
    if stream.transport is not None:
        stream.transport.close()
    if server is not None:
        server.close()


async def thr_recv(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    state = {"count": 0, "start": 0.0}

    def on_messages(msgs: list[bytes]) -> None:
        if not state["count"]:
            state["start"] = perf_counter()
        state["count"] += len(msgs)
        if state["count"] >= p.count and not done.done():
            done.set_result(perf_counter())

    cpu = cpu_times()
    stream, server = await _serve(p, link, "thr")
    stream.handle(on_messages)
    await asyncio.wait([done, stream.closed], return_when=asyncio.FIRST_COMPLETED)
    if not done.done():
        raise EOFError("the sender went away")
    result = throughput(p.count, p.size, done.result() - state["start"])
    await link.finish(result | {"cpu_start": cpu})
    _close(stream, server)


async def thr_send(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    stream = await _connect(p.endpoints["data"])
    transport = stream.transport
    assert transport is not None
    cpu, start = cpu_times(), perf_counter()
    for batch in framed_batches(p.count, p.size):
        transport.write(batch)
        if not stream.writable.is_set():
            await stream.writable.wait()
    await link.finish({"send_s": perf_counter() - start, "cpu_start": cpu})
    _close(stream)


async def lat_rep(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    pack = HEADER.pack
    stream, server = await _serve(p, link, "lat")
    transport = stream.transport
    assert transport is not None
    if p.lib == FLOOR_TASK:
        # As an application's REP: a task awaits each request, then writes the reply.
        get, write = _Inbox(stream).get, transport.write
        for _ in range(WARMUP_ROUND_TRIPS + p.count):
            msg = await get()
            write(pack(len(msg)) + msg)
        await link.finish({})
        _close(stream, server)
        return
    done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    left = [WARMUP_ROUND_TRIPS + p.count]

    def on_messages(msgs: list[bytes]) -> None:
        for msg in msgs:
            transport.write(pack(len(msg)) + msg)
        left[0] -= len(msgs)
        if left[0] <= 0 and not done.done():
            done.set_result(None)

    stream.handle(on_messages)
    await asyncio.wait([done, stream.closed], return_when=asyncio.FIRST_COMPLETED)
    if not done.done():
        raise EOFError("the requester went away")
    await link.finish({})
    _close(stream, server)


async def lat_req(zmq: Any, ctx: Any, p: Params, link: AsyncLink) -> None:
    stream = await _connect(p.endpoints["data"])
    transport = stream.transport
    assert transport is not None
    get = _Inbox(stream).get

    async def round_trip() -> None:
        transport.write(pack(p.size) + payload)
        await get()

    pack, payload = HEADER.pack, b"x" * p.size
    for _ in range(WARMUP_ROUND_TRIPS):
        await round_trip()
    samples = []
    for _ in range(p.count):
        t0 = perf_counter_ns()
        await round_trip()
        samples.append(perf_counter_ns() - t0)
    await link.finish(latency(samples))
    _close(stream)
