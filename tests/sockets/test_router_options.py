"""ROUTER_HANDOVER and PROBE_ROUTER (zmq_setsockopt(3))."""

from __future__ import annotations

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
