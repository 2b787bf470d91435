"""RFC 31 (PAIR) through the API, over tcp/ipc/inproc x sync/asyncio."""

from __future__ import annotations

import contextlib

import pytest

import purezmq as zmq
from tests.sockets.harness import Env, scenario


@scenario
async def test_pair_both_directions(env: Env) -> None:
    """RFC 31 PAIR: MAY both send and receive messages; SHALL not filter or modify them."""
    bound = env.socket(zmq.PAIR)
    connected = env.socket(zmq.PAIR)
    connected.connect(env.bind(bound))
    for i in range(3):
        await connected.send_multipart([b"ping", b"%d" % i, b""])
        assert await bound.recv_multipart() == [b"ping", b"%d" % i, b""]
        await bound.send_multipart([b"pong", b"%d" % i])
        assert await connected.recv_multipart() == [b"pong", b"%d" % i]


@scenario
async def test_pair_queues_before_the_peer_binds(env: Env) -> None:
    """RFC 31 PAIR: SHALL create a double queue when initiating an outgoing connection to a peer."""
    address = env.free_endpoint()
    connected = env.socket(zmq.PAIR)
    connected.connect(address)
    await connected.send(b"early", zmq.NOBLOCK)
    bound = env.socket(zmq.PAIR)
    bound.bind(address)
    assert await bound.recv() == b"early"


@scenario
async def test_pair_without_peer_raises_again(env: Env) -> None:
    """RFC 31 PAIR: SHALL block on sending, or return a suitable error, when it has no peer."""
    pair = env.socket(zmq.PAIR, sndtimeo=50)
    env.bind(pair)
    with pytest.raises(zmq.Again):
        await pair.send(b"nobody", zmq.NOBLOCK)
    with pytest.raises(zmq.Again):
        await pair.send(b"nobody")


@scenario
async def test_second_pair_is_not_served(env: Env) -> None:
    """RFC 31 PAIR: MAY be connected to at most one PAIR peer."""
    bound = env.socket(zmq.PAIR)
    address = env.bind(bound)
    first = env.socket(zmq.PAIR)
    first.connect(address)
    await first.send(b"first")
    assert await bound.recv() == b"first"  # the first peer is the one
    second = env.socket(zmq.PAIR)
    second.connect(address)
    with contextlib.suppress(zmq.Again):  # the refused peer may or may not queue it
        await second.send(b"intruder", zmq.NOBLOCK)
    await first.send(b"first again")
    assert await bound.recv() == b"first again"
    await bound.send(b"reply")
    assert await first.recv() == b"reply"
    assert await bound.poll(100) == 0, "the second PAIR's message was delivered"
    assert await second.poll(100) == 0, "the second PAIR was answered"
