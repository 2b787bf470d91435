"""ROUTER_HANDOVER, PROBE_ROUTER, CONNECT_ROUTING_ID and ROUTER_NOTIFY (zmq_setsockopt(3))."""

from __future__ import annotations

import asyncio
import socket

import pytest
import zmq as pyzmq

import purezmq as zmq
import purezmq.asyncio as azmq
from tests.conftest import bind
from tests.helpers.waiting import run, wait_for


def _sock(ctx: zmq.Context, kind: int, **options: object) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = 5000
    for name, value in options.items():
        setattr(sock, name, value)
    return sock


def test_duplicate_routing_id_is_ignored_without_handover(ctx: zmq.Context) -> None:
    """A second peer with a routing id in use is ignored (libzmq); the first keeps it.

    The 200 ms poll is the period under observation, not a synchronisation.
    """
    router = _sock(ctx, zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    first = _sock(ctx, zmq.DEALER, routing_id=b"same")
    first.connect(f"tcp://127.0.0.1:{port}")
    first.send(b"from first")
    assert router.recv_multipart() == [b"same", b"from first"]
    second = _sock(ctx, zmq.DEALER, routing_id=b"same")
    second.connect(f"tcp://127.0.0.1:{port}")
    second.send(b"from second")
    assert router.poll(200) == 0
    router.send_multipart([b"same", b"to same"])
    assert first.recv() == b"to same"


def test_handover_gives_the_routing_id_to_the_new_peer(ctx: zmq.Context) -> None:
    """With ROUTER_HANDOVER the newer connection takes the routing id over."""
    router = _sock(ctx, zmq.ROUTER, router_handover=1)
    assert router.router_handover == 1
    port = router.bind_to_random_port("tcp://127.0.0.1")
    first = _sock(ctx, zmq.DEALER, routing_id=b"same")
    first.connect(f"tcp://127.0.0.1:{port}")
    first.send(b"from first")
    assert router.recv_multipart() == [b"same", b"from first"]
    second = _sock(ctx, zmq.DEALER, routing_id=b"same")
    second.connect(f"tcp://127.0.0.1:{port}")
    second.send(b"from second")
    assert router.recv_multipart() == [b"same", b"from second"]
    router.send_multipart([b"same", b"to same"])
    assert second.recv() == b"to same"


@pytest.mark.parametrize("kind", [zmq.DEALER, zmq.ROUTER, zmq.REQ])
def test_probe_router_greets_the_router(ctx: zmq.Context, kind: int) -> None:
    """PROBE_ROUTER: a connecting DEALER/ROUTER/REQ sends an empty message at once."""
    router = _sock(ctx, zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    prober = _sock(ctx, kind, probe_router=1, routing_id=b"prober")
    prober.connect(f"tcp://127.0.0.1:{port}")
    assert router.recv_multipart() == [b"prober", b""]


@pytest.mark.interop
def test_probe_from_purezmq_reaches_a_libzmq_router(ctx: zmq.Context) -> None:
    """A libzmq ROUTER sees purezmq's probe, and can answer through it."""
    lctx = pyzmq.Context()
    try:
        router = lctx.socket(pyzmq.ROUTER)
        router.linger = 0
        router.rcvtimeo = 5000
        port = router.bind_to_random_port("tcp://127.0.0.1")
        dealer = _sock(ctx, zmq.DEALER, probe_router=1)
        dealer.connect(f"tcp://127.0.0.1:{port}")
        peer, empty = router.recv_multipart()
        assert empty == b""
        router.send_multipart([peer, b"hello prober"])
        assert dealer.recv() == b"hello prober"
    finally:
        lctx.destroy(linger=0)


def _routable(router: zmq.Socket, routing_id: bytes) -> bool:
    """True once ``router`` (with ROUTER_MANDATORY) can send to ``routing_id``."""
    try:
        router.send_multipart([routing_id, b"ping"])
    except zmq.ZMQError as exc:
        assert exc.errno == zmq.EHOSTUNREACH
        return False
    return True


def test_connect_routing_id_names_the_peer(ctx: zmq.Context, transport: str, ipc_dir: str) -> None:
    """A connecting ROUTER with CONNECT_ROUTING_ID routes to the peer by that name,
    whatever the peer calls itself; the option serves one connect() only."""
    server = _sock(ctx, zmq.ROUTER, routing_id=b"server-self-name")
    address = bind(server, transport, ipc_dir)
    client = _sock(ctx, zmq.ROUTER, routing_id=b"client", router_mandatory=1)
    client.setsockopt(zmq.CONNECT_ROUTING_ID, b"chosen")
    client.connect(address)
    wait_for(lambda: _routable(client, b"chosen"))
    assert server.recv_multipart() == [b"client", b"ping"]
    server.send_multipart([b"client", b"pong"])
    assert client.recv_multipart() == [b"chosen", b"pong"]
    # The next connect() takes the peer's own name again.
    other = _sock(ctx, zmq.ROUTER, routing_id=b"other-self-name")
    client.connect(bind(other, transport, ipc_dir))
    wait_for(lambda: _routable(client, b"other-self-name"))
    assert other.recv_multipart() == [b"client", b"ping"]


def test_connect_routing_id_checks(ctx: zmq.Context) -> None:
    """Non-empty bytes, on ROUTER only; an id in use is refused at connect()."""
    router = _sock(ctx, zmq.ROUTER, router_mandatory=1)
    for bad in (b"",):
        with pytest.raises(zmq.ZMQError) as info:
            router.setsockopt(zmq.CONNECT_ROUTING_ID, bad)
        assert info.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as info:
        _sock(ctx, zmq.DEALER).setsockopt(zmq.CONNECT_ROUTING_ID, b"x")
    assert info.value.errno == zmq.EINVAL
    peer = _sock(ctx, zmq.ROUTER)
    port = peer.bind_to_random_port("tcp://127.0.0.1")
    router.setsockopt(zmq.CONNECT_ROUTING_ID, b"taken")
    router.connect(f"tcp://127.0.0.1:{port}")
    wait_for(lambda: _routable(router, b"taken"))
    router.setsockopt(zmq.CONNECT_ROUTING_ID, b"taken")
    with pytest.raises(zmq.ZMQError) as info:
        router.connect(f"tcp://127.0.0.1:{port}")
    assert info.value.errno == zmq.EINVAL


@pytest.mark.interop
@pytest.mark.parametrize(
    "ours_connects", [True, False], ids=["purezmq-connects", "libzmq-connects"]
)
def test_connect_routing_id_with_libzmq(ctx: zmq.Context, ours_connects: bool) -> None:
    """ROUTER to ROUTER with libzmq, either side connecting with CONNECT_ROUTING_ID."""
    lctx = pyzmq.Context()
    try:
        theirs = lctx.socket(pyzmq.ROUTER)
        theirs.linger = 0
        theirs.rcvtimeo = 5000
        theirs.setsockopt(pyzmq.ROUTING_ID, b"libzmq")
        ours = _sock(ctx, zmq.ROUTER, routing_id=b"purezmq")
        binder, connecter = (theirs, ours) if ours_connects else (ours, theirs)
        port = binder.bind_to_random_port("tcp://127.0.0.1")
        connecter.setsockopt(zmq.ROUTER_MANDATORY, 1)
        connecter.setsockopt(zmq.CONNECT_ROUTING_ID, b"named")

        def routable() -> bool:
            try:
                connecter.send_multipart([b"named", b"ping"])
            except (zmq.ZMQError, pyzmq.ZMQError):
                return False
            return True

        connecter.connect(f"tcp://127.0.0.1:{port}")
        wait_for(routable)
        name = b"purezmq" if ours_connects else b"libzmq"
        assert binder.recv_multipart() == [name, b"ping"]
        binder.send_multipart([name, b"pong"])
        assert connecter.recv_multipart() == [b"named", b"pong"]
    finally:
        lctx.destroy(linger=0)


@pytest.mark.parametrize("notify", [1, 2, 3])
def test_router_notify(ctx: zmq.Context, transport: str, ipc_dir: str, notify: int) -> None:
    """ROUTER_NOTIFY: [id, b""] before a peer's first message (NOTIFY_CONNECT) and
    after its last (NOTIFY_DISCONNECT), as libzmq's test_router_notify."""
    router = _sock(ctx, zmq.ROUTER, router_notify=notify)
    assert router.router_notify == notify
    address = bind(router, transport, ipc_dir)
    dealer = _sock(ctx, zmq.DEALER, routing_id=b"X")
    dealer.connect(address)
    dealer.send(b"Hello")
    if notify & zmq.NOTIFY_CONNECT:
        assert router.recv_multipart() == [b"X", b""]
    assert router.recv_multipart() == [b"X", b"Hello"]
    dealer.send(b"last words")
    dealer.disconnect(address)
    assert router.recv_multipart() == [b"X", b"last words"]
    if notify & zmq.NOTIFY_DISCONNECT:
        assert router.recv_multipart() == [b"X", b""]  # a blocking recv is woken for it
    assert router.poll(100) == 0  # nothing more: a 100 ms observation period


def test_router_notify_skips_failed_handshakes(ctx: zmq.Context) -> None:
    """A connection that never finishes its handshake is not announced (libzmq)."""
    router = _sock(ctx, zmq.ROUTER, router_notify=3)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.sendall(b"not-a-handshake" * 10)
    dealer = _sock(ctx, zmq.DEALER, routing_id=b"good")
    dealer.connect(f"tcp://127.0.0.1:{port}")
    assert router.recv_multipart() == [b"good", b""]  # the first notice is the good peer's


def test_router_notify_checks(ctx: zmq.Context) -> None:
    """0-3 on ROUTER; refused on other types, where it reads as 0."""
    router = _sock(ctx, zmq.ROUTER)
    assert router.router_notify == 0
    for bad in (-1, 4):
        with pytest.raises(zmq.ZMQError) as info:
            router.router_notify = bad
        assert info.value.errno == zmq.EINVAL
    for kind in (zmq.DEALER, zmq.REP):
        other = _sock(ctx, kind)
        assert other.router_notify == 0
        with pytest.raises(zmq.ZMQError) as info:
            other.router_notify = 1
        assert info.value.errno == zmq.EINVAL


@pytest.mark.interop
def test_router_notify_with_a_libzmq_dealer(ctx: zmq.Context) -> None:
    """The notices follow a libzmq peer's connection too."""
    lctx = pyzmq.Context()
    try:
        router = _sock(ctx, zmq.ROUTER, router_notify=3)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        dealer = lctx.socket(pyzmq.DEALER)
        dealer.linger = 0
        dealer.setsockopt(pyzmq.ROUTING_ID, b"lib")
        dealer.connect(f"tcp://127.0.0.1:{port}")
        dealer.send(b"hi")
        assert router.recv_multipart() == [b"lib", b""]
        assert router.recv_multipart() == [b"lib", b"hi"]
        dealer.close()
        assert router.recv_multipart() == [b"lib", b""]
    finally:
        lctx.destroy(linger=0)


def test_router_notify_with_asyncio() -> None:
    """The asyncio API: an awaiting recv gets the notices too."""

    async def main() -> list[list[bytes]]:
        ctx = azmq.Context()
        try:
            router = ctx.socket(zmq.ROUTER)
            router.linger = 0
            router.router_notify = zmq.NOTIFY_CONNECT | zmq.NOTIFY_DISCONNECT
            port = router.bind_to_random_port("tcp://127.0.0.1")
            dealer = ctx.socket(zmq.DEALER)
            dealer.linger = 0
            dealer.routing_id = b"A"
            dealer.connect(f"tcp://127.0.0.1:{port}")
            await dealer.send(b"hi")
            got = [await router.recv_multipart() for _ in range(2)]
            dealer.close()
            got.append(await asyncio.wait_for(router.recv_multipart(), 5))
            return got
        finally:
            ctx.destroy(linger=0)

    assert run(main()) == [[b"A", b""], [b"A", b"hi"], [b"A", b""]]
