"""zmq_proxy(3) and zmq_proxy_steerable(3): forwarding, capture, control, termination."""

from __future__ import annotations

import asyncio
import struct
import threading

import pytest
import zmq as pyzmq

import purezmq as zmq
import purezmq.asyncio as azmq
from tests.conftest import bind
from tests.helpers.waiting import run, wait_for


def _sock(ctx: zmq.Context, kind: int) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = sock.sndtimeo = 5000
    return sock


class Broker:
    """ROUTER frontend, DEALER backend, optional capture and control, proxy in a thread."""

    def __init__(self, ctx: zmq.Context, transport: str, ipc_dir: str, steerable: bool) -> None:
        self.frontend = _sock(ctx, zmq.ROUTER)
        self.backend = _sock(ctx, zmq.DEALER)
        self.capture = _sock(ctx, zmq.PUSH)
        self.front_addr = bind(self.frontend, transport, ipc_dir)
        self.back_addr = bind(self.backend, transport, ipc_dir)
        self.captured = _sock(ctx, zmq.PULL)
        self.captured.connect(bind(self.capture, "inproc", ipc_dir))
        self.control = _sock(ctx, zmq.REP) if steerable else None
        self.control_addr = bind(self.control, "inproc", ipc_dir) if self.control else ""
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            if self.control is None:
                zmq.proxy(self.frontend, self.backend, self.capture)
            else:
                zmq.proxy_steerable(self.frontend, self.backend, self.capture, self.control)
        except BaseException as exc:  # handed to the test
            self.error = exc


def _round_trip(ctx: zmq.Context, broker: Broker, n: int) -> None:
    req = _sock(ctx, zmq.REQ)
    rep = _sock(ctx, zmq.REP)
    req.connect(broker.front_addr)
    rep.connect(broker.back_addr)
    for i in range(n):
        req.send(b"q%d" % i)
        assert rep.recv() == b"q%d" % i
        rep.send(b"a%d" % i)
        assert req.recv() == b"a%d" % i
    req.close()
    rep.close()


@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
def test_proxy_forwards_both_ways_and_captures(
    ctx: zmq.Context, ipc_dir: str, transport: str
) -> None:
    """zmq_proxy: requests reach the backend, replies the frontend; capture gets both."""
    broker = Broker(ctx, transport, ipc_dir, steerable=False)
    _round_trip(ctx, broker, 20)
    captured = [broker.captured.recv_multipart() for _ in range(40)]
    assert [m[-1] for m in captured[:2]] == [b"q0", b"a0"]
    assert captured[0][-2:] == [b"", b"q0"]  # whole messages, envelope included


def test_proxy_ends_with_context_terminated(ipc_dir: str) -> None:
    """zmq_proxy returns when the context is terminated (pyzmq: ContextTerminated)."""
    ctx = zmq.Context()
    broker = Broker(ctx, "inproc", ipc_dir, steerable=False)
    _round_trip(ctx, broker, 1)
    terminator = threading.Thread(target=ctx.term)
    terminator.start()
    broker.thread.join(10)
    assert not broker.thread.is_alive()
    assert isinstance(broker.error, zmq.ContextTerminated)
    for sock in (broker.frontend, broker.backend, broker.capture, broker.captured):
        sock.close()
    terminator.join(10)
    assert not terminator.is_alive()


def test_steerable_pause_resume_statistics_terminate(ctx: zmq.Context, ipc_dir: str) -> None:
    """PAUSE holds messages, RESUME lets them through, STATISTICS counts, TERMINATE ends."""
    broker = Broker(ctx, "tcp", ipc_dir, steerable=True)
    control = _sock(ctx, zmq.REQ)
    control.connect(broker.control_addr)
    _round_trip(ctx, broker, 3)
    control.send(b"STATISTICS")
    stats = [struct.unpack("=Q", frame)[0] for frame in control.recv_multipart()]
    # Parts are counted one by one: each request and reply is [routing id, b"", body].
    assert [stats[0], stats[2], stats[4], stats[6]] == [9, 9, 9, 9]
    assert stats[1] == stats[3] == stats[5] == stats[7] == 3 * (5 + 0 + 2)  # id, b"", body
    control.send(b"PAUSE")
    assert control.recv() == b""  # a REP control socket answers with an empty message
    push = _sock(ctx, zmq.DEALER)
    pull = _sock(ctx, zmq.DEALER)
    push.connect(broker.front_addr)
    pull.connect(broker.back_addr)
    push.send_multipart([b"", b"held"])
    assert pull.poll(200) == 0  # paused: nothing goes through
    control.send(b"RESUME")
    assert control.recv() == b""
    assert pull.recv_multipart()[-1] == b"held"
    control.send(b"TERMINATE")
    assert control.recv() == b""
    broker.thread.join(10)
    assert not broker.thread.is_alive() and broker.error is None


def test_libzmq_peers_through_a_purezmq_proxy(ctx: zmq.Context, ipc_dir: str) -> None:
    """libzmq REQ -> purezmq ROUTER/DEALER proxy -> libzmq REP, over tcp."""
    broker = Broker(ctx, "tcp", ipc_dir, steerable=False)
    lctx = pyzmq.Context()
    try:
        req = lctx.socket(pyzmq.REQ)
        rep = lctx.socket(pyzmq.REP)
        for sock in (req, rep):
            sock.linger = 0
            sock.rcvtimeo = 5000
        req.connect(broker.front_addr)
        rep.connect(broker.back_addr)
        for i in range(10):
            req.send(b"lib%d" % i)
            rep.send(rep.recv() + b"!")
            assert req.recv() == b"lib%d!" % i
    finally:
        lctx.destroy(linger=0)


def test_asyncio_proxy_runs_on_the_loop() -> None:
    """purezmq.asyncio.proxy forwards on the running loop until cancelled."""

    async def body() -> None:
        ctx = azmq.Context()
        try:
            frontend = ctx.socket(zmq.ROUTER)
            backend = ctx.socket(zmq.DEALER)
            frontend.bind("inproc://aproxy-front")
            backend.bind("inproc://aproxy-back")
            task = asyncio.ensure_future(azmq.proxy(frontend, backend))
            req = ctx.socket(zmq.REQ)
            rep = ctx.socket(zmq.REP)
            req.connect("inproc://aproxy-front")
            rep.connect("inproc://aproxy-back")
            for i in range(20):
                await req.send(b"%d" % i)
                await rep.send(await rep.recv() + b"!")
                assert await req.recv() == b"%d!" % i
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            ctx.destroy(linger=0)

    run(body())


def test_unknown_control_command_is_an_error(ctx: zmq.Context, ipc_dir: str) -> None:
    """A control command the proxy does not know ends it with EINVAL, naming the command."""
    broker = Broker(ctx, "inproc", ipc_dir, steerable=True)
    control = _sock(ctx, zmq.REQ)
    control.connect(broker.control_addr)
    control.send(b"REBOOT")
    wait_for(lambda: not broker.thread.is_alive())
    assert isinstance(broker.error, zmq.ZMQError) and "REBOOT" in str(broker.error)
