"""RFC 29 (PUB, SUB, XPUB, XSUB) through the API, over tcp/ipc/inproc x sync/asyncio."""

from __future__ import annotations

import itertools

import pytest

import purezmq as zmq
from tests.sockets.harness import Env, Sock, eventually, scenario

_marks = itertools.count()


async def subscribed(pub: Sock, sub: Sock, topic: bytes = b"") -> None:
    """Wait until ``sub``'s subscription to ``topic`` works at ``pub``.

    The publisher sends probes until one arrives, then a unique marker; the
    subscriber reads up to the marker, so its stream is clean afterwards.
    """

    async def probe_arrived() -> int:
        await pub.send(topic + b"\0probe")
        return int(await sub.poll(20))

    await eventually(probe_arrived)
    marker = topic + b"\0mark %d" % next(_marks)
    await pub.send(marker)
    while await sub.recv() != marker:
        pass


async def pub_sub(env: Env, *topics: bytes) -> tuple[Sock, Sock]:
    pub = env.socket(zmq.PUB)
    sub = env.socket(zmq.SUB)
    sub.connect(env.bind(pub))
    for topic in topics:
        sub.subscribe(topic)
    for topic in topics:
        await subscribed(pub, sub, topic)
    return pub, sub


@scenario
async def test_prefix_filtering(env: Env) -> None:
    """RFC 29 PUB: SHALL compare the subscription against the start of the first frame."""
    pub, sub = await pub_sub(env, b"A")
    for msg in [[b"B1"], [b"A1"], [b""], [b"xA"], [b"AB", b"second"], [b"B", b"A"], [b"A.end"]]:
        await pub.send_multipart(msg)
    assert await sub.recv_multipart() == [b"A1"]
    assert await sub.recv_multipart() == [b"AB", b"second"]
    assert await sub.recv_multipart() == [b"A.end"]


@scenario
async def test_empty_subscription_gets_all(env: Env) -> None:
    """libzmq SUB: an empty SUBSCRIBE value matches every message."""
    pub, sub = await pub_sub(env, b"")
    sent = [b"x", b"", b"\x00abc", b"\xff" * 10]
    for msg in sent:
        await pub.send(msg)
    assert [await sub.recv() for _ in sent] == sent


@scenario
async def test_unsubscribe_stops_delivery(env: Env) -> None:
    """libzmq SUB: after UNSUBSCRIBE, messages matching only that topic are no longer delivered."""
    pub, sub = await pub_sub(env, b"A", b"B")
    sub.unsubscribe(b"B")
    for msg in [b"B1", b"A1", b"B2", b"A2"]:
        await pub.send(msg)
    assert await sub.recv() == b"A1"
    assert await sub.recv() == b"A2"


@scenario
async def test_several_subscribers(env: Env) -> None:
    """RFC 29 PUB: MAY be connected to any number of SUB subscribers (each filtered)."""
    pub = env.socket(zmq.PUB)
    address = env.bind(pub)
    subs = {topic: env.socket(zmq.SUB) for topic in (b"A", b"B", b"")}
    for topic, sub in subs.items():
        sub.connect(address)
        sub.subscribe(topic)
    for topic, sub in subs.items():  # b"" last: it also reads the others' probes
        await subscribed(pub, sub, topic)
    sent = [b"A1", b"B1", b"C1", b"A.end", b"B.end"]
    for msg in sent:
        await pub.send(msg)
    assert [await subs[b"A"].recv() for _ in range(2)] == [b"A1", b"A.end"]
    assert [await subs[b"B"].recv() for _ in range(2)] == [b"B1", b"B.end"]
    assert [await subs[b""].recv() for _ in sent] == sent


@scenario
async def test_sub_connects_before_pub_binds(env: Env) -> None:
    """RFC 29 SUB: SHALL create a queue when initiating an outgoing connection to a publisher."""
    address = env.free_endpoint()
    sub = env.socket(zmq.SUB)
    sub.connect(address)
    sub.subscribe(b"")
    pub = env.socket(zmq.PUB)
    pub.bind(address)
    await subscribed(pub, sub)
    await pub.send(b"after the connection")
    assert await sub.recv() == b"after the connection"


@scenario
async def test_xpub_receives_subscriptions(env: Env) -> None:
    """RFC 29 XPUB: SHALL deliver subscribe and unsubscribe commands to its calling application."""
    xpub = env.socket(zmq.XPUB)
    sub = env.socket(zmq.SUB)
    sub.connect(env.bind(xpub))
    sub.subscribe(b"topic")
    assert await xpub.recv() == b"\x01topic"
    await xpub.send(b"topic data")
    assert await sub.recv() == b"topic data"
    sub.unsubscribe(b"topic")
    assert await xpub.recv() == b"\x00topic"


