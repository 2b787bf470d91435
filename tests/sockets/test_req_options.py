"""REQ_RELAXED and REQ_CORRELATE (zmq_setsockopt(3)), against purezmq and libzmq peers."""

from __future__ import annotations

import pytest
import zmq as pyzmq

import purezmq as zmq


def _sock(ctx: zmq.Context, kind: int, **options: int) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = 5000
    for name, value in options.items():
        setattr(sock, name, value)
    return sock


def test_strict_req_refuses_a_second_request(ctx: zmq.Context) -> None:
    """Without REQ_RELAXED a second send before the reply is EFSM."""
    req = _sock(ctx, zmq.REQ)
    req.connect("inproc://strict")
    rep = _sock(ctx, zmq.REP)
    rep.bind("inproc://strict")
    req.send(b"one")
    with pytest.raises(zmq.ZMQError) as info:
        req.send(b"two")
    assert info.value.errno == zmq.EFSM


def test_relaxed_correlated_req_gets_only_the_latest_reply(ctx: zmq.Context) -> None:
    """REQ_RELAXED lets a new request go; REQ_CORRELATE drops the stale reply."""
    rep = _sock(ctx, zmq.ROUTER)
    rep.bind("inproc://relaxed")
    req = _sock(ctx, zmq.REQ, req_relaxed=1, req_correlate=1)
    req.connect("inproc://relaxed")
    assert (req.req_relaxed, req.req_correlate) == (1, 1)
    req.send(b"first")
    first = rep.recv_multipart()
    req.send(b"second")  # no EFSM: relaxed
    second = rep.recv_multipart()
    assert len(first[1]) == 4 and first[1] != second[1]  # the request ids
    assert first[2:] == [b"", b"first"] and second[2:] == [b"", b"second"]
    rep.send_multipart([*first[:3], b"stale reply"])
    rep.send_multipart([*second[:3], b"fresh reply"])
    assert req.recv() == b"fresh reply"


def test_req_options_do_not_apply_to_other_types(ctx: zmq.Context) -> None:
    """REQ_RELAXED on a DEALER is EINVAL, as in libzmq."""
    dealer = _sock(ctx, zmq.DEALER)
    with pytest.raises(zmq.ZMQError) as info:
        dealer.req_relaxed = 1
    assert info.value.errno == zmq.EINVAL


@pytest.mark.interop
def test_correlated_req_with_a_libzmq_rep() -> None:
    """A libzmq REP echoes the request id as part of the envelope."""
    ctx = zmq.Context()
    lctx = pyzmq.Context()
    try:
        rep = lctx.socket(pyzmq.REP)
        rep.linger = 0
        rep.rcvtimeo = 5000
        port = rep.bind_to_random_port("tcp://127.0.0.1")
        req = _sock(ctx, zmq.REQ, req_relaxed=1, req_correlate=1)
        req.connect(f"tcp://127.0.0.1:{port}")
        for n in range(5):
            req.send(b"%d" % n)
            rep.send(rep.recv() + b"!")
            assert req.recv() == b"%d!" % n
    finally:
        ctx.destroy(linger=0)
        lctx.destroy(linger=0)
