"""LINGER applies to every connection of a socket, accepted or connected.

A PUSH whose queue to its reader is far bigger than the kernel's buffers is closed
(LINGER -1) and its context terminated at once: every message still reaches the reader,
whether the PUSH accepted the connection or made it. Both ends bind in turn, tcp and
ipc, sync and asyncio.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import purezmq as zmq
import purezmq.asyncio as azmq
from tests.conftest import bind_address

COUNT = 10_000
BODY = b"x" * 1000  # 10 MB in all: far more than the socket buffers hold
DEADLINE = 60.0


def _slow_reader(address: str, bind: bool, ready: threading.Event, got: list[int]) -> None:
    """A PULL in a context of its own that reads everything. Its RCVHWM of 10 leaves the
    backlog on the sender's side, which closes as soon as it has queued it all."""
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.rcvtimeo = 20_000
    pull.rcvhwm = 10
    if bind:
        pull.bind(address)
    else:
        pull.connect(address)
    ready.set()
    try:
        for i in range(COUNT):
            msg = pull.recv()
            assert msg == BODY
            got.append(i)
    except zmq.Again:
        pass
    finally:
        ctx.destroy(linger=0)


def _send_all_sync(address: str, bind: bool) -> None:
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.sndhwm = 0  # everything queues in the socket, none of it blocks
    (push.bind if bind else push.connect)(address)
    for _ in range(COUNT):
        push.send(BODY)
    push.close()  # LINGER -1: what is queued still goes
    ctx.term()


def _send_all_async(address: str, bind: bool) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(zmq.PUSH)
        push.sndhwm = 0
        (push.bind if bind else push.connect)(address)
        for _ in range(COUNT):
            await push.send(BODY)
        push.close()
        # The connections flush on this loop: it must keep running until they have.
        engine: Any = push._engine
        while not engine.done.is_set():
            await asyncio.sleep(0.01)
        ctx.term()

    asyncio.run(main())


@pytest.mark.parametrize("api", ["sync", "asyncio"])
@pytest.mark.parametrize("sender_binds", [True, False], ids=["push-binds", "pull-binds"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_close_and_term_deliver_everything_queued(
    transport: str, sender_binds: bool, api: str, ipc_dir: str
) -> None:
    address = bind_address(transport, ipc_dir)
    if transport == "tcp":
        address = f"tcp://127.0.0.1:{_free_port()}"
    got: list[int] = []
    ready = threading.Event()
    reader = threading.Thread(target=_slow_reader, args=(address, not sender_binds, ready, got))
    if not sender_binds:
        reader.start()
        ready.wait(DEADLINE)
    sender = threading.Thread(
        target=_send_all_sync if api == "sync" else _send_all_async, args=(address, sender_binds)
    )
    sender.start()
    if sender_binds:
        reader.start()
    sender.join(DEADLINE)
    reader.join(DEADLINE)
    assert not sender.is_alive() and not reader.is_alive()
    assert len(got) == COUNT


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