@scenario
async def test_xpub_unsubscribes_a_departed_subscriber(env: Env) -> None:
    """RFC 29 XPUB: SHALL, if the subscriber disconnects, generate a suitable unsubscribe."""
    xpub = env.socket(zmq.XPUB)
    sub = env.socket(zmq.SUB)
    sub.connect(env.bind(xpub))
    sub.subscribe(b"topic")
    assert await xpub.recv() == b"\x01topic"
    sub.close(linger=0)
    assert await xpub.recv() == b"\x00topic"


@pytest.mark.parametrize("verbose", [0, 1])
@scenario
async def test_xpub_verbose_delivers_duplicates(env: Env, verbose: int) -> None:
    """RFC 29 XPUB: MAY normalize identical subscriptions to one command (XPUB_VERBOSE: all)."""
    xpub = env.socket(zmq.XPUB)
    xpub.setsockopt(zmq.XPUB_VERBOSE, verbose)
    address = env.bind(xpub)
    first, second = env.socket(zmq.SUB), env.socket(zmq.SUB)
    first.connect(address)
    first.subscribe(b"A")
    assert await xpub.recv() == b"\x01A"
    second.connect(address)
    second.subscribe(b"A")
    second.subscribe(b"B")
    expected = [b"\x01A", b"\x01B"] if verbose else [b"\x01B"]
    assert [await xpub.recv() for _ in expected] == expected


@scenario
async def test_xsub_sends_subscription_messages(env: Env) -> None:
    """RFC 29 XSUB: SHALL accept subscription commands from its application (b"\\x01topic")."""
    xpub = env.socket(zmq.XPUB)
    xsub = env.socket(zmq.XSUB)
    xsub.connect(env.bind(xpub))
    await xsub.send(b"\x01topic")
    assert await xpub.recv() == b"\x01topic"
    await xpub.send(b"topic data")
    assert await xsub.recv() == b"topic data"
    await xsub.send(b"\x00topic")
    assert await xpub.recv() == b"\x00topic"


@scenario
async def test_xsub_subscription_filters_pub(env: Env) -> None:
    """RFC 29 XSUB: SHALL send subscribe requests to publishers (so they filter)."""
    pub = env.socket(zmq.PUB)
    xsub = env.socket(zmq.XSUB)
    xsub.connect(env.bind(pub))
    await xsub.send(b"\x01A")
    await subscribed(pub, xsub, b"A")
    for msg in [b"B1", b"A1", b"C1", b"A2"]:
        await pub.send(msg)
    assert [await xsub.recv(), await xsub.recv()] == [b"A1", b"A2"]


@scenario
async def test_pub_never_blocks_at_hwm(env: Env) -> None:
    """RFC 29 PUB: SHALL drop the message if a subscriber's queue is full; SHALL NOT block."""
    pub = env.socket(zmq.PUB, sndhwm=1)
    sub = env.socket(zmq.SUB, rcvhwm=1)
    sub.connect(env.bind(pub))
    sub.subscribe(b"")
    await subscribed(pub, sub)
    payload = b"x" * 1024
    for _ in range(2000):
        await pub.send(payload, zmq.NOBLOCK)  # zmq.Again here fails the test
    assert await sub.recv() == payload


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@scenario
async def test_subscriptions_resent_after_pub_restart(env: Env) -> None:
    """RFC 29 XSUB: subscriptions survive a reconnect (libzmq resends them to the new publisher)."""
    old = env.socket(zmq.PUB)
    address = env.bind(old)
    sub = env.socket(zmq.SUB)
    sub.connect(address)
    sub.subscribe(b"A")
    await subscribed(old, sub, b"A")
    old.close(linger=0)
    new = env.socket(zmq.PUB)

    async def rebound() -> bool:
        # Closing is asynchronous in libzmq too: the old listener may hold the port a moment.
        try:
            new.bind(address)
        except zmq.ZMQError as exc:
            assert exc.errno == zmq.EADDRINUSE
            return False
        return True

    await eventually(rebound)
    await subscribed(new, sub, b"A")
    await new.send(b"B1")
    await new.send(b"A1")
    assert await sub.recv() == b"A1"


@scenario
async def test_pub_only_sends_and_sub_only_receives(env: Env) -> None:
    """RFC 29: PUB SHALL only send messages; SUB SHALL only receive messages (ENOTSUP otherwise)."""
    pub = env.socket(zmq.PUB)
    sub = env.socket(zmq.SUB)
    sub.connect(env.bind(pub))
    with pytest.raises(zmq.ZMQError) as pub_recv:
        await pub.recv(zmq.NOBLOCK)
    assert pub_recv.value.errno == zmq.ENOTSUP
    with pytest.raises(zmq.ZMQError) as sub_send:
        await sub.send(b"up")
    assert sub_send.value.errno == zmq.ENOTSUP
