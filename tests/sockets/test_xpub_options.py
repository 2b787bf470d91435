"""XPUB_VERBOSER, XPUB_NODROP, XPUB_WELCOME_MSG, INVERT_MATCHING, XPUB_MANUAL."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
import zmq as pyzmq

import purezmq as zmq


def _sock(ctx: zmq.Context, kind: int, **options: object) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = 5000
    for name, value in options.items():
        setattr(sock, name, value)
    return sock


@pytest.mark.parametrize(("option", "expected"), [("xpub_verbose", 1), ("xpub_verboser", 2)])
def test_verbose_and_verboser_unsubscriptions(ctx: zmq.Context, option: str, expected: int) -> None:
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


def _manual_transcript(lib: ModuleType, ipc_dir: str) -> list[Any]:
    """An XPUB_MANUAL session, written down step by step, with ``lib``'s sockets."""
    ctx = lib.Context()
    seen: list[Any] = []
    try:

        def sock(kind: int) -> Any:
            s = ctx.socket(kind)
            s.linger = 0
            s.rcvtimeo = 5000
            return s

        xpub = sock(lib.XPUB)
        xpub.setsockopt(lib.XPUB_MANUAL, 1)
        xpub.setsockopt(lib.SUBSCRIBE, b"ignored")  # no message received yet: no peer
        endpoint = f"ipc://{ipc_dir}/manual-{lib.__name__}"
        xpub.bind(endpoint)
        a, b = sock(lib.SUB), sock(lib.SUB)
        a.connect(endpoint)
        a.setsockopt(lib.SUBSCRIBE, b"")  # a asks for everything ...
        seen.append(("from a", xpub.recv()))
        xpub.setsockopt(lib.SUBSCRIBE, b"x")  # ... and is granted "x" only
        xpub.send(b"a1")
        xpub.send(b"x1")
        seen.append(("a got", a.recv()))
        b.connect(endpoint)
        b.setsockopt(lib.SUBSCRIBE, b"a")
        seen.append(("from b", xpub.recv()))
        xpub.setsockopt(lib.SUBSCRIBE, b"a")  # granted to b, the last peer heard
        xpub.send(b"a2")
        xpub.send(b"x2")
        seen.append(("b got", b.recv()))
        seen.append(("a got", a.recv()))
        b.setsockopt(lib.SUBSCRIBE, b"a")  # a duplicate, delivered all the same
        seen.append(("from b", xpub.recv()))
        b.setsockopt(lib.UNSUBSCRIBE, b"a")
        b.setsockopt(lib.UNSUBSCRIBE, b"a")  # b's last "a": only now does it tell
        seen.append(("from b", xpub.recv()))
        xpub.setsockopt(lib.UNSUBSCRIBE, b"a")
        xpub.send(b"a3")
        xpub.send(b"x3")
        seen.append(("a got", a.recv()))
        a.close()  # what a asked for comes back as an unsubscription with no peer
        seen.append(("a gone", xpub.recv()))
        seen.append(("pending", xpub.poll(100)))  # a 100 ms observation period
    finally:
        ctx.destroy(linger=0)
    return seen


def test_manual_is_libzmqs_transcript(ipc_dir: str) -> None:
    """XPUB_MANUAL: every (un)subscription reaches the application, which decides with
    SUBSCRIBE/UNSUBSCRIBE what the peer of the last message gets; libzmq writes the
    same transcript."""
    ours = _manual_transcript(zmq, ipc_dir)
    assert ours == [
        ("from a", b"\x01"),
        ("a got", b"x1"),
        ("from b", b"\x01a"),
        ("b got", b"a2"),
        ("a got", b"x2"),
        ("from b", b"\x01a"),
        ("from b", b"\x00a"),
        ("a got", b"x3"),
        ("a gone", b"\x00"),
        ("pending", 0),
    ]
    assert ours == _manual_transcript(pyzmq, ipc_dir)


def test_manual_option_checks(ctx: zmq.Context) -> None:
    """XPUB_MANUAL takes 0 or 1, on XPUB; libzmq cannot read it back, nor can we."""
    xpub = _sock(ctx, zmq.XPUB)
    with pytest.raises(zmq.ZMQError) as info:
        xpub.setsockopt(zmq.XPUB_MANUAL, -1)
    assert info.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError):
        xpub.getsockopt(zmq.XPUB_MANUAL)
    dealer = _sock(ctx, zmq.DEALER)
    with pytest.raises(zmq.ZMQError) as info:
        dealer.setsockopt(zmq.XPUB_MANUAL, 1)
    assert info.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as info:
        xpub.setsockopt(zmq.SUBSCRIBE, b"x")  # without XPUB_MANUAL, as libzmq
    assert info.value.errno == zmq.EINVAL
