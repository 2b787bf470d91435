"""purezmq.asyncio against libzmq (through pyzmq's own asyncio API), over tcp.

Both sockets live on the same event loop, so neither side may block it: the
libzmq side is a ``zmq.asyncio`` socket too.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pytest
import zmq as pyzmq
import zmq.asyncio

import purezmq.asyncio as azmq

from ..helpers.waiting import run
from .support import LIB, PURE, TIMEOUT_MS, configure, endpoint_of

pytestmark = pytest.mark.interop

MANY = 2000


class AsyncSockets:
    """Sockets of either library on the running loop; closed with their contexts."""

    def __init__(self) -> None:
        self.pure = azmq.Context()
        self.lib = zmq.asyncio.Context()

    def make(self, lib: str, type_name: str, **options: Any) -> Any:
        if lib == PURE:
            sock = self.pure.socket(getattr(azmq, type_name))
        else:
            sock = self.lib.socket(getattr(pyzmq, type_name))
        return configure(sock, **options)

    def close(self) -> None:
        self.pure.destroy(linger=0)
        self.lib.destroy(linger=0)


@asynccontextmanager
async def async_sockets() -> AsyncIterator[AsyncSockets]:
    made = AsyncSockets()
    try:
        yield made
    finally:
        made.close()


def _link(binder: Any, connecter: Any) -> None:
    binder.bind("tcp://127.0.0.1:*")
    connecter.connect(endpoint_of(binder))


def _run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    run(test(), deadline=30.0)


@pytest.mark.parametrize("binds", ["REQ", "REP"], ids=lambda t: f"{t}_binds")
@pytest.mark.parametrize("pure_role", ["REQ", "REP"], ids=lambda t: f"{t}_purezmq")
def test_async_req_rep(pure_role: str, binds: str) -> None:
    """A request/reply loop where client and server run as concurrent tasks."""

    async def test() -> None:
        async with async_sockets() as s:
            libs = {pure_role: PURE, ({"REQ", "REP"} - {pure_role}).pop(): LIB}
            req = s.make(libs["REQ"], "REQ")
            rep = s.make(libs["REP"], "REP")
            if binds == "REQ":
                _link(req, rep)
            else:
                _link(rep, req)

            async def server() -> None:
                for _ in range(20):
                    msg = await rep.recv_multipart()
                    await rep.send_multipart([b"re:", *msg])

            async def client() -> list[list[bytes]]:
                replies = []
                for n in range(20):
                    await req.send_multipart([b"req", b"", b"%d" % n])
                    replies.append(await req.recv_multipart())
                return replies

            _, replies = await asyncio.gather(server(), client())
            assert replies == [[b"re:", b"req", b"", b"%d" % n] for n in range(20)]

    _run(test)


@pytest.mark.parametrize("binds", ["PUSH", "PULL"], ids=lambda t: f"{t}_binds")
@pytest.mark.parametrize("pure_role", ["PUSH", "PULL"], ids=lambda t: f"{t}_purezmq")
def test_async_push_pull(pure_role: str, binds: str) -> None:
    """2 000 messages (some multipart, some large) in order, sender and receiver concurrent."""
    expected = [[b"%d" % n] if n % 7 else [b"%d" % n, b"", bytes(n * 100)] for n in range(MANY)]

    async def test() -> None:
        async with async_sockets() as s:
            libs = {pure_role: PURE, ({"PUSH", "PULL"} - {pure_role}).pop(): LIB}
            push = s.make(libs["PUSH"], "PUSH")
            pull = s.make(libs["PULL"], "PULL")
            if binds == "PUSH":
                _link(push, pull)
            else:
                _link(pull, push)

            async def sender() -> None:
                for msg in expected:
                    await push.send_multipart(msg)

            async def receiver() -> list[list[bytes]]:
                return [await pull.recv_multipart() for _ in range(MANY)]

            _, received = await asyncio.gather(sender(), receiver())
            assert len(received) == MANY
            assert received == expected

    _run(test)


def test_async_cancelled_recv_loses_nothing() -> None:
    """A cancelled recv on purezmq takes no message: the next recv gets libzmq's first one."""

    async def test() -> None:
        async with async_sockets() as s:
            pull = s.make(PURE, "PULL")
            push = s.make(LIB, "PUSH")
            _link(pull, push)
            pending = asyncio.ensure_future(pull.recv())
            await asyncio.sleep(0)  # let the recv start waiting (not a synchronisation)
            pending.cancel()
            with pytest.raises(asyncio.CancelledError):
                await pending
            timed_out = asyncio.ensure_future(asyncio.wait_for(pull.recv(), 0.001))
            with pytest.raises(asyncio.TimeoutError):
                await timed_out
            for n in range(3):
                await push.send(b"%d" % n)
            assert [await pull.recv() for _ in range(3)] == [b"0", b"1", b"2"]

    _run(test)


@pytest.mark.parametrize("router_lib", [PURE, LIB], ids=lambda lib: f"ROUTER_{lib}")
def test_async_dealer_router(router_lib: str) -> None:
    """A DEALER's ROUTING_ID reaches the other library's ROUTER, and the reply comes back."""

    async def test() -> None:
        async with async_sockets() as s:
            router = s.make(router_lib, "ROUTER")
            dealer_lib = LIB if router_lib == PURE else PURE
            dealer = s.make(dealer_lib, "DEALER", routing_id=b"async-dealer")
            _link(router, dealer)
            await dealer.send_multipart([b"", b"ping"])
            assert await router.recv_multipart() == [b"async-dealer", b"", b"ping"]
            await router.send_multipart([b"async-dealer", b"", b"pong"])
            assert await dealer.recv_multipart() == [b"", b"pong"]

    _run(test)


def test_async_recv_times_out_with_again() -> None:
    """RCVTIMEO on a purezmq.asyncio socket fails the await with Again, like pyzmq's."""

    async def test() -> None:
        async with async_sockets() as s:
            pull = s.make(PURE, "PULL", rcvtimeo=50)
            push = s.make(LIB, "PUSH")
            _link(pull, push)
            with pytest.raises(azmq.Again):
                await pull.recv()
            await push.send(b"after")
            pull.rcvtimeo = TIMEOUT_MS
            assert await pull.recv() == b"after"

    _run(test)


@pytest.mark.parametrize("sender_lib", [PURE, LIB], ids=lambda lib: f"PUSH_{lib}")
def test_async_large_messages(sender_lib: str) -> None:
    """An 8 MiB frame and a multipart message with a 3 MiB frame, on one loop."""
    big = os.urandom(8 * 1024 * 1024)
    multipart = [b"head", b"", os.urandom(3 * 1024 * 1024), b"tail"]

    async def test() -> None:
        async with async_sockets() as s:
            push = s.make(sender_lib, "PUSH")
            pull = s.make(LIB if sender_lib == PURE else PURE, "PULL")
            _link(pull, push)

            async def sender() -> None:
                for msg in ([big], multipart, [big]):
                    await push.send_multipart(msg)

            async def receiver() -> list[list[bytes]]:
                return [await pull.recv_multipart() for _ in range(3)]

            _, received = await asyncio.gather(sender(), receiver())
            assert received == [[big], multipart, [big]]

    _run(test)
