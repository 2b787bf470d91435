"""Direct sends (a request written from the socket's thread) keep order and content."""

from __future__ import annotations

import pytest

import purezmq as zmq
from tests.conftest import bind


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_alternating_large_and_small_messages_keep_order(
    ctx: zmq.Context, ipc_dir: str, transport: str
) -> None:
    """A reply unlocks a direct send; a send the kernel takes in part is completed in order."""
    router = ctx.socket(zmq.ROUTER)
    dealer = ctx.socket(zmq.DEALER)
    for sock in (router, dealer):
        sock.linger = 0
        sock.rcvtimeo = 10000
    dealer.connect(bind(router, transport, ipc_dir))
    big = bytes(range(256)) * (16 * 1024)  # 4 MiB: more than one socket buffer
    for round_ in range(6):
        dealer.send_multipart([b"big", big])
        for n in range(5):
            dealer.send(b"small %d %d" % (round_, n))
        peer, tag, body = router.recv_multipart()
        assert (tag, body == big) == (b"big", True)
        for n in range(5):
            assert router.recv_multipart() == [peer, b"small %d %d" % (round_, n)]
        router.send_multipart([peer, b"reply", big])
        assert dealer.recv_multipart() == [b"reply", big]


def test_req_rep_many_round_trips(ctx: zmq.Context, ipc_dir: str) -> None:
    """Thousands of request/reply round trips, each reply matching its request."""
    rep = ctx.socket(zmq.REP)
    req = ctx.socket(zmq.REQ)
    for sock in (rep, req):
        sock.linger = 0
        sock.rcvtimeo = 10000
    req.connect(bind(rep, "tcp", ipc_dir))
    for n in range(3000):
        req.send(b"%d" % n)
        rep.send(rep.recv() + b"!")
        assert req.recv() == b"%d!" % n
