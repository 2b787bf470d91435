"""``Socket(shadow=...)``: another Python object for the same socket, as pyzmq's; a sync
shadow of an asyncio socket (what ZMQStream uses) has an FD that its wake-ups reach."""

from __future__ import annotations

import asyncio
import gc
import select

import pytest
from tests.helpers.waiting import run

import purezmq as zmq
import purezmq.asyncio as azmq


def _push_pull(ctx: zmq.Context) -> tuple[zmq.Socket, zmq.Socket]:
    push = ctx.socket(zmq.PUSH)
    pull = ctx.socket(zmq.PULL)
    port = push.bind_to_random_port("tcp://127.0.0.1")
    pull.connect(f"tcp://127.0.0.1:{port}")
    return push, pull


def test_a_shadow_receives_what_its_socket_would(ctx: zmq.Context) -> None:
    """Socket.shadow(sock), Socket(sock) and Socket(shadow=sock.underlying) share it."""
    push, pull = _push_pull(ctx)
    shadows = [zmq.Socket.shadow(pull), zmq.Socket(pull), zmq.Socket(shadow=pull.underlying)]
    for n, shadow in enumerate(shadows):
        assert type(shadow) is zmq.Socket
        assert shadow.underlying == pull.underlying
        assert (shadow.type, shadow.context) == (zmq.PULL, ctx)
        push.send_multipart([b"%d" % n, b"more"])
        assert shadow.recv_multipart() == [b"%d" % n, b"more"]


def test_closing_the_socket_closes_its_shadows_and_the_other_way(ctx: zmq.Context) -> None:
    push, pull = _push_pull(ctx)
    shadow = zmq.Socket.shadow(pull)
    pull.close()
    assert shadow.closed
    with pytest.raises(zmq.ZMQError) as raised:
        shadow.get(zmq.EVENTS)
    assert raised.value.errno == zmq.ENOTSOCK
    other = zmq.Socket.shadow(push)
    other.close()
    assert push.closed


def test_a_dropped_shadow_leaves_its_socket_open(ctx: zmq.Context) -> None:
    push, pull = _push_pull(ctx)
    shadow = zmq.Socket.shadow(pull)
    del shadow
    gc.collect()
    push.send(b"still here")
    assert pull.recv() == b"still here"


def test_a_shadow_binds_for_its_socket(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    shadow = zmq.Socket.shadow(pull)
    shadow.bind("tcp://127.0.0.1:*")
    assert pull.last_endpoint == shadow.last_endpoint
    push = ctx.socket(zmq.PUSH)
    push.connect(pull.last_endpoint)
    push.send(b"bound by the shadow")
    assert pull.recv(zmq.NOBLOCK if pull.poll(5000) else 0) == b"bound by the shadow"


def test_a_sync_shadow_of_an_asyncio_socket_has_an_fd_that_wakes() -> None:
    """What ZMQStream does with an asyncio socket: watch the shadow's FD on the loop."""

    async def main() -> list[bytes]:
        ctx = azmq.Context()
        push, pull = _push_pull(ctx)  # type: ignore[arg-type]
        shadow = zmq.Socket(shadow=pull)
        loop = asyncio.get_running_loop()
        readable = asyncio.Event()
        fd = shadow.FD
        loop.add_reader(fd, readable.set)
        try:
            await push.send_multipart([b"a", b"b"])
            while not shadow.EVENTS & zmq.POLLIN:
                readable.clear()
                await asyncio.wait_for(readable.wait(), 5)
            return shadow.recv_multipart(zmq.NOBLOCK)  # type: ignore[no-any-return]
        finally:
            loop.remove_reader(fd)
            ctx.destroy(linger=0)

    assert run(main()) == [b"a", b"b"]


def test_a_shadow_made_before_the_loop_is_woken_once_it_runs() -> None:
    ctx = azmq.Context()
    push, pull = _push_pull(ctx)  # type: ignore[arg-type]
    shadow = zmq.Socket.shadow(pull)
    fd = shadow.FD
    shadow.EVENTS  # noqa: B018  (reading EVENTS clears the FD)

    async def main() -> bytes:
        try:
            polled = pull.poll(5000)  # each socket joins the loop at its first call
            await push.send(b"x")
            await polled
            assert select.select([fd], [], [], 5)[0]
            return shadow.recv(zmq.NOBLOCK)  # type: ignore[no-any-return]
        finally:
            ctx.destroy(linger=0)

    assert run(main()) == b"x"
