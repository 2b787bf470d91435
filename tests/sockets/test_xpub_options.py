"""XPUB_VERBOSER, XPUB_NODROP, XPUB_WELCOME_MSG and INVERT_MATCHING (zmq_setsockopt(3))."""

from __future__ import annotations

import pytest

import purezmq as zmq


def _sock(ctx: zmq.Context, kind: int, **options: object) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = 5000
    for name, value in options.items():
        setattr(sock, name, value)
    return sock


@pytest.mark.parametrize(("option", "expected"), [("xpub_verbose", 1), ("xpub_verboser", 2)])
def test_verbose_and_verboser_unsubscriptions(
    ctx: zmq.Context, option: str, expected: int
) -> None:
    """VERBOSE passes every subscription; VERBOSER every unsubscription as well."""
    xpub = _sock(ctx, zmq.XPUB, **{option: 1})
    xpub.bind(f"inproc://{option}")
    subs = [_sock(ctx, zmq.SUB) for _ in range(2)]
    for sub in subs:
        sub.connect(f"inproc://{option}")
        sub.subscribe(b"t")
        assert xpub.recv() == b"\x01t"
    for sub in subs:
        sub.unsubscribe(b"t")
    got = []
    while xpub.poll(200):
        got.append(xpub.recv())
    assert got == [b"\x00t"] * expected


def test_nodrop_makes_a_full_subscriber_block_the_sender(ctx: zmq.Context) -> None:
    """XPUB_NODROP: a send a subscriber has no room for fails with EAGAIN instead of dropping."""
    xpub = _sock(ctx, zmq.XPUB, xpub_nodrop=1, sndhwm=1)
    xpub.bind("inproc://nodrop")
    sub = _sock(ctx, zmq.SUB, rcvhwm=1)
    sub.connect("inproc://nodrop")
    sub.subscribe(b"")
    assert xpub.recv() == b"\x01"
    sent = 0
    with pytest.raises(zmq.Again):
        for _ in range(10):
            xpub.send(b"m%d" % sent, zmq.NOBLOCK)
            sent += 1
    assert sent == 2  # inproc: the two HWMs add up
    assert [sub.recv() for _ in range(sent)] == [b"m0", b"m1"]  # nothing was lost
    xpub.send(b"room again", zmq.NOBLOCK)


def test_welcome_message_greets_each_subscriber(ctx: zmq.Context) -> None:
    """XPUB_WELCOME_MSG is sent to every new subscriber (which must subscribe to it)."""
    xpub = _sock(ctx, zmq.XPUB, xpub_welcome_msg=b"W:hello")
    xpub.bind("inproc://welcome")
    sub = _sock(ctx, zmq.SUB)
    sub.subscribe(b"W:")
    sub.connect("inproc://welcome")
    # As libzmq's own test: the XPUB takes the subscription, then the SUB gets the welcome.
    assert xpub.recv() == b"\x01W:"
    assert sub.recv() == b"W:hello"


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_invert_matching(ctx: zmq.Context, transport: str) -> None:
    """INVERT_MATCHING on both sides: a subscriber gets what does NOT match its topics."""
    pub = _sock(ctx, zmq.PUB, invert_matching=1)
    address = "inproc://invert" if transport == "inproc" else "tcp://127.0.0.1:*"
    pub.bind(address)
    sub = _sock(ctx, zmq.SUB, invert_matching=1)
    sub.connect(pub.last_endpoint.decode())
    sub.subscribe(b"a")
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    while not poller.poll(20):  # publish until the subscription is in place
        pub.send(b"warm-up")
    sub.recv()
    pub.send(b"a-excluded")
    pub.send(b"b-included")
    assert sub.recv() == b"b-included"
