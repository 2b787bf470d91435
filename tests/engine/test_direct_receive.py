"""Direct receives: a message for an asyncio recv() that waits goes from the connection
to the caller without the pipe, and still means what it means through the pipe."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import purezmq as zmq
import purezmq.asyncio as azmq
from tests.conftest import bind_address, needs_fastpath


def _run(body: Callable[[azmq.Context, str], Awaitable[None]], address: str) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        try:
            await asyncio.wait_for(body(ctx, address), 20)
        finally:
            ctx.destroy(linger=0)

    asyncio.run(main())


def _pipe_wakeups(sock: Any) -> int:
    """Wake-ups the socket's pipes gave their reader (the socket)."""
    return sum(pipe.statistics()["in_reader_wakeups"] for pipe in sock._core.pipes)


def _bound(sock: Any, address: str) -> str:
    sock.bind(address)
    return str(sock.getsockopt(zmq.LAST_ENDPOINT).decode())


def _connected(ctx: azmq.Context, kind: int, endpoint: str, **options: Any) -> Any:
    sock = ctx.socket(kind)
    for name, value in options.items():
        sock.setsockopt(getattr(zmq, name), value)
    sock.connect(endpoint)
    return sock


async def _pipeline(ctx: azmq.Context, address: str) -> tuple[Any, Any]:
    """A PULL and a PUSH connected to it, one message through to show the link is up."""
    pull = ctx.socket(zmq.PULL)
    push = _connected(ctx, zmq.PUSH, _bound(pull, address))
    await push.send(b"warm-up")
    assert await pull.recv() == b"warm-up"
    return pull, push


@needs_fastpath("direct_receive")
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_round_trips_to_waiting_receivers_skip_the_pipe(transport: str, ipc_dir: str) -> None:
    """Each request and each reply reaches a recv() that already waits: no message goes
    through a pipe, so no pipe wakes its reader; the replies match their requests."""

    async def body(ctx: azmq.Context, address: str) -> None:
        rep = ctx.socket(zmq.REP)
        req = _connected(ctx, zmq.REQ, _bound(rep, address))
        await req.send(b"warm-up")  # the connection is up once this round trip is done
        await rep.send(await rep.recv())
        assert await req.recv() == b"warm-up"
        before = _pipe_wakeups(rep), _pipe_wakeups(req)
        for n in range(200):
            request = asyncio.ensure_future(rep.recv())
            await asyncio.sleep(0)  # the REP's recv() waits before the request is sent
            await req.send(b"%d" % n)
            assert await request == b"%d" % n
            reply = asyncio.ensure_future(req.recv())
            await asyncio.sleep(0)
            await rep.send(b"%d!" % n)
            assert await reply == b"%d!" % n
        assert (_pipe_wakeups(rep), _pipe_wakeups(req)) == before

    _run(body, bind_address(transport, ipc_dir))


def test_rep_replies_to_the_peer_whose_request_it_took_directly(ipc_dir: str) -> None:
    """Two REQs, one REP: the envelope of a request taken directly routes its reply."""

    async def body(ctx: azmq.Context, address: str) -> None:
        rep = ctx.socket(zmq.REP)
        endpoint = _bound(rep, address)
        reqs = [_connected(ctx, zmq.REQ, endpoint) for _ in range(2)]
        for round_ in range(20):
            for i, req in enumerate(reqs):
                request = asyncio.ensure_future(rep.recv())
                await asyncio.sleep(0)
                await req.send(b"from %d round %d" % (i, round_))
                await rep.send(b"to " + await request)
            for i, req in enumerate(reqs):
                assert await req.recv() == b"to from %d round %d" % (i, round_)

    _run(body, bind_address("tcp", ipc_dir))


def test_router_gets_the_routing_id_of_a_direct_message(ipc_dir: str) -> None:
    async def body(ctx: azmq.Context, address: str) -> None:
        router = ctx.socket(zmq.ROUTER)
        endpoint = _bound(router, address)
        dealers = [
            _connected(ctx, zmq.DEALER, endpoint, ROUTING_ID=b"dealer-%d" % i)
            for i in range(2)
        ]
        for round_ in range(10):
            for i, dealer in enumerate(dealers):
                msg = asyncio.ensure_future(router.recv_multipart())
                await asyncio.sleep(0)
                await dealer.send_multipart([b"a", b"%d" % round_])
                assert await msg == [b"dealer-%d" % i, b"a", b"%d" % round_]

    _run(body, bind_address("tcp", ipc_dir))


def test_a_multipart_message_taken_directly_is_read_frame_by_frame(ipc_dir: str) -> None:
    """recv() that waits gets the first frame; RCVMORE and the next recv() the rest."""

    async def body(ctx: azmq.Context, address: str) -> None:
        pull, push = await _pipeline(ctx, address)
        first = asyncio.ensure_future(pull.recv(copy=False))
        await asyncio.sleep(0)
        await push.send_multipart([b"one", b"two", b"three"])
        frame = await first
        assert (frame.bytes, frame.more, pull.rcvmore) == (b"one", True, True)
        assert await pull.recv() == b"two"
        assert pull.rcvmore
        assert await pull.recv_multipart() == [b"three"]
        assert not pull.rcvmore

    _run(body, bind_address("tcp", ipc_dir))


def test_a_cancelled_recv_leaves_the_message_for_the_next(ipc_dir: str) -> None:
    async def body(ctx: azmq.Context, address: str) -> None:
        pull, push = await _pipeline(ctx, address)
        gone = asyncio.ensure_future(pull.recv())
        await asyncio.sleep(0)
        gone.cancel()
        waiting = asyncio.ensure_future(pull.recv())  # queued behind the cancelled one
        await push.send(b"kept")
        assert await waiting == b"kept"
        assert gone.cancelled()

    _run(body, bind_address("tcp", ipc_dir))


def test_rep_drops_a_request_without_envelope_and_takes_the_next(ipc_dir: str) -> None:
    """A DEALER's message with no delimiter is malformed for REP: dropped, as libzmq
    does, whether or not a recv() waits for it; the next well-formed one arrives."""

    async def body(ctx: azmq.Context, address: str) -> None:
        rep = ctx.socket(zmq.REP)
        dealer = _connected(ctx, zmq.DEALER, _bound(rep, address))
        request = asyncio.ensure_future(rep.recv_multipart())
        await asyncio.sleep(0)
        await dealer.send(b"no envelope")
        await dealer.send_multipart([b"", b"good"])
        assert await request == [b"good"]
        await rep.send(b"reply")
        assert await dealer.recv_multipart() == [b"", b"reply"]

    _run(body, bind_address("tcp", ipc_dir))


def test_req_correlate_takes_only_the_reply_to_its_latest_request(ipc_dir: str) -> None:
    """REQ_RELAXED + REQ_CORRELATE: the late reply to the first request is discarded even
    though a recv() waits; the reply to the second one is taken."""

    async def body(ctx: azmq.Context, address: str) -> None:
        router = ctx.socket(zmq.ROUTER)
        req = _connected(
            ctx, zmq.REQ, _bound(router, address), REQ_RELAXED=1, REQ_CORRELATE=1
        )
        await req.send(b"first")
        first = await router.recv_multipart()
        await req.send(b"second")
        second = await router.recv_multipart()
        reply = asyncio.ensure_future(req.recv())
        await asyncio.sleep(0)
        await router.send_multipart([*first[:-1], b"late"])
        await router.send_multipart([*second[:-1], b"current"])
        assert await reply == b"current"

    _run(body, bind_address("tcp", ipc_dir))
