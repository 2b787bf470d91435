"""RFC 30 (PUSH, PULL) through the API, over tcp/ipc/inproc x sync/asyncio."""

from __future__ import annotations

import os

import pytest

import purezmq as zmq
from tests.helpers.waiting import async_wait_for
from tests.sockets.harness import Env, queued_in, recv_all, scenario

PER_PEER = 4


@scenario
async def test_push_round_robins_over_pulls(env: Env) -> None:
    """RFC 30 PUSH: SHALL route outgoing messages to available peers using a round-robin."""
    pulls = [env.socket(zmq.PULL) for _ in range(2)]
    push = env.socket(zmq.PUSH)
    # The PUSH connects, so both queues exist at connect(), in this order.
    for pull in pulls:
        push.connect(env.bind(pull))
    for i in range(2 * PER_PEER):
        await push.send(b"%d" % i)
    assert await recv_all(pulls[0], PER_PEER) == [b"%d" % i for i in range(0, 2 * PER_PEER, 2)]
    assert await recv_all(pulls[1], PER_PEER) == [b"%d" % i for i in range(1, 2 * PER_PEER, 2)]


@scenario
async def test_pull_fair_queues_from_pushes(env: Env) -> None:
    """RFC 30 PULL: SHALL receive incoming messages from its peers using a fair-queuing strategy."""
    pull = env.socket(zmq.PULL)
    address = env.bind(pull)
    pushes = [env.socket(zmq.PUSH) for _ in range(2)]
    for name, push in zip(b"AB", pushes, strict=True):
        push.connect(address)
        for i in range(PER_PEER):
            await push.send(b"%c%d" % (name, i))
    await async_wait_for(lambda: queued_in(pull) >= 2 * PER_PEER)
    got = await recv_all(pull, 2 * PER_PEER)
    # The peers alternate, and each peer's messages keep their order.
    evens, odds = {m[:1] for m in got[0::2]}, {m[:1] for m in got[1::2]}
    assert len(evens) == len(odds) == 1 and evens != odds
    assert [m for m in got if m[:1] == b"A"] == [b"A%d" % i for i in range(PER_PEER)]


@scenario
async def test_push_without_peers_raises_again(env: Env) -> None:
    """RFC 30 PUSH: SHALL block on sending, or return a suitable error, when it has no peers."""
    push = env.socket(zmq.PUSH)
    with pytest.raises(zmq.Again):
        await push.send(b"nobody", zmq.NOBLOCK)
    env.bind(push)
    with pytest.raises(zmq.Again):
        await push.send(b"nobody yet", zmq.NOBLOCK)


@scenario
async def test_push_blocks_at_hwm_and_resumes(env: Env) -> None:
    """RFC 30 PUSH: SHALL not accept messages when no peer is available; SHALL NOT discard."""
    pull = env.socket(zmq.PULL, rcvhwm=2)
    push = env.socket(zmq.PUSH, sndhwm=2)
    push.connect(env.bind(pull))
    payload = b"x" * 1024
    sent = 0
    # Kernel buffers take some of a tcp/ipc stream first; 16 MiB is more than they hold.
    with pytest.raises(zmq.Again):
        while sent < 16 * 1024:
            await push.send(payload, zmq.NOBLOCK)
            sent += 1
    assert sent >= 2
    assert await recv_all(pull, sent) == [payload] * sent
    assert await push.poll(5000, zmq.POLLOUT) & zmq.POLLOUT
    await push.send(b"after", zmq.NOBLOCK)
    assert await pull.recv() == b"after"


@scenario
async def test_messages_queued_before_connection_are_delivered(env: Env) -> None:
    """RFC 30 PUSH: SHALL create this queue when initiating an outgoing connection to a peer."""
    address = env.free_endpoint()
    push = env.socket(zmq.PUSH)
    push.connect(address)
    for i in range(3):
        await push.send(b"early %d" % i, zmq.NOBLOCK)
    pull = env.socket(zmq.PULL)
    pull.bind(address)
    assert await recv_all(pull, 3) == [b"early %d" % i for i in range(3)]


@scenario
async def test_rcvtimeo_and_sndtimeo_raise_again(env: Env) -> None:
    """libzmq: a recv (send) that cannot complete in RCVTIMEO (SNDTIMEO) ms fails with EAGAIN."""
    pull = env.socket(zmq.PULL, rcvtimeo=50)
    push = env.socket(zmq.PUSH, sndtimeo=50)
    env.bind(pull)
    env.bind(push)
    with pytest.raises(zmq.Again):
        await pull.recv()
    with pytest.raises(zmq.Again):
        await push.send(b"nobody")


@scenario
async def test_push_only_sends_and_pull_only_receives(env: Env) -> None:
    """RFC 30: PUSH SHALL only send messages; PULL SHALL only receive messages (else ENOTSUP)."""
    pull = env.socket(zmq.PULL)
    push = env.socket(zmq.PUSH)
    push.connect(env.bind(pull))
    with pytest.raises(zmq.ZMQError) as push_recv:
        await push.recv(zmq.NOBLOCK)
    assert push_recv.value.errno == zmq.ENOTSUP
    with pytest.raises(zmq.ZMQError) as pull_send:
        await pull.send(b"back")
    assert pull_send.value.errno == zmq.ENOTSUP


@scenario
async def test_large_message(env: Env) -> None:
    """libzmq: a 4 MiB message arrives whole and unchanged."""
    pull = env.socket(zmq.PULL)
    push = env.socket(zmq.PUSH)
    push.connect(env.bind(pull))
    big = os.urandom(4 * 1024 * 1024)
    await push.send_multipart([big, b"tail"])
    assert await pull.recv_multipart() == [big, b"tail"]


@scenario
async def test_many_messages_in_order(env: Env) -> None:
    """RFC 30 PUSH: SHALL NOT discard messages; 10 000 messages arrive, in order."""
    pull = env.socket(zmq.PULL)
    push = env.socket(zmq.PUSH)
    push.connect(env.bind(pull))
    batch = 1000  # no more than the default SNDHWM: a batch never blocks
    for start in range(0, 10_000, batch):
        for i in range(start, start + batch):
            await push.send(b"%d" % i)
        assert await recv_all(pull, batch) == [b"%d" % i for i in range(start, start + batch)]
