"""A direct send from a thread never overtakes what that thread handed to the I/O loop
before it (engine/handoffs.py): libzmq's I/O thread takes both in order."""

from __future__ import annotations

import threading

import purezmq as zmq
from tests.helpers.waiting import wait_for


def test_direct_send_waits_for_earlier_handoffs(ctx: zmq.Context) -> None:
    """While a hand-off of this thread waits for the loop, a send goes through the pipe."""
    other = zmq.Context()  # the peer's own I/O thread, free while ours is held
    try:
        router, dealer = other.socket(zmq.ROUTER), ctx.socket(zmq.DEALER)
        for sock in (router, dealer):
            sock.linger = 0
            sock.rcvtimeo = 10000
        port = router.bind_to_random_port("tcp://127.0.0.1")
        dealer.connect(f"tcp://127.0.0.1:{port}")
        dealer.send(b"hello")
        peer, _ = router.recv_multipart()
        router.send_multipart([peer, b"reply"])  # the peer spoke: a direct send may go
        assert dealer.recv() == b"reply"

        engine = dealer._shared.engine
        holding, release = threading.Event(), threading.Event()

        def hold_the_loop() -> None:
            holding.set()
            release.wait(10)

        assert engine.schedule(hold_the_loop)
        holding.wait(10)
        assert not engine.handed_over()
        dealer.send(b"after")
        # Through the pipe, behind the held hand-off: nothing reaches the peer yet.
        assert router.poll(200) == 0
        release.set()
        assert router.recv_multipart() == [peer, b"after"]
        wait_for(engine.handed_over)
    finally:
        other.destroy(linger=0)

